"""`python -m bench` (`make bench`): every benchmark in turn, each in its own process; results on stdout."""

from __future__ import annotations

import subprocess
import sys
import time

BENCHES = [
    ("Lineage and library at scale", ["-m", "bench.lineage_bench"]),
    ("Generation engine vs plain diffusers", ["bench/generate_bench.py", "--size", "128", "--steps", "4"]),
    *[(f"Generation engine vs plain diffusers, tiny {arch}",
       ["bench/generate_bench.py", "--family", arch, "--size", "128", "--runs", "3", "--rounds", "1"])
      for arch in ("flux1-schnell", "flux1-dev", "sd3", "qwen-image")],
    # SDXL in float32 alone needs about 14 GB (21 GB on the old path): run `python bench/memory_bench.py` for both.
    ("Memory and speed of each CPU number format, full-size SD 1.5",
     ["bench/memory_bench.py", "--arch", "sd1", "--size", "128", "--steps", "1"]),
    ("ComfyUI engine vs the same workflow POSTed directly", ["-m", "bench.comfyui_bench", "--size", "128",
                                                            "--steps", "6"]),
    ("Publishing on the devnet", ["-m", "bench.publish_bench"]),
    ("Training sets on the devnet", ["-m", "bench.group_bench"]),
    ("Desktop window", ["-m", "bench.ui_bench"]),
]


def main() -> int:
    failed = 0
    for title, args in BENCHES:
        print(f"\n## {title}\n\n`python {' '.join(args)}`\n", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, *args])
        print(f"\n({time.perf_counter() - start:.0f} s)", flush=True)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
