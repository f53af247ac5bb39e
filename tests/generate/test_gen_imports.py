"""Importing the generation package (and metadata) must not import torch or the diffusion libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
import studio.generate, studio.metadata
from studio.generate import GenerationRequest, ModelRef, inspect_model
from studio.metadata import embed_png, read_png_recipe
request = GenerationRequest(mode="txt2img", prompt="x", seed=1, steps=2, guidance=1.0, width=64, height=64,
                            model=ModelRef(id="m", path="/nowhere", arch="sd1", sha256="ab", name="m"))
GenerationRequest.from_dict(json.loads(json.dumps(request.to_dict())))
heavy = ["torch", "diffusers", "transformers", "peft", "accelerate", "safetensors", "huggingface_hub"]
print(json.dumps([m for m in heavy if m in sys.modules]))
"""


def test_importing_the_package_does_not_import_torch():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


QUIET_RUN = """
import sys, torch
from pathlib import Path
torch.set_num_threads(1)
from studio.generate import DiffusersGenerator, GenerationRequest, builtin_model_ref, inspect_model
data, lora, checkpoint = (Path(a) for a in sys.argv[1:4])
engine = DiffusersGenerator(data)
for model in (builtin_model_ref(data), inspect_model(checkpoint).model_ref("single")):
    request = GenerationRequest(mode="txt2img", prompt="x", model=model, seed=1, steps=2, guidance=5.0, width=64,
                                height=64, scheduler="euler_ancestral",
                                loras=(inspect_model(lora).lora_ref("l", 0.5),))
    engine.run(request)
print("done")
"""


def test_a_generation_prints_nothing_on_stderr(gen_data_dir, tiny, lora_files, single_file_checkpoint):
    """No progress bars, no library chatter: loads, a LoRA and a single-file checkpoint included."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    args = [sys.executable, "-c", QUIET_RUN, str(gen_data_dir), str(lora_files["kohya"]), str(single_file_checkpoint)]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "done", "")
