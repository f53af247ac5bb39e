"""The two built-in models side by side: one 64 px image from studio-emoji (trained, 25 steps, the default) against
studio-tiny (untrained toy, 4 steps), through the studio's own generation path, each warm; plus what the first
use of studio-emoji costs a new library (weights copied and checked, 4,200 training works imported).

    python -m bench.builtin_speed [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import machine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("STUDIO_BUILTIN_MODEL", None)
    from studio.core.modes import Mode
    from studio.services.generation import CreateRequest
    from studio.services.studio import Studio

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["STUDIO_DATA_DIR"] = str(Path(tmp) / "data")  # a fresh data folder: first use copies the weights
        studio = Studio.open(Path(tmp) / "lib")
        start = time.perf_counter()
        studio.models.builtin("studio-emoji")
        first_use = time.perf_counter() - start
        studio.models.builtin("studio-tiny")
        times: dict[str, list[float]] = {"studio-tiny": [], "studio-emoji": []}
        # One model after the other: the engine keeps one pipeline loaded, so alternating would time the loading.
        for model in times:
            for round_ in range(args.rounds + 1):  # the first call loads the pipeline and is not counted
                start = time.perf_counter()
                studio.generation.create(
                    CreateRequest(mode=Mode.txt2img, prompt="a red apple", model=model, seed=round_,
                                  width=64, height=64))
                if round_:
                    times[model].append(time.perf_counter() - start)
        studio.close()
    tiny, emoji = (statistics.median(times[m]) for m in ("studio-tiny", "studio-emoji"))
    result = {"machine": machine(), "rounds": args.rounds, "tiny_s": round(tiny, 3), "emoji_s": round(emoji, 3),
              "emoji_over_tiny": round(emoji / tiny, 2), "emoji_first_use_s": round(first_use, 3)}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
