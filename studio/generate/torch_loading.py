"""Loading a single-file checkpoint one component at a time, in the target dtype, so that memory holds the
model once; and keeping a loaded pipeline's weights in one dtype while it computes in another.

diffusers' own `from_single_file` reads the whole checkpoint into memory and converts each component from it:
the peak is the file plus the converted model (an SDXL file of 6.9 GB loaded in float32 peaked at 21 GB). Here
each component's tensors are read from the file on their own, cast to the target dtype tensor by tensor, and
handed to the component's converter; the component's parameters then share those tensors, so nothing is held
twice. The file is read with plain reads rather than mapped: pages of a mapped file that have been touched
count in the process's resident memory for as long as the mapping lives. The pipeline is assembled from the
loaded components plus the tokenizers and scheduler of the bundled configs folder.

Layerwise casting (`cast_layerwise`) is for CPUs without native bfloat16: the pipeline is loaded in bfloat16
(half of float32's memory) and each Linear, Conv and Embedding layer is widened to float32 only for its own
forward pass (diffusers' layerwise-casting hooks), so the arithmetic runs on float32's fast path. The layers the
hooks leave alone (normalisations, the text encoders' embeddings) are small and are widened to float32 for
good, so every layer computes in float32.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path
from typing import Any

from studio.errors import InvalidInput
from studio.generate.models import ModelParts, read_safetensors_header
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

    pipe_cls = d.StableDiffusionXLPipeline if xl else d.StableDiffusionPipeline
    parts = _SDXL_PARTS if xl else _SD_PARTS
    encoders = {"text_encoder": t.CLIPTextModel, "text_encoder_2": t.CLIPTextModelWithProjection}
    components: dict[str, Any] = {}
    header = read_safetensors_header(path)
    keys = [k for k in header if k != "__metadata__"]
    with open(path, "rb") as handle:
        data_start = 8 + int.from_bytes(handle.read(8), "little")
        for name, prefixes in parts.items():
            state = _read(handle, data_start, header, [k for k in keys if k.startswith(prefixes)], dtype)
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


def load_parts(parts: ModelParts, *, dtype: Any) -> Any:
    """A transformer-family pipeline from its base folder with some components replaced by part files.

    The transformer and VAE go through diffusers' `from_single_file` with the base folder as their config (their
    original layouts are converted; diffusers-layout files load as they are); text encoders are transformers
    models, built from the base folder's config and given the file's tensors (Hugging Face layout)."""
    rt = runtime()
    d, t = rt.diffusers, rt.transformers
    index = d.DiffusionPipeline.load_config(str(parts.base), local_files_only=True)
    components: dict[str, Any] = {}
    for name, file in parts.files:
        entry = index.get(name)
        if not isinstance(entry, list) or len(entry) != 2 or entry[1] is None:
            raise InvalidInput(f"The base model has no {name} for {file.name} to replace",
                               hint="list only parts the base model's pipeline has")
        if name in ("transformer", "vae"):
            cls = getattr(d, entry[1])
            model = cls.from_single_file(str(file), config=str(parts.base), subfolder=name, local_files_only=True,
                                         torch_dtype=dtype)
        else:
            model = _text_encoder(getattr(t, entry[1]), parts.base / name, file, dtype)
        components[name] = model.eval()
    pipe_cls = getattr(d, str(index["_class_name"]))
    return pipe_cls.from_pretrained(str(parts.base), local_files_only=True, dtype=dtype, **components)


def _text_encoder(cls: Any, config_dir: Path, file: Path, dtype: Any) -> Any:
    from safetensors.torch import load_file

    config = cls.config_class.from_pretrained(str(config_dir), local_files_only=True)
    model = cls(config)
    state = load_file(str(file))
    _missing, unexpected = model.load_state_dict(state, strict=False)
    # Tied embeddings are stored once (T5's encoder.embed_tokens is `shared`), so only a fully absent model and
    # foreign tensors are errors.
    loaded = set(state) & set(model.state_dict())
    if unexpected or not loaded:
        raise InvalidInput(f"{file.name} does not hold {cls.__name__} weights ({len(unexpected)} unknown tensors)",
                           hint="use the text encoder file made for this model family")
    return model.to(dtype)


# diffusers' default skip patterns, plus the text encoders' embeddings: pipelines take the prompt embeddings'
# dtype from a text encoder's first parameter, which is its token embedding, so that one must hold the compute
# dtype. (UNet and VAE are diffusers models, whose own `enable_layerwise_casting` knows their patterns.)
_TEXT_ENCODER_SKIP = ("pos_embed", "patch_embed", "norm", "^proj_in$", "^proj_out$", "embeddings")
_LAYERWISE_HOOK = "layerwise_casting"
# glibc's mallopt parameter, and the size from which blocks are mapped (and so handed back when freed).
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_BYTES = 1 << 20


def cast_layerwise(pipe: Any, *, storage: Any, compute: Any) -> None:
    """Make every model of `pipe` (loaded in `storage`) keep its weights in `storage` and compute in `compute`."""
    rt = runtime()
    torch, d = rt.torch, rt.diffusers
    _hand_freed_blocks_back()
    for component in pipe.components.values():
        if not isinstance(component, torch.nn.Module):
            continue
        if isinstance(component, d.ModelMixin):
            component.enable_layerwise_casting(storage_dtype=storage, compute_dtype=compute)
        else:
            d.hooks.apply_layerwise_casting(component, storage_dtype=storage, compute_dtype=compute,
                                            skip_modules_pattern=_TEXT_ENCODER_SKIP)
        _widen_unhooked(component, compute)


def _hand_freed_blocks_back() -> None:
    """Keep weight-sized blocks out of the C heap, so that memory freed goes back to the system.

    The casting hooks allocate each layer's weights afresh around every forward pass. glibc raises its mmap
    threshold when a large mapped block is freed, after which weight-sized blocks come from the heap, and freed
    ones stay in the process, fragmented: bfloat16 weights of 500 MB grew the process by 300 MB after a few
    passes. A fixed threshold keeps them mapped (the process stayed within 25 MB). Other C libraries: no change.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)


def _widen_unhooked(model: Any, compute: Any) -> None:
    """Cast the parameters and buffers of the layers without a casting hook to `compute`, layer by layer."""
    for module in model.modules():
        registry = getattr(module, "_diffusers_hook", None)
        if registry is not None and registry.get_hook(_LAYERWISE_HOOK) is not None:
            continue
        for param in module.parameters(recurse=False):
            if param.is_floating_point() and param.dtype != compute:
                param.data = param.data.to(compute)
        for name, buffer in list(module.named_buffers(recurse=False)):
            if buffer.is_floating_point() and buffer.dtype != compute:
                module._buffers[name] = buffer.to(compute)


_DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
           "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool"}


def _read(handle: Any, data_start: int, header: dict[str, Any], keys: list[str], dtype: Any) -> dict[str, Any]:
    """The tensors under `keys`, floating-point ones cast to `dtype` one at a time."""
    torch = runtime().torch
    state = {}
    for key in keys:
        entry = header[key]
        start, end = entry["data_offsets"]
        kind = _DTYPES.get(entry["dtype"])
        if kind is None:
            raise InvalidInput(f"Tensor {key} has an unsupported type {entry['dtype']}",
                               hint="use a float16, bfloat16 or float32 checkpoint")
        handle.seek(data_start + start)
        raw = bytearray(handle.read(end - start))
        torch_kind = getattr(torch, kind)
        tensor = torch.frombuffer(raw, dtype=torch_kind) if raw else torch.empty(0, dtype=torch_kind)
        tensor = tensor.reshape(entry["shape"])
        state[key] = tensor.to(dtype) if tensor.is_floating_point() else tensor
    return state
