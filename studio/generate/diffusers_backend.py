"""The local generation engine on diffusers: the only module that imports torch, diffusers, transformers or peft,
and only inside functions, so importing `studio.generate` stays cheap.

Modes:
- txt2img: the model's text-to-image pipeline.
- img2img: the parent is fitted to the requested size (scaled to cover, centre-cropped) and denoised from
  `strength`; the pipeline runs `int(steps * strength)` steps and progress reports that reduced count.
- inpaint: diffusers' inpainting pipeline (a 9-channel inpainting UNet is used as such; a plain 4-channel UNet
  gets the unmasked latents replaced by the parent's at every step). Because the VAE does not reproduce the
  parent exactly, the decoded result is then composited onto the parent through the binarised mask (white =
  repaint), so every unmasked pixel is the parent's own.
- blend: every parent is fitted to the requested size, the parents are averaged pixel by pixel with the
  normalised blend weights, and the average is run through img2img at `strength`.

Loaded pipelines are cached by model sha256; the LoRA set applied to a cached model is tracked with it, so a
second generation with the same model and LoRAs loads nothing (weights alone change through `set_adapters`).
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from studio.core.modes import Mode
from studio.errors import InvalidInput, StudioError
from studio.generate.devices import DevicePlan, check_device, check_dtype, plan, weight_count
from studio.generate.families import FAMILIES, Family, check_pipeline_available, family
from studio.generate.load_errors import first_line, load_failure, software_fault
from studio.generate.model_configs import config_folder
from studio.generate.models import read_parts
from studio.generate.request import (
    Cancelled,
    GenerationRequest,
    GenerationResult,
    LoraRef,
    ModelRef,
    Progress,
    ProgressCallback,
)
from studio.generate.torch_loading import cast_layerwise, load_parts, load_single_file
from studio.generate.torch_preview import Preview, preview_for
from studio.generate.torch_runtime import probe
from studio.generate.torch_runtime import runtime as _runtime

# At most about four live previews a second: enough to watch the image form. An interval of 0 previews every
# step but the last, whatever the cost (tests).
PREVIEW_INTERVAL_S = 0.25
# diffusers scheduler class and config overrides for each studio scheduler id (see studio.metadata.samplers).
SCHEDULERS: dict[str, tuple[str, dict[str, Any]]] = {
    "euler": ("EulerDiscreteScheduler", {}),
    "euler_ancestral": ("EulerAncestralDiscreteScheduler", {}),
    "heun": ("HeunDiscreteScheduler", {}),
    "ddim": ("DDIMScheduler", {}),
    "pndm": ("PNDMScheduler", {"skip_prk_steps": True}),
    "dpmpp_2m": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2,
                                                 "use_karras_sigmas": False}),
    "dpmpp_2m_karras": ("DPMSolverMultistepScheduler", {"algorithm_type": "dpmsolver++", "solver_order": 2,
                                                        "use_karras_sigmas": True}),
    "uni_pc": ("UniPCMultistepScheduler", {}),
    "lcm": ("LCMScheduler", {}),
}

# Pipeline families with an SD-style UNet that the AutoPipeline classes can switch between modes.
_UNET_PIPELINES = ("StableDiffusion", "LatentConsistencyModel")
# Live previews may take at most this share of a generation's time: a VAE decode can cost as much as a step.
PREVIEW_BUDGET = 0.04


@dataclass
class _Loaded:
    """A model in memory: its text-to-image pipeline, the pipelines made from it, and its LoRA state."""

    base: Any
    arch: str
    plan: DevicePlan
    preview: Preview | None  # None: the family's latents are packed into tokens, so steps report no preview
    scheduler_class: type
    scheduler_config: dict[str, Any]
    default_scheduler: str
    inpaint_only: bool
    pipes: dict[str, Any] = field(default_factory=dict)
    adapters: dict[str, str] = field(default_factory=dict)  # adapter name -> LoRA sha256
    preview_cost_s: float = 0.0  # what the last preview took to make, the estimate of the next one's cost



class DiffusersGenerator:
    """Runs `GenerationRequest`s on local diffusers pipelines (implements `studio.generate.Generator`).

    `data_dir` holds the unpacked configs for single-file checkpoints. `device`, `dtype` (the compute dtype) and
    `storage_dtype` (the weights' dtype between layers) are preferences ("auto" picks per model and machine, see
    `studio.generate.devices`); the device and dtypes a model really runs in go into each result's recipe. One
    generation runs at a time; `loads` and `lora_loads` count reads from disk, so callers (and tests) can see
    the cache working.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        device: str = "auto",
        dtype: str = "auto",
        storage_dtype: str = "auto",
        preview_interval_s: float = PREVIEW_INTERVAL_S,
        max_cached_models: int = 1,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.device = check_device(device)
        self.dtype = check_dtype(dtype)
        self.storage_dtype = check_dtype(storage_dtype)
        self.preview_interval_s = max(0.0, preview_interval_s)
        self.max_cached_models = max(1, max_cached_models)
        self.loads = 0
        self.lora_loads = 0
        self._cache: OrderedDict[str, _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    # -- public -------------------------------------------------------------------------------------------

    def run(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        request.check_files()
        with self._lock:
            _raise_if_cancelled(cancel)
            started = time.perf_counter()
            rt = _runtime()
            fam = family(request.model.arch)
            if fam is not None:
                check_pipeline_available(fam.arch, request.mode,
                                         {n for n in set(fam.pipelines.values()) if hasattr(rt.diffusers, n)})
            loaded = self._model(request.model)
            if loaded.inpaint_only and request.mode is not Mode.inpaint:
                raise InvalidInput(f"{request.model.name} is an inpainting model", hint="use it for inpaint only")
            self._apply_loras(loaded, request.loras)
            pipe = self._pipe(loaded, request.mode)
            scheduler_id = request.scheduler or loaded.default_scheduler
            pipe.scheduler = self._scheduler(loaded, request.scheduler)
            kwargs, parent, mask = self._inputs(request)
            applied = _family_inputs(fam, request, pipe, kwargs) if fam is not None else {}
            steps_run = 0
            # Previews are throttled by time, not steps, and kept within a budget of the run's time: a decode and
            # a frame to the window can cost as much as a step of a small model, and the last step's preview would
            # only be replaced by the image itself. Without a progress callback nothing is decoded at all.
            denoising_started = last_preview = time.perf_counter()
            preview_spent = 0.0

            def preview_due(step: int, total: int, now: float) -> bool:
                if step >= total or now - last_preview < self.preview_interval_s:
                    return False
                budget = PREVIEW_BUDGET * (now - denoising_started)
                return preview_spent + loaded.preview_cost_s <= budget or self.preview_interval_s == 0

            def on_step(p: Any, index: int, _timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
                nonlocal steps_run, last_preview, preview_spent
                steps_run = index + 1
                _raise_if_cancelled(cancel)
                if on_progress is not None:
                    preview = None
                    now = time.perf_counter()
                    if loaded.preview is not None and preview_due(steps_run, p.num_timesteps, now):
                        preview = loaded.preview(tensors["latents"])
                        last_preview = time.perf_counter()
                        loaded.preview_cost_s = last_preview - now
                        preview_spent += loaded.preview_cost_s
                    on_progress(Progress(steps_run, p.num_timesteps, preview))
                return tensors

            with rt.torch.inference_mode():
                image = pipe(
                    **kwargs,
                    callback_on_step_end=on_step,
                    callback_on_step_end_tensor_inputs=["latents"],
                ).images[0]
            _raise_if_cancelled(cancel)
            if mask is not None:
                image = Image.composite(image.convert("RGB"), parent, mask)
            recipe = request.to_recipe(software=rt.software, scheduler=scheduler_id)
            # Pixels are reproducible per device and dtypes, so they belong to how the image was made.
            recipe = replace(recipe, extra={**recipe.extra, "device": loaded.plan.device, "dtype": loaded.plan.dtype,
                                            "storage_dtype": loaded.plan.storage_dtype, **applied})
            return GenerationResult(image, recipe, time.perf_counter() - started, steps_run)

    def plan_for(self, ref: ModelRef) -> DevicePlan:
        """Where and how `ref` runs (or would run) with this generator's preferences, on this machine now."""
        loaded = self._cache.get(ref.sha256)
        if loaded is not None:
            return loaded.plan
        return plan(self.device, self.dtype, ref.arch, weight_count(ref.path), probe(), self.storage_dtype)

    def close(self) -> None:
        """Drop every cached pipeline."""
        with self._lock:
            self._cache.clear()
            self._release_memory()

    # -- models and pipelines -----------------------------------------------------------------------------

    def _model(self, ref: ModelRef) -> _Loaded:
        loaded = self._cache.get(ref.sha256)
        if loaded is not None:
            self._cache.move_to_end(ref.sha256)
            return loaded
        while len(self._cache) >= self.max_cached_models:
            self._cache.popitem(last=False)
            self._release_memory()
        device_plan = self.plan_for(ref)
        if not device_plan.fits:
            raise InvalidInput(f"{ref.name} does not fit this machine: {device_plan.notes[-1]}",
                               hint="free memory, or change the device or the storage dtype, then try again")
        base = self._load(ref, device_plan)
        self.loads += 1
        base.set_progress_bar_config(disable=True)
        default = next(
            (sid for sid, (cls, extra) in SCHEDULERS.items() if cls == type(base.scheduler).__name__ and not extra),
            type(base.scheduler).__name__,
        )
        unet = getattr(base, "unet", None)
        loaded = _Loaded(
            base=base,
            arch=ref.arch,
            plan=device_plan,
            preview=_preview(ref.arch, base),
            scheduler_class=type(base.scheduler),
            scheduler_config=dict(base.scheduler.config),
            default_scheduler=default,
            inpaint_only=unet is not None and unet.config.in_channels != 4,
        )
        self._cache[ref.sha256] = loaded
        return loaded

    def _load(self, ref: ModelRef, device_plan: DevicePlan) -> Any:
        rt = _runtime()
        dtype = getattr(rt.torch, device_plan.storage_dtype)
        try:
            if ref.path.is_dir():
                pipe = self._load_folder(ref.path, dtype)
            elif ref.path.suffix.lower() == ".json":
                pipe = load_parts(read_parts(ref.path), dtype=dtype)
            else:
                pipe = self._load_single_file(ref, dtype)
            if device_plan.layerwise_casting:
                cast_layerwise(pipe, storage=dtype, compute=getattr(rt.torch, device_plan.dtype))
            return _place(pipe, device_plan)
        except StudioError:
            raise
        except Exception as exc:
            raise load_failure(
                f"Model {ref.name}", exc,
                bad_files_hint="check that it is a complete model (diffusers folder, .safetensors or parts manifest)",
            ) from exc

    def _load_folder(self, path: Path, dtype: Any) -> Any:
        d = _runtime().diffusers
        index = d.DiffusionPipeline.load_config(path, local_files_only=True)
        extra: dict[str, Any] = {}
        if "safety_checker" in index:
            # Local creative work: no NSFW filter, and no extra 1.2 GB vision model to load.
            extra = {"safety_checker": None, "requires_safety_checker": False}
        name = str(index.get("_class_name"))
        known = name.startswith(_UNET_PIPELINES) or name in _FAMILY_PIPELINES
        pipe_cls = getattr(d, name, None) if known else None
        if pipe_cls is None:
            raise InvalidInput(f"Unsupported pipeline type {name!r}",
                               hint="use a Stable Diffusion 1.x, 2.x, SDXL, 3.5, FLUX.1 or Qwen-Image model")
        return pipe_cls.from_pretrained(path, local_files_only=True, dtype=dtype, **extra)

    def _load_single_file(self, ref: ModelRef, dtype: Any) -> Any:
        fam = family(ref.arch)
        if fam is not None:
            raise InvalidInput(
                f"{ref.name} is a {fam.label} transformer alone: it needs the model's text encoders and VAE",
                hint="register it with a parts manifest naming a base model folder (see docs/models.md)")
        if ref.path.suffix.lower() != ".safetensors":
            raise InvalidInput(f"{ref.path.name} is not a .safetensors checkpoint",
                               hint="convert pickled .ckpt files to .safetensors first")
        config = config_folder(ref.arch, self.data_dir)
        return load_single_file(ref.path, xl=ref.arch == "sdxl", config=config, dtype=dtype)

    def _pipe(self, loaded: _Loaded, mode: Mode) -> Any:
        kind = {Mode.txt2img: "text2image", Mode.img2img: "image2image", Mode.blend: "image2image",
                Mode.inpaint: "inpaint"}[mode]
        if kind == "text2image" and not loaded.inpaint_only:
            return loaded.base
        pipe = loaded.pipes.get(kind)
        if pipe is None:
            d = _runtime().diffusers
            fam = family(loaded.arch)
            if fam is not None:
                auto = getattr(d, fam.pipeline(mode))
            else:
                auto = d.AutoPipelineForInpainting if kind == "inpaint" else d.AutoPipelineForImage2Image
            pipe = auto.from_pipe(loaded.base)
            # from_pipe does not carry the progress-bar setting over.
            pipe.set_progress_bar_config(disable=True)
            loaded.pipes[kind] = pipe
        return pipe

    def _scheduler(self, loaded: _Loaded, scheduler_id: str | None) -> Any:
        # A fresh scheduler per run: schedulers keep per-run state, and the pipelines made with from_pipe share one.
        d = _runtime().diffusers
        if scheduler_id is None:
            return loaded.scheduler_class.from_config(loaded.scheduler_config)
        cls_name, overrides = SCHEDULERS[scheduler_id]
        return getattr(d, cls_name).from_config(loaded.scheduler_config, **overrides)

    def _apply_loras(self, loaded: _Loaded, loras: tuple[LoraRef, ...]) -> None:
        wanted = {_adapter_name(lora): lora for lora in loras}
        pipe = loaded.base
        if not wanted:
            if loaded.adapters:
                pipe.unload_lora_weights()
                loaded.adapters.clear()
            return
        stale = [name for name in loaded.adapters if name not in wanted]
        if stale:
            pipe.delete_adapters(stale)
            for name in stale:
                del loaded.adapters[name]
        for name, lora in wanted.items():
            if name not in loaded.adapters:
                self._load_lora(loaded, name, lora)
        pipe.set_adapters(list(wanted), adapter_weights=[float(lora.weight) for lora in wanted.values()])

    def _load_lora(self, loaded: _Loaded, name: str, lora: LoraRef) -> None:
        path = lora.path
        kwargs: dict[str, Any] = {"adapter_name": name}
        if path.is_dir():
            files = sorted(path.glob("*.safetensors"))
            if len(files) != 1:
                raise InvalidInput(f"LoRA folder {path} should hold exactly one .safetensors file")
            kwargs["weight_name"] = files[0].name
        elif path.suffix.lower() != ".safetensors":
            raise InvalidInput(f"LoRA {lora.name} is not a .safetensors file",
                               hint="pickled LoRA files are refused; use the .safetensors version")
        try:
            loaded.base.load_lora_weights(str(path), **kwargs)
            adapters = {n for names in loaded.base.get_list_adapters().values() for n in names}
            if name not in adapters:
                # diffusers skips keys it cannot place; a LoRA none of whose keys fit would apply nothing.
                raise ValueError("none of its layers match the model's")
        except Exception as exc:
            # A LoRA that failed half-way may have registered its adapter; drop it so the base stays as it was.
            with contextlib.suppress(Exception):
                loaded.base.delete_adapters([name])
            if software_fault(exc) is not None:
                raise load_failure(f"LoRA {lora.name}", exc,
                                   bad_files_hint="use a LoRA trained for this base model") from exc
            raise InvalidInput(
                f"LoRA {lora.name} does not fit model architecture {loaded.arch}: {first_line(exc)}",
                hint="use a LoRA trained for this base model",
            ) from exc
        self.lora_loads += 1
        loaded.adapters[name] = lora.sha256

    def _release_memory(self) -> None:
        gc.collect()
        torch = _runtime().torch
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    # -- inputs -------------------------------------------------------------------------------------------

    def _inputs(self, request: GenerationRequest) -> tuple[dict[str, Any], Image.Image | None, Image.Image | None]:
        rt = _runtime()
        size = (request.width, request.height)
        kwargs: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "num_inference_steps": request.steps,
            "guidance_scale": float(request.guidance),
            "generator": rt.torch.Generator("cpu").manual_seed(request.seed),
        }
        parent = mask = None
        if request.mode is Mode.txt2img:
            kwargs.update(width=request.width, height=request.height)
        elif request.mode is Mode.img2img:
            kwargs.update(image=_fit(request.init_images[0], size), strength=request.effective_strength)
        elif request.mode is Mode.blend:
            kwargs.update(image=_blend(request.init_images, request.effective_blend_weights, size),
                          strength=request.effective_strength)
        else:
            assert request.mask is not None
            parent = _open_rgb(request.init_images[0])
            mask = _open_mask(request.mask)
            kwargs.update(image=parent, mask_image=mask, width=request.width, height=request.height,
                          strength=request.effective_strength)
        return kwargs, parent, mask


# -- helpers ------------------------------------------------------------------------------------------------

_FAMILY_PIPELINES = {name for fam in FAMILIES.values() for name in fam.pipelines.values()}


def _family_inputs(fam: Family, request: GenerationRequest, pipe: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn the request's guidance and negative prompt into the family's own arguments (see families.py), and
    say in the recipe what was applied."""
    kwargs.pop("negative_prompt", None)
    # The transformer families' image-to-image pipelines default to the published size, not the parent's.
    kwargs.update(width=request.width, height=request.height)
    applied: dict[str, Any] = {"family": fam.arch, "guidance_kind": fam.guidance_kind}
    if fam.guidance_kind == "true_cfg":
        kwargs.pop("guidance_scale", None)
        kwargs["true_cfg_scale"] = float(request.guidance)
        kwargs["negative_prompt"] = applied["negative_prompt_used"] = (
            request.negative_prompt or fam.default_negative_prompt)
    elif fam.guidance_kind == "cfg":
        kwargs["negative_prompt"] = request.negative_prompt or None
    if fam.max_sequence_length is not None:
        # A tokenizer shorter than the published model's (a small test model) caps the prompt length.
        tokenizers = [getattr(pipe, n, None) for n in ("tokenizer_3", "tokenizer_2")]
        limit = next((t.model_max_length for t in tokenizers if t is not None), fam.max_sequence_length)
        kwargs["max_sequence_length"] = applied["max_sequence_length"] = min(fam.max_sequence_length, int(limit))
    return applied


def _preview(arch: str, base: Any) -> Preview | None:
    """SD-style UNets' latents have a preview; the transformer families get none (FLUX.1 and Qwen-Image pack their
    latents into tokens, Qwen-Image's VAE decodes video-shaped ones, and no linear map of SD3's 16 channels is
    at hand)."""
    if family(arch) is not None:
        return None
    return preview_for(arch, base.vae)


def _place(pipe: Any, device_plan: DevicePlan) -> Any:
    """Move the pipeline to its device, or set up offload, and turn on the plan's memory savers."""
    if device_plan.offload:
        pipe.enable_model_cpu_offload(device=device_plan.device)
    else:
        pipe = pipe.to(device_plan.device)
    if device_plan.attention_slicing:
        pipe.enable_attention_slicing()
    if device_plan.vae_tiling:
        pipe.vae.enable_tiling()
    return pipe


def _raise_if_cancelled(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()


def _adapter_name(lora: LoraRef) -> str:
    return f"lora_{lora.sha256[:16]}"


def _open_rgb(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def _open_mask(path: Path) -> Image.Image:
    """The mask as pure black/white 'L': white (over half grey) repaints, black keeps the parent."""
    with Image.open(path) as image:
        return image.convert("L").point(lambda v: 255 if v > 127 else 0)


def _fit(path: Path, size: tuple[int, int]) -> Image.Image:
    image = _open_rgb(path)
    if image.size == size:
        return image
    return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)


def _blend(paths: tuple[Path, ...], weights: tuple[float, ...], size: tuple[int, int]) -> Image.Image:
    import numpy as np

    total = np.zeros((size[1], size[0], 3), dtype=np.float64)
    for path, weight in zip(paths, weights, strict=True):
        total += weight * np.asarray(_fit(path, size), dtype=np.float64)
    return Image.fromarray(np.clip(np.rint(total), 0, 255).astype(np.uint8), "RGB")
