"""A FLUX.1 [dev] model as split files, for the ComfyUI tests: a tiny diffusers model (what a stand-in server runs
for the part files' graph) and a parts manifest over it whose four part files carry headers that name them (what
proves a server's file is that part). The files hold a few zero tensors under the real key names: enough to be
registered as a FLUX.1 [dev] model, never loaded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

from studio.generate import ModelRef
from studio.generate.models import inspect_model
from tests.generate.family_models import build_family

# The names FLUX.1 [dev]'s split files are published under.
FLUX_DEV_FILES = {"transformer": "flux1-dev.safetensors", "text_encoder": "clip_l.safetensors",
                  "text_encoder_2": "t5xxl_fp16.safetensors", "vae": "ae.safetensors"}
_CONTENT = {
    "transformer": ({"double_blocks.0.img_attn.norm.key_norm.scale": (4,), "guidance_in.in_layer.weight": (4, 4)},
                    "tiny flux dev transformer"),
    "text_encoder": ({"text_model.encoder.layers.0.mlp.fc1.weight": (4, 4)}, "tiny clip_l"),
    "text_encoder_2": ({"encoder.block.0.layer.0.SelfAttention.k.weight": (4, 4)}, "tiny t5xxl"),
    "vae": ({"decoder.conv_in.weight": (4, 16, 3, 3)}, "tiny flux vae"),
}


@dataclass(frozen=True)
class FluxDevParts:
    model: ModelRef  # the diffusers model a stand-in runs for the transformer file
    manifest: Path
    headers: dict[str, dict[str, str]]  # server file name -> its safetensors header
    by_kind: dict[str, list[str]]  # server file names by kind (unet, clip, vae)


def build_flux_dev_parts(root: Path) -> FluxDevParts:
    base = build_family("flux1-dev", root / "base")
    headers = {}
    for part, filename in FLUX_DEV_FILES.items():
        keys, title = _CONTENT[part]
        header = {"format": "pt", "modelspec.title": title}
        save_file({k: np.zeros(s, dtype=np.float16) for k, s in keys.items()}, str(root / filename), metadata=header)
        headers[filename] = header
    manifest = root / "flux-dev.parts.json"
    manifest.write_text(json.dumps({"base": "base", "parts": FLUX_DEV_FILES}), encoding="utf-8")
    files = FLUX_DEV_FILES
    return FluxDevParts(inspect_model(base).model_ref("tiny-flux-dev-folder"), manifest, headers,
                        {"unet": [files["transformer"]], "clip": [files["text_encoder"], files["text_encoder_2"]],
                         "vae": [files["vae"]]})
