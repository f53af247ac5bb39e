"""A trained LoRA as one .safetensors file, in the layout diffusers writes (PEFT keys under `unet.` and
`text_encoder.`) or the kohya layout most other tools read (`lora_unet_…` modules with `lora_down`/`lora_up` and
an `alpha`), with the provenance header. Written to a temporary name, flushed to the disk and renamed, so no half
file is ever seen, even after a crash."""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch
from safetensors.torch import save_file

from studio.store.files import fsync_path

_PEFT_KEY = re.compile(r"(.+)\.lora_([AB])\.weight$")
_KOHYA_PREFIX = {"unet": "lora_unet_", "text_encoder": "lora_te_"}
_KOHYA_PREFIX_XL = {"unet": "lora_unet_", "text_encoder": "lora_te1_"}


def save_lora(path: Path, adapters: dict[str, dict[str, torch.Tensor]], layout: str, rank: int,
              header: dict[str, str], *, xl: bool = False) -> Path:
    """Write `adapters` (part name -> PEFT state dict) to `path` in `layout` ("diffusers" or "kohya")."""
    if layout == "kohya":
        tensors = kohya_tensors(adapters, rank, xl=xl)
        header = {**header, "ss_network_module": "networks.lora", "ss_network_dim": str(rank),
                  "ss_network_alpha": str(rank)}
    else:
        tensors = {f"{part}.{key}": value for part, state in adapters.items() for key, value in state.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    save_file({k: v.contiguous() for k, v in tensors.items()}, partial, metadata=header)
    fsync_path(partial)
    os.replace(partial, path)
    fsync_path(path.parent)  # the rename too reaches the disk before the library records the file
    return path


def kohya_tensors(adapters: dict[str, dict[str, torch.Tensor]], rank: int, *,
                  xl: bool = False) -> dict[str, torch.Tensor]:
    prefixes = _KOHYA_PREFIX_XL if xl else _KOHYA_PREFIX
    out: dict[str, torch.Tensor] = {}
    for part, state in adapters.items():
        for key, value in state.items():
            match = _PEFT_KEY.match(key)
            if match is None:
                raise ValueError(f"unexpected adapter key {key}")
            module = prefixes[part] + match[1].replace(".", "_")
            out[f"{module}.lora_{'down' if match[2] == 'A' else 'up'}.weight"] = value
            out[f"{module}.alpha"] = torch.tensor(float(rank))
    return out
