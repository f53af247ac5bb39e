"""Full-size Stable Diffusion single-file checkpoints with random weights, written in code (for benchmarks).

The layout is the real one: the studio's bundled configs for SD 1.x or SDXL give every tensor's shape, the
diffusers names are renamed to the original (LDM) keys the way tests/helpers/ldm_layout.py does (plus SDXL's
label embedding, its two text encoders under `conditioner.embedders.N`, and OpenCLIP's fused attention
projections), and the file is streamed tensor by tensor, so writing a 7 GB SDXL file needs little memory.
Values: weights N(0, 1/fan_in), norm scales 1, biases 0, so activations stay finite.
"""

from __future__ import annotations

import json
import re
import struct
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script as well as imported
    sys.path.insert(0, str(REPO))

from tests.helpers.ldm_layout import text_encoder_to_ldm, unet_to_ldm, vae_to_ldm  # noqa: E402

_BLOCK = 1 << 26  # more than the largest tensor (SDXL's second text encoder's token embedding)
_SAFETENSORS_DTYPE = {"float16": "F16", "bfloat16": "BF16", "float32": "F32"}


def checkpoint_shapes(arch: str, config: Path) -> dict[str, tuple[int, ...]]:
    """LDM key -> shape for a full-size `arch` ("sd1" or "sdxl") model described by the configs folder."""
    import torch
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    with torch.device("meta"):
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(config / "unet"))
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(config / "vae"))
        text = CLIPTextModel(CLIPTextConfig.from_pretrained(config / "text_encoder"))
        text_2 = (CLIPTextModelWithProjection(CLIPTextConfig.from_pretrained(config / "text_encoder_2"))
                  if arch == "sdxl" else None)
    unet_state = unet.state_dict()
    extra = {}
    for part, index in (("linear_1", 0), ("linear_2", 2)):
        for kind in ("weight", "bias"):
            value = unet_state.pop(f"add_embedding.{part}.{kind}", None)
            if value is not None:
                extra[f"model.diffusion_model.label_emb.0.{index}.{kind}"] = value
    config_u = unet.config
    with_attention = {i for i, kind in enumerate(config_u.up_block_types) if "CrossAttn" in kind}
    state = unet_to_ldm(unet_state, config_u.layers_per_block, with_attention) | extra
    state |= vae_to_ldm(vae.state_dict(), len(vae.config.block_out_channels))
    text_state = text_encoder_to_ldm(text.state_dict())
    if text_2 is None:
        state |= text_state
    else:
        prefix = "cond_stage_model.transformer."
        state |= {"conditioner.embedders.0.transformer." + k[len(prefix):]: v for k, v in text_state.items()}
        state |= {f"conditioner.embedders.1.model.{k}": v for k, v in _open_clip(text_2.state_dict()).items()}
    return {key: tuple(value.shape) for key, value in state.items() if not key.endswith("position_ids")}


def _open_clip(state: dict[str, Any]) -> dict[str, Any]:
    """A CLIPTextModelWithProjection's tensors under OpenCLIP's names (q, k, v fused into in_proj)."""
    import torch

    out: dict[str, Any] = {}
    fused: dict[str, list[Any]] = {}
    fixed = {"text_model.embeddings.token_embedding.weight": "token_embedding.weight",
             "text_model.embeddings.position_embedding.weight": "positional_embedding",
             "text_model.final_layer_norm.weight": "ln_final.weight",
             "text_model.final_layer_norm.bias": "ln_final.bias",
             "text_projection.weight": "text_projection"}
    for key, value in state.items():
        if key in fixed:
            out[fixed[key]] = value
            continue
        m = re.match(r"text_model\.encoder\.layers\.(\d+)\.(.+)", key)
        if not m:
            continue
        layer, rest = m[1], m[2]
        if q := re.match(r"self_attn\.([qkv])_proj\.(weight|bias)", rest):
            fused.setdefault(f"transformer.resblocks.{layer}.attn.in_proj_{q[2]}", []).append(value)
            continue
        rest = (rest.replace("self_attn.out_proj", "attn.out_proj").replace("layer_norm1", "ln_1")
                .replace("layer_norm2", "ln_2").replace("mlp.fc1", "mlp.c_fc").replace("mlp.fc2", "mlp.c_proj"))
        out[f"transformer.resblocks.{layer}.{rest}"] = value
    for key, parts in fused.items():
        out[key] = torch.cat(parts)
    return out


def write_checkpoint(path: Path, shapes: dict[str, tuple[int, ...]], *, dtype: str = "float16",
                     seed: int = 0) -> int:
    """Stream random tensors of `shapes` into a .safetensors file; returns its size in bytes."""
    import torch

    torch_dtype = getattr(torch, dtype)
    item = torch.tensor([], dtype=torch_dtype).element_size()
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    keys = sorted(shapes)
    for key in keys:
        count = 1
        for side in shapes[key]:
            count *= side
        header[key] = {"dtype": _SAFETENSORS_DTYPE[dtype], "shape": list(shapes[key]),
                       "data_offsets": [offset, offset + count * item]}
        offset += count * item
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    # Drawing 3.5 billion normal numbers takes minutes on two cores: draw one block and scale slices of it.
    generator = torch.Generator().manual_seed(seed)
    block = torch.randn(_BLOCK, generator=generator).to(torch_dtype)
    start = 0
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(raw)))
        handle.write(raw)
        for key in keys:
            shape = shapes[key]
            count = header[key]["data_offsets"][1] // item - header[key]["data_offsets"][0] // item
            if count > _BLOCK - start:
                start = 0
            tensor = _values(key, shape, block[start:start + count]).to(torch_dtype).contiguous()
            start = (start + count + 7919) % (_BLOCK // 2)
            handle.write(tensor.view(torch.uint8).numpy().data)
    return path.stat().st_size


def _values(key: str, shape: tuple[int, ...], normal: Any) -> Any:
    import torch

    name = key.rsplit(".", 1)[-1]
    if len(shape) == 1 and name == "bias":
        return torch.zeros(shape)
    if len(shape) == 1 and re.search(r"norm|ln_|\.gn\.", key):
        return torch.ones(shape)
    fan_in = 1
    for side in shape[1:]:
        fan_in *= side
    scale = 0.02 if len(shape) <= 1 or "embedding" in key else fan_in ** -0.5
    return (normal * scale).reshape(shape)
