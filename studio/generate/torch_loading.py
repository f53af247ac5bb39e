"""Loading a single-file checkpoint one component at a time, in the target dtype, so that memory holds the
model once.

diffusers' own `from_single_file` reads the whole checkpoint into memory and converts each component from it:
the peak is the file plus the converted model (an SDXL file of 6.9 GB loaded in float32 peaked at 21 GB). Here
each component's tensors are read from the file on their own, cast to the target dtype tensor by tensor, and
handed to the component's converter; the component's parameters then share those tensors, so nothing is held
twice. The pipeline is assembled from the loaded components plus the tokenizers and scheduler of the bundled
configs folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.generate.torch_runtime import runtime

# Checkpoint key prefixes of each component, per pipeline family.
_SD_PARTS = {
    "unet": ("model.diffusion_model.",),
    "vae": ("first_stage_model.",),
    "text_encoder": ("cond_stage_model.",),
}
_SDXL_PARTS = {
    "unet": ("model.diffusion_model.",),
    "vae": ("first_stage_model.",),
    "text_encoder": ("conditioner.embedders.0.",),
    "text_encoder_2": ("conditioner.embedders.1.",),
}


def load_single_file(path: Path, *, xl: bool, config: Path, dtype: Any) -> Any:
    """A Stable Diffusion (or SDXL) pipeline from an original-layout `.safetensors` file, on the CPU."""
    rt = runtime()
    d, t = rt.diffusers, rt.transformers
    from diffusers.loaders.single_file_utils import create_diffusers_clip_model_from_ldm
    from safetensors import safe_open

    pipe_cls = d.StableDiffusionXLPipeline if xl else d.StableDiffusionPipeline
    parts = _SDXL_PARTS if xl else _SD_PARTS
    encoders = {"text_encoder": t.CLIPTextModel, "text_encoder_2": t.CLIPTextModelWithProjection}
    components: dict[str, Any] = {}
    with safe_open(str(path), framework="pt", device="cpu") as handle:
        keys = list(handle.keys())
        for name, prefixes in parts.items():
            state = _read(handle, [k for k in keys if k.startswith(prefixes)], dtype)
            if name == "unet":
                model = d.UNet2DConditionModel.from_single_file(
                    state, config=str(config), subfolder="unet", local_files_only=True, torch_dtype=dtype)
            elif name == "vae":
                model = d.AutoencoderKL.from_single_file(
                    state, config=str(config), subfolder="vae", local_files_only=True, torch_dtype=dtype)
            else:
                model = create_diffusers_clip_model_from_ldm(
                    encoders[name], state, subfolder=name, config=str(config), torch_dtype=dtype,
                    local_files_only=True)
            del state
            components[name] = model.eval()
    # The bundled configs name no safety checker, so only tokenizers and the scheduler are read from them.
    return pipe_cls.from_pretrained(str(config), local_files_only=True, **components)


def _read(handle: Any, keys: list[str], dtype: Any) -> dict[str, Any]:
    """The tensors under `keys`, floating-point ones cast to `dtype` one at a time."""
    state = {}
    for key in keys:
        tensor = handle.get_tensor(key)
        state[key] = tensor.to(dtype) if tensor.is_floating_point() else tensor
    return state
