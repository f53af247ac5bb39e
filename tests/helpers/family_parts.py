"""A FLUX.1 [dev] or Qwen-Image model as split files, for the ComfyUI tests: a tiny diffusers model (what a
stand-in server runs for the part files' graph) and a parts manifest over it whose part files carry headers that
name them (what proves a server's file is that part). The files hold a few zero tensors under the real key names:
enough to be registered as a model of the family, never loaded."""

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
QWEN_IMAGE_FILES = {"transformer": "qwen_image_fp8_e4m3fn.safetensors",
                    "text_encoder": "qwen_2.5_vl_7b_fp8_scaled.safetensors", "vae": "qwen_image_vae.safetensors"}
_QWEN_CONTENT = {
    "transformer": ({"txt_norm.weight": (4,), "transformer_blocks.0.img_mod.1.weight": (4, 4)},
                    "tiny qwen-image transformer"),
    "text_encoder": ({"model.layers.0.self_attn.k_proj.bias": (4,)}, "tiny qwen2.5-vl"),
    "vae": ({"decoder.middle.0.residual.0.gamma": (4, 1, 1, 1)}, "tiny qwen-image vae"),
}
_CONTENT = {
    "transformer": ({"double_blocks.0.img_attn.norm.key_norm.scale": (4,), "guidance_in.in_layer.weight": (4, 4)},
                    "tiny flux dev transformer"),
    "text_encoder": ({"text_model.encoder.layers.0.mlp.fc1.weight": (4, 4)}, "tiny clip_l"),
    "text_encoder_2": ({"encoder.block.0.layer.0.SelfAttention.k.weight": (4, 4)}, "tiny t5xxl"),
    "vae": ({"decoder.conv_in.weight": (4, 16, 3, 3)}, "tiny flux vae"),
}


@dataclass(frozen=True)
class FamilyParts:
    model: ModelRef  # the diffusers model a stand-in runs for the transformer file
    manifest: Path
    headers: dict[str, dict[str, str]]  # server file name -> its safetensors header
    by_kind: dict[str, list[str]]  # server file names by kind (unet, clip, vae)


def build_flux_dev_parts(root: Path) -> FamilyParts:
    return build_parts("flux1-dev", root)


def build_parts(arch: str, root: Path) -> FamilyParts:
    """`arch` is flux1-dev or qwen-image."""
    names, content = (FLUX_DEV_FILES, _CONTENT) if arch == "flux1-dev" else (QWEN_IMAGE_FILES, _QWEN_CONTENT)
    base = build_family(arch, root / "base")
    headers = {}
    for part, filename in names.items():
        keys, title = content[part]
        header = {"format": "pt", "modelspec.title": title}
        save_file({k: np.zeros(s, dtype=np.float16) for k, s in keys.items()}, str(root / filename), metadata=header)
        headers[filename] = header
    manifest = root / f"{arch}.parts.json"
    manifest.write_text(json.dumps({"base": "base", "parts": names}), encoding="utf-8")
    clips = [names[p] for p in ("text_encoder", "text_encoder_2") if p in names]
    return FamilyParts(inspect_model(base).model_ref(f"tiny-{arch}-folder"), manifest, headers,
                        {"unet": [names["transformer"]], "clip": clips, "vae": [names["vae"]]})
