"""The built-in emoji model's parts: the real diffusers/transformers classes, built from `configs/studio-emoji`.

Stable Diffusion's layout at small widths: a 3-level AutoencoderKL (64 px -> 16×16×4 latents, 4x down), a
12.6 M-weight UNet2DConditionModel with cross-attention at 16×16 and 8×8, and a 4-layer, 128-wide CLIPTextModel
read through the real CLIP tokenizer. Stored in fp16 safetensors the whole model is about 47 MB. `tiny=True`
shrinks every width so a full training run finishes in seconds on a CPU (tests only).
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    AutoencoderKL,
    DDPMScheduler,
    EulerDiscreteScheduler,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

from studio.generate.model_configs import config_folder, read_config

ARCH = "studio-emoji"
WEIGHT_SUFFIXES = (".safetensors",)
_TINY_UNET = {"block_out_channels": [32, 32, 64], "layers_per_block": 1, "cross_attention_dim": 32}
_TINY_VAE = {"block_out_channels": [32, 32, 32]}
_TINY_TEXT = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "projection_dim": 32}


@dataclass
class EmojiModel:
    unet: Any
    vae: Any
    text_encoder: Any
    tokenizer: Any
    noise_scheduler: Any
    configs: dict[str, dict[str, Any]]


def model_configs(tiny: bool = False) -> dict[str, dict[str, Any]]:
    """The architecture's configs (unet, vae, text_encoder, scheduler), shrunk when `tiny`."""
    configs = {name: read_config(ARCH, name) for name in ("unet", "vae", "text_encoder", "scheduler")}
    if tiny:
        configs["unet"].update(_TINY_UNET)
        configs["vae"].update(_TINY_VAE)
        configs["text_encoder"].update(_TINY_TEXT)
    return configs


def build_model(cache_root: Path, tiny: bool = False) -> EmojiModel:
    """Fresh, randomly initialised parts (call torch.manual_seed first for a reproducible start)."""
    configs = model_configs(tiny)
    tokenizer = CLIPTokenizer.from_pretrained(config_folder(ARCH, cache_root) / "tokenizer")
    unet = UNet2DConditionModel.from_config(configs["unet"])
    vae = AutoencoderKL.from_config(configs["vae"])
    text_encoder = CLIPTextModel(CLIPTextConfig(**configs["text_encoder"]))
    # Training adds noise with the same betas the shipped Euler sampler removes it with.
    noise_scheduler = DDPMScheduler.from_config(configs["scheduler"])
    return EmojiModel(unet, vae, text_encoder, tokenizer, noise_scheduler, configs)


def tokenize(tokenizer: Any, captions: list[str]) -> torch.Tensor:
    """Token ids padded to the tokenizer's length, exactly as StableDiffusionPipeline feeds its text encoder."""
    return tokenizer(captions, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                     return_tensors="pt").input_ids


def save_pipeline(model: EmojiModel, unet: Any, text_encoder: Any, folder: Path) -> dict[str, str]:
    """Write the diffusers folder (weights in fp16) and return each weight file's sha256 by relative path."""
    if folder.exists():
        shutil.rmtree(folder)
    parts = {name: copy.deepcopy(m).to("cpu", torch.float16) for name, m in
             (("unet", unet), ("vae", model.vae), ("text_encoder", text_encoder))}
    pipe = StableDiffusionPipeline(
        vae=parts["vae"], text_encoder=parts["text_encoder"], tokenizer=model.tokenizer, unet=parts["unet"],
        scheduler=EulerDiscreteScheduler.from_config(model.configs["scheduler"]),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)
    return weight_hashes(folder)


def weight_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.suffix in WEIGHT_SUFFIXES}


def quiet_libraries() -> None:
    """No progress bars or advice lines from diffusers/transformers in training logs and benchmark output."""
    import diffusers
    import transformers

    diffusers.utils.logging.set_verbosity_error()
    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


def load_pipeline(folder: Path, device: str = "cpu") -> Any:
    """The trained folder as a StableDiffusionPipeline in fp32 on `device`."""
    quiet_libraries()
    pipe = StableDiffusionPipeline.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)
