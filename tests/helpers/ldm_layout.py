"""Rename a diffusers SD-1.x-layout pipeline's weights to the original single-file (LDM) key layout.

Used to build the single-file checkpoint the tests load: UNet keys go under `model.diffusion_model.`, VAE keys
under `first_stage_model.`, CLIP text keys under `cond_stage_model.transformer.text_model.`; the VAE's
attention projections become 1x1 convolutions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_UNET_RESNET = {"norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
                "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"}
_VAE_ATTENTION = {"group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out"}


def unet_to_ldm(state: dict[str, Any], layers_per_block: int, up_blocks_with_attention: set[int]) -> dict[str, Any]:
    per = layers_per_block + 1
    out = {}
    for key, value in state.items():
        new = _unet_key(key, per, up_blocks_with_attention)
        out[f"model.diffusion_model.{new}"] = value
    return out


def _unet_key(key: str, per: int, up_attn: set[int]) -> str:
    fixed = {"conv_in.": "input_blocks.0.0.", "time_embedding.linear_1.": "time_embed.0.",
             "time_embedding.linear_2.": "time_embed.2.", "conv_norm_out.": "out.0.", "conv_out.": "out.2."}
    for prefix, target in fixed.items():
        if key.startswith(prefix):
            return target + key[len(prefix):]

    def up_conv(m: re.Match[str]) -> str:
        i = int(m[1])
        return f"output_blocks.{per * i + per - 1}.{2 if i in up_attn else 1}.conv.{m[2]}"

    return _renamed(key, (
        (r"down_blocks\.(\d+)\.resnets\.(\d+)\.(\w+)\.(.+)",
         lambda m: f"input_blocks.{per * int(m[1]) + int(m[2]) + 1}.0.{_UNET_RESNET[m[3]]}.{m[4]}"),
        (r"down_blocks\.(\d+)\.attentions\.(\d+)\.(.+)",
         lambda m: f"input_blocks.{per * int(m[1]) + int(m[2]) + 1}.1.{m[3]}"),
        (r"down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)",
         lambda m: f"input_blocks.{per * (int(m[1]) + 1)}.0.op.{m[2]}"),
        (r"up_blocks\.(\d+)\.resnets\.(\d+)\.(\w+)\.(.+)",
         lambda m: f"output_blocks.{per * int(m[1]) + int(m[2])}.0.{_UNET_RESNET[m[3]]}.{m[4]}"),
        (r"up_blocks\.(\d+)\.attentions\.(\d+)\.(.+)",
         lambda m: f"output_blocks.{per * int(m[1]) + int(m[2])}.1.{m[3]}"),
        (r"up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)", up_conv),
        (r"mid_block\.resnets\.(\d)\.(\w+)\.(.+)",
         lambda m: f"middle_block.{2 * int(m[1])}.{_UNET_RESNET[m[2]]}.{m[3]}"),
        (r"mid_block\.attentions\.0\.(.+)", lambda m: f"middle_block.1.{m[1]}"),
    ))


def _renamed(key: str, rules: tuple[tuple[str, Callable[[re.Match[str]], str]], ...], keep: bool = False) -> str:
    """The new name from the first rule whose pattern matches `key`; `key` itself (with `keep`) or KeyError when
    none does."""
    for pattern, rename in rules:
        if m := re.match(pattern, key):
            return rename(m)
    if keep:
        return key
    raise KeyError(key)


def vae_to_ldm(state: dict[str, Any], num_blocks: int) -> dict[str, Any]:
    out = {}
    for key, value in state.items():
        new = _vae_key(key, num_blocks)
        if re.search(r"mid\.attn_1\.(q|k|v|proj_out)\.weight$", new):
            value = value.reshape(*value.shape, 1, 1)
        out[f"first_stage_model.{new}"] = value
    return out


def _vae_key(key: str, num_blocks: int) -> str:
    key = key.replace("conv_norm_out.", "norm_out.").replace("conv_shortcut.", "nin_shortcut.")
    return _renamed(key, (
        (r"(encoder|decoder)\.mid_block\.resnets\.(\d)\.(.+)", lambda m: f"{m[1]}.mid.block_{int(m[2]) + 1}.{m[3]}"),
        (r"(encoder|decoder)\.mid_block\.attentions\.0\.(.+?)\.(weight|bias)$",
         lambda m: f"{m[1]}.mid.attn_1.{_VAE_ATTENTION[m[2]]}.{m[3]}"),
        (r"encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.+)", lambda m: f"encoder.down.{m[1]}.block.{m[2]}.{m[3]}"),
        (r"encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.+)",
         lambda m: f"encoder.down.{m[1]}.downsample.conv.{m[2]}"),
        (r"decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.+)",
         lambda m: f"decoder.up.{num_blocks - 1 - int(m[1])}.block.{m[2]}.{m[3]}"),
        (r"decoder\.up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.+)",
         lambda m: f"decoder.up.{num_blocks - 1 - int(m[1])}.upsample.conv.{m[2]}"),
    ), keep=True)


def text_encoder_to_ldm(state: dict[str, Any]) -> dict[str, Any]:
    return {f"cond_stage_model.transformer.text_model.{k.removeprefix('text_model.')}": v for k, v in state.items()}


def pipeline_to_ldm(pipe: Any) -> dict[str, Any]:
    unet_config = pipe.unet.config
    with_attention = {i for i, kind in enumerate(unet_config.up_block_types) if "CrossAttn" in kind}
    state = unet_to_ldm(pipe.unet.state_dict(), unet_config.layers_per_block, with_attention)
    state |= vae_to_ldm(pipe.vae.state_dict(), len(pipe.vae.config.block_out_channels))
    state |= text_encoder_to_ldm(pipe.text_encoder.state_dict())
    return {k: v.contiguous() for k, v in state.items()}
