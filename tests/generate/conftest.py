"""Session fixtures for the generation engine: the built-in tiny model, parent images, LoRAs, a single-file
checkpoint in the original layout, all built in code into the session's temporary folder."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import torch
from gen_helpers import SIZE
from PIL import Image

from studio.generate import GenerationRequest, ModelRef, builtin_model_ref, inspect_model
from studio.generate.models import ModelInfo
from tests.helpers.ldm_layout import pipeline_to_ldm

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def gen_data_dir(generator_data_dir: Path) -> Path:
    return generator_data_dir


@pytest.fixture(scope="session")
def tiny(gen_data_dir: Path) -> ModelRef:
    return builtin_model_ref(gen_data_dir)


@pytest.fixture(scope="session")
def make_request(tiny: ModelRef) -> Callable[..., GenerationRequest]:
    def make(**changes: Any) -> GenerationRequest:
        base = GenerationRequest(mode="txt2img", prompt="a quiet lake at dawn", model=tiny, seed=7, steps=4,
                                 guidance=5.0, width=SIZE, height=SIZE)
        return replace(base, **changes)

    return make


@pytest.fixture(scope="session")
def parents(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three distinct 64x64 parent images (smooth gradients in different colours)."""
    folder = tmp_path_factory.mktemp("parents")
    paths = []
    ramp = np.linspace(0, 255, SIZE, dtype=np.float64)
    for i, colour in enumerate(((255, 80, 20), (20, 120, 255), (40, 220, 90))):
        pixels = np.stack([np.outer(ramp, np.ones(SIZE)) * c / 255 for c in colour], axis=-1)
        if i == 1:
            pixels = pixels.transpose(1, 0, 2)
        path = folder / f"parent{i}.png"
        Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def mask_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """White (repaint) square in the middle of a black 64x64 mask."""
    mask = Image.new("L", (SIZE, SIZE), 0)
    mask.paste(255, (16, 16, 48, 48))
    path = tmp_path_factory.mktemp("mask") / "mask.png"
    mask.save(path)
    return path


@pytest.fixture(scope="session")
def tiny_pipeline(tiny: ModelRef) -> Any:
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(tiny.path, local_files_only=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@pytest.fixture(scope="session")
def lora_files(tiny: ModelRef, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same random rank-4 LoRA saved twice: in diffusers/PEFT layout and in kohya layout."""
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict
    from safetensors.torch import save_file

    unet = UNet2DConditionModel.from_pretrained(tiny.path, subfolder="unet", local_files_only=True)
    rank = 4
    unet.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=["to_q", "to_k", "to_v", "to_out.0"]),
                     adapter_name="fixture")
    generator = torch.Generator().manual_seed(123)
    with torch.no_grad():
        for name, param in unet.named_parameters():
            if "lora_" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * 0.3)
    state = get_peft_model_state_dict(unet, adapter_name="fixture")
    folder = tmp_path_factory.mktemp("loras")
    diffusers_dir = folder / "style-diffusers"
    StableDiffusionPipeline.save_lora_weights(diffusers_dir, unet_lora_layers=state)

    kohya: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        m = re.match(r"(?:unet\.)?(.+)\.lora_([AB])\.weight$", key)
        assert m, key
        module = "lora_unet_" + m[1].replace(".", "_")
        kohya[f"{module}.lora_{'down' if m[2] == 'A' else 'up'}.weight"] = value.contiguous()
        kohya[f"{module}.alpha"] = torch.tensor(float(rank))
    kohya_file = folder / "style-kohya.safetensors"
    save_file(kohya, kohya_file, metadata={"ss_network_module": "networks.lora"})
    return {"diffusers": diffusers_dir, "kohya": kohya_file}


@pytest.fixture(scope="session")
def lora_infos(lora_files: dict[str, Path]) -> dict[str, ModelInfo]:
    return {kind: inspect_model(path) for kind, path in lora_files.items()}


@pytest.fixture(scope="session")
def single_file_checkpoint(tiny_pipeline: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built-in model's weights as one .safetensors file in the original LDM key layout."""
    from safetensors.torch import save_file

    path = tmp_path_factory.mktemp("checkpoints") / "tiny-ldm.safetensors"
    save_file(pipeline_to_ldm(tiny_pipeline), path)
    return path


@pytest.fixture(scope="session")
def family_refs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModelRef]:
    """Tiny FLUX.1 [schnell], FLUX.1 [dev], SD3.5-style and Qwen-Image diffusers folders, registered by inspection."""
    from family_models import FAMILY_ARCHS, build_family

    root = tmp_path_factory.mktemp("families")
    refs = {}
    for arch in FAMILY_ARCHS:
        info = inspect_model(build_family(arch, root / arch))
        refs[arch] = info.model_ref(f"model-{arch}")
    return refs
