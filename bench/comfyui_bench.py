"""The ComfyUI engine's overhead: the studio's remote path against POSTing the same workflow to the same server.

Run: `.venv/bin/python -m bench.comfyui_bench [--size 256 --steps 8 --rounds 6]`

One stand-in ComfyUI server (tests/helpers/standin_server.py: ComfyUI's HTTP + websocket protocol, executing
with the studio's diffusers engine on the built-in tiny model) on loopback. The sides alternate per round:
- direct: a bare client opens the websocket, POSTs the workflow the studio sent (new prompt id), waits for the
  end of the job, then reads /history and /view: the least any client does to get the image;
- studio: `Studio.generate` with `--engine comfyui:box`: the license check, uploads-free txt2img on the server,
  progress and previews, then the PNG with its recipe written to the store and the rows and edges recorded.
Wall time per image, median per side; the ratio is studio / direct.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script as well as with -m
    sys.path.insert(0, str(REPO))

from bench.common import machine, markdown_table  # noqa: E402


def _direct(url: str, graph: dict) -> float:
    from websockets.sync.client import connect

    started = time.perf_counter()
    client_id, prompt_id = uuid.uuid4().hex, str(uuid.uuid4())
    with connect(f"ws{url[4:]}/ws?clientId={client_id}", compression=None) as ws:
        body = json.dumps({"prompt": graph, "client_id": client_id, "prompt_id": prompt_id}).encode()
        urllib.request.urlopen(urllib.request.Request(f"{url}/prompt", data=body, method="POST",
                                                      headers={"Content-Type": "application/json"})).read()
        while True:
            message = ws.recv()
            if isinstance(message, str):
                data = json.loads(message)
                if data["type"] == "executing" and data["data"]["node"] is None:
                    break
    history = json.loads(urllib.request.urlopen(f"{url}/history/{prompt_id}").read())
    image = history[prompt_id]["outputs"]["save"]["images"][0]
    urllib.request.urlopen(f"{url}/view?{urllib.parse.urlencode(image)}").read()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()

    import torch

    from studio.generate import DiffusersGenerator, builtin_model_ref
    from studio.services import Studio
    from studio.services.generation import CreateRequest
    from studio.store.library import Library
    from tests.helpers.standin_nodes import Files
    from tests.helpers.standin_server import StandInComfyUI

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tiny = builtin_model_ref(root / "data")
        files = Files(checkpoints={"studio-tiny.safetensors": tiny}, loras={}, input_dir=root / "server" / "input")
        server = StandInComfyUI(root / "server", DiffusersGenerator(root / "data"), files)
        url = server.start()
        studio = Studio(Library.open(root / "lib"), data_folder=root / "data")
        studio.engines.add("box", url)
        studio.engines.link("box", "studio-tiny.safetensors", model="studio-tiny")
        studio.use_engine("comfyui:box")
        create = CreateRequest(mode="txt2img", prompt="a lighthouse on a cliff at dusk", seed=3, steps=args.steps,
                               width=args.size, height=args.size)
        studio.generation.create(create)  # warm: model loaded on the server, server checked
        graph = server.prompts[-1]["prompt"]
        _direct(url, graph)
        direct, remote = [], []
        for _ in range(args.rounds):
            direct.append(_direct(url, graph))
            started = time.perf_counter()
            studio.generation.create(create, on_progress=lambda p: None)
            remote.append(time.perf_counter() - started)
        studio.close()
        server.stop()
    d, r = statistics.median(direct), statistics.median(remote)
    print(f"{machine()}; txt2img {args.size}x{args.size}, {args.steps} steps, {args.rounds} rounds alternating\n")
    print(markdown_table([
        ["direct POST /prompt + ws + /history + /view", f"{d * 1000:.0f} ms", "1.000"],
        ["studio --engine comfyui (license check, progress, PNG + rows)", f"{r * 1000:.0f} ms", f"**{r / d:.3f}**"],
    ], ["side", "wall per image (median)", "ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
