"""Train a LoRA from captioned images on a base model: PEFT adapters on the UNet's attention projections (and
optionally the text encoder's), the same loop for the built-in emoji model, SD 1.x/2.x and SDXL.

A run lives in a job folder: `checkpoint.pt` (the adapters, the optimizer, the step, the position in the data
order, and the states of the noise generator and of torch's, numpy's and Python's global generators) is written
every `checkpoint_every` steps and on cancel, so a resumed run continues exactly where the interrupted one
stopped. It is written to a temporary file, flushed to the disk and renamed over the last one, so a run killed at
any moment, even while writing, leaves the previous checkpoint whole. Which images make each batch depends only
on the seed and the step, so on a CPU an interrupted and resumed run gives bit-for-bit the weights of an
uninterrupted one. `samples/` gets one image per epoch (at most `max_samples`; none when it is 0), drawn with a
fixed seed so they show the LoRA's progress and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DDPMScheduler, DiffusionPipeline
from peft import LoraConfig
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict
from PIL import Image, ImageOps

from studio.errors import InvalidInput
from studio.generate.lora_provenance import LoraProvenance
from studio.generate.model_configs import config_folder
from studio.generate.request import Cancelled, ModelRef
from studio.generate.torch_loading import load_single_file
from studio.generate.torch_runtime import runtime
from studio.generate.training.emoji_train import resolve_device
from studio.generate.training.lora_files import save_lora
from studio.store.files import fsync_path

CHECKPOINT = "checkpoint.pt"
PARTIAL = "checkpoint.pt.partial"
SAMPLES = "samples"
UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]
LAYOUTS = ("diffusers", "kohya")


@dataclass(frozen=True)
class TrainingExample:
    image: Path
    caption: str


@dataclass(frozen=True)
class LoraTrainConfig:
    steps: int = 300
    rank: int = 8
    lr: float = 1e-3
    batch: int = 4
    seed: int = 0
    train_text_encoder: bool = False
    layout: str = "diffusers"
    resolution: int = 0  # 0: the base model's native size
    device: str = "auto"  # cuda when present, else cpu
    checkpoint_every: int = 50
    max_samples: int = 8
    sample_steps: int = 20
    sample_guidance: float = 5.0
    sample_prompt: str = ""  # default: the first caption

    def check(self) -> None:
        if self.layout not in LAYOUTS:
            raise InvalidInput(f"unknown LoRA layout {self.layout!r}", hint=f"use one of {', '.join(LAYOUTS)}")
        if self.steps < 1 or self.rank < 1 or self.batch < 1 or not self.lr > 0:
            raise InvalidInput("steps, rank and batch must be at least 1 and the learning rate above 0")

    def fingerprint(self, training_set_sha256: str, base_sha256: str) -> str:
        """What a checkpoint must match to be resumed: everything that changes the weights."""
        keep = {k: v for k, v in asdict(self).items()
                if k not in ("checkpoint_every", "max_samples", "sample_steps", "sample_guidance", "sample_prompt")}
        text = json.dumps({"cfg": keep, "data": training_set_sha256, "base": base_sha256}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TrainProgress:
    step: int
    total: int
    loss: float
    epoch: int
    sample: Path | None = None
    checkpointed: bool = False  # a checkpoint of this step is on disk: a resume starts here


@dataclass(frozen=True)
class LoraTrainResult:
    path: Path
    steps: int
    resumed_from: int
    final_loss: float
    samples: tuple[Path, ...]
    seconds: float


class TrainingCancelled(Cancelled):
    def __init__(self, step: int, total: int) -> None:
        super().__init__(f"Training cancelled at step {step} of {total}; its checkpoint is kept",
                         hint="resume it to continue from that step")
        self.step = step


OnProgress = Callable[[TrainProgress], None]


def train_lora(base: ModelRef, examples: Sequence[TrainingExample], job_dir: Path, output: Path,
               cfg: LoraTrainConfig, provenance: LoraProvenance, *, config_root: Path,
               on_progress: OnProgress | None = None, cancel: threading.Event | None = None) -> LoraTrainResult:
    """Train (or resume, when `job_dir` holds a checkpoint) and write the LoRA to `output`."""
    cfg.check()
    if not examples:
        raise InvalidInput("a LoRA needs at least one training image")
    started = time.monotonic()
    runtime()  # offline, quiet libraries
    torch.manual_seed(cfg.seed)
    device = torch.device(resolve_device(cfg.device))
    pipe = load_base(base, config_root).to(device)
    pipe.set_progress_bar_config(disable=True)
    xl = getattr(pipe, "text_encoder_2", None) is not None
    for part in (pipe.unet, pipe.vae, pipe.text_encoder, getattr(pipe, "text_encoder_2", None)):
        if part is not None:
            part.requires_grad_(False)
    size = cfg.resolution or pipe.unet.config.sample_size * pipe.vae_scale_factor
    mean, std = _encode_images(pipe.vae, [e.image for e in examples], size, device)
    captions = [e.caption for e in examples]

    pipe.unet.add_adapter(LoraConfig(r=cfg.rank, lora_alpha=cfg.rank, init_lora_weights="gaussian",
                                     target_modules=UNET_TARGETS))
    if cfg.train_text_encoder:
        pipe.text_encoder.add_adapter(LoraConfig(r=cfg.rank, lora_alpha=cfg.rank, init_lora_weights="gaussian",
                                                 target_modules=TEXT_TARGETS))
    params = _trainable(pipe, cfg.train_text_encoder)
    opt = torch.optim.AdamW(list(params.values()), lr=cfg.lr, weight_decay=1e-2)
    gen = torch.Generator(device).manual_seed(cfg.seed + 1)
    fingerprint = cfg.fingerprint(provenance.training_set_sha256, base.sha256)
    checkpoint = job_dir / CHECKPOINT
    start = _restore(checkpoint, pipe, cfg, opt, gen, fingerprint) if checkpoint.exists() else 0

    fixed = None if cfg.train_text_encoder else _encode_text(pipe, captions, device, xl)
    sched = DDPMScheduler.from_config(pipe.scheduler.config)
    alphas = sched.alphas_cumprod.to(device)
    epoch_len = math.ceil(len(examples) / cfg.batch)
    sample_every = epoch_len * max(1, math.ceil(cfg.steps / epoch_len / max(1, cfg.max_samples)))
    # Samples drawn after the checkpoint by the interrupted run are drawn again, identically, as the run gets there.
    samples = [p for p in sorted((job_dir / SAMPLES).glob("step-*.png")) if _sample_step(p) <= start] if start else []
    step, loss_value = start, float("nan")
    pipe.unet.train()
    while step < cfg.steps:
        if cancel is not None and cancel.is_set():
            _save_checkpoint(checkpoint, pipe, cfg, opt, gen, step, fingerprint)
            raise TrainingCancelled(step, cfg.steps)
        idx = batch_indices(step, len(examples), cfg.batch, cfg.seed)
        z = (mean[idx] + std[idx] * torch.randn(mean[idx].shape, device=device, generator=gen)) * _scale(pipe)
        noise = torch.randn(z.shape, device=device, generator=gen)
        t = torch.randint(0, sched.config.num_train_timesteps, (len(idx),), device=device, generator=gen)
        a = alphas[t][:, None, None, None]
        noisy = a.sqrt() * z + (1 - a).sqrt() * noise
        context, added = _condition(pipe, captions, idx, fixed, device, xl, size)
        pred = pipe.unet(noisy, t, encoder_hidden_states=context, added_cond_kwargs=added).sample
        target = sched.get_velocity(z, noise, t) if sched.config.prediction_type == "v_prediction" else noise
        loss = F.mse_loss(pred.float(), target.float())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
        opt.step()
        step += 1
        loss_value = loss.item()
        sample = None
        if cfg.max_samples and (step % sample_every == 0 or step == cfg.steps):
            sample = _sample(pipe, job_dir, step, cfg, cfg.sample_prompt or captions[0], size, device)
            samples.append(sample)
        checkpointed = step % cfg.checkpoint_every == 0 and step < cfg.steps
        if checkpointed:
            _save_checkpoint(checkpoint, pipe, cfg, opt, gen, step, fingerprint)
        if on_progress is not None:
            on_progress(TrainProgress(step, cfg.steps, loss_value, (step * cfg.batch) // len(examples), sample,
                                      checkpointed))
    header = {**provenance.header(), "studio.training": json.dumps(
        {"steps": cfg.steps, "rank": cfg.rank, "lr": cfg.lr, "batch": cfg.batch, "seed": cfg.seed,
         "resolution": size, "text_encoder": cfg.train_text_encoder, "images": len(examples)}, sort_keys=True)}
    save_lora(output, _adapter_state(pipe, cfg.train_text_encoder), cfg.layout, cfg.rank, header, xl=xl)
    checkpoint.unlink(missing_ok=True)
    (job_dir / PARTIAL).unlink(missing_ok=True)  # the torn write of a killed run, if no later checkpoint replaced it
    return LoraTrainResult(output, step, start, loss_value, tuple(samples), time.monotonic() - started)


def batch_indices(step: int, count: int, batch: int, seed: int) -> list[int]:
    """The images of one step: consecutive slots of per-epoch shuffles that depend only on the seed and epoch."""
    out = []
    for slot in range(step * batch, step * batch + batch):
        epoch, place = divmod(slot, count)
        order = torch.randperm(count, generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
        out.append(int(order[place]))
    return out


def load_base(base: ModelRef, config_root: Path) -> Any:
    """The base model's pipeline in float32 on the CPU: a diffusers folder, or a single-file checkpoint."""
    if base.path.is_dir():
        return DiffusionPipeline.from_pretrained(base.path, local_files_only=True, dtype=torch.float32,
                                                 safety_checker=None, requires_safety_checker=False)
    return load_single_file(base.path, xl=base.arch == "sdxl", config=config_folder(base.arch, config_root),
                            dtype=torch.float32)


def _scale(pipe: Any) -> float:
    return float(pipe.vae.config.scaling_factor)


@torch.no_grad()
def _encode_images(vae: Any, paths: list[Path], size: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    pixels = torch.stack([_pixels(p, size) for p in paths]).to(device)
    means, stds = [], []
    for chunk in pixels.split(8):
        dist = vae.encode(chunk).latent_dist
        means.append(dist.mean)
        stds.append(dist.std)
    return torch.cat(means), torch.cat(stds)


def _pixels(path: Path, size: int) -> torch.Tensor:
    """An image as a size×size tensor in [-1, 1]: transparency on white, centre-cropped to a square."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            image = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image.alpha_composite(rgba)
        image = ImageOps.fit(image.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    data = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).reshape(size, size, 3)
    return data.permute(2, 0, 1).float() / 127.5 - 1.0


def _encode_text(pipe: Any, captions: list[str], device: torch.device, xl: bool) -> tuple[Any, Any]:
    with torch.no_grad():
        return _prompt_embeds(pipe, captions, device, xl)


def _prompt_embeds(pipe: Any, captions: list[str], device: torch.device, xl: bool) -> tuple[Any, Any]:
    out = pipe.encode_prompt(prompt=captions, device=device, num_images_per_prompt=1,
                             do_classifier_free_guidance=False)
    return (out[0], out[2]) if xl else (out[0], None)


def _condition(pipe: Any, captions: list[str], idx: list[int], fixed: tuple[Any, Any] | None,
               device: torch.device, xl: bool, size: int) -> tuple[Any, dict[str, Any] | None]:
    if fixed is None:
        context, pooled = _prompt_embeds(pipe, [captions[i] for i in idx], device, xl)
    else:
        context = fixed[0][idx]
        pooled = fixed[1][idx] if fixed[1] is not None else None
    if not xl:
        return context, None
    # SDXL's micro-conditioning: original size, crop corner, target size (square, uncropped).
    time_ids = torch.tensor([[size, size, 0, 0, size, size]], device=device, dtype=context.dtype).repeat(len(idx), 1)
    return context, {"text_embeds": pooled, "time_ids": time_ids}


def _trainable(pipe: Any, text_encoder: bool) -> dict[str, torch.nn.Parameter]:
    parts = [("unet", pipe.unet)] + ([("text_encoder", pipe.text_encoder)] if text_encoder else [])
    return {f"{name}.{key}": p for name, module in parts for key, p in module.named_parameters() if p.requires_grad}


def _adapter_state(pipe: Any, text_encoder: bool) -> dict[str, dict[str, torch.Tensor]]:
    state = {"unet": get_peft_model_state_dict(pipe.unet)}
    if text_encoder:
        state["text_encoder"] = get_peft_model_state_dict(pipe.text_encoder)
    return {part: {k: v.detach().to("cpu").contiguous() for k, v in values.items()} for part, values in state.items()}


def _save_checkpoint(path: Path, pipe: Any, cfg: LoraTrainConfig, opt: Any, gen: torch.Generator, step: int,
                     fingerprint: str) -> None:
    """Everything the next step depends on, written whole or not at all: temporary file, fsync, rename, fsync of
    the folder (so the rename itself survives a power cut)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"step": step, "fingerprint": fingerprint, "data_position": step * cfg.batch,
             "adapters": _adapter_state(pipe, cfg.train_text_encoder), "optimizer": opt.state_dict(),
             "rng": gen.get_state(), "global_rng": _global_rng_state()}
    partial = path.with_name(PARTIAL)
    with open(partial, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    fsync_path(path.parent)


def _global_rng_state() -> dict[str, Any]:
    """torch's, numpy's and Python's global generators, as tensors and plain values a weights-only load reads."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached": float(cached)},
        "python": {"version": version, "internal": torch.tensor(internal, dtype=torch.int64),
                   "gauss_next": gauss_next},
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_global_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"], n["has_gauss"], n["cached"]))
    p = state["python"]
    random.setstate((p["version"], tuple(int(v) for v in p["internal"].tolist()), p["gauss_next"]))
    if "cuda" in state and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(state["cuda"])


def _restore(path: Path, pipe: Any, cfg: LoraTrainConfig, opt: Any, gen: torch.Generator, fingerprint: str) -> int:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InvalidInput(f"the checkpoint {path} cannot be read ({exc})", hint="start the training again") from exc
    if state.get("fingerprint") != fingerprint:
        raise InvalidInput("the checkpoint was made with other settings, data or base model",
                           hint="resume with the settings it was started with, or start a new training")
    step = int(state["step"])
    if state.get("data_position", step * cfg.batch) != step * cfg.batch:
        raise InvalidInput(f"the checkpoint {path} is inconsistent (its data position does not match its step)",
                           hint="start the training again")
    set_peft_model_state_dict(pipe.unet, state["adapters"]["unet"])
    if cfg.train_text_encoder:
        set_peft_model_state_dict(pipe.text_encoder, state["adapters"]["text_encoder"])
    opt.load_state_dict(state["optimizer"])
    gen.set_state(state["rng"])
    if "global_rng" in state:
        _set_global_rng_state(state["global_rng"])
    return step


def _sample_step(path: Path) -> int:
    digits = path.stem.removeprefix("step-")
    return int(digits) if digits.isdigit() else 0


@torch.no_grad()
def _sample(pipe: Any, job_dir: Path, step: int, cfg: LoraTrainConfig, prompt: str, size: int,
            device: torch.device) -> Path:
    pipe.unet.eval()
    try:
        image = pipe(prompt, num_inference_steps=cfg.sample_steps, guidance_scale=cfg.sample_guidance,
                     height=size, width=size, generator=torch.Generator(device).manual_seed(cfg.seed)).images[0]
    finally:
        pipe.unet.train()
    folder = job_dir / SAMPLES
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"step-{step:06d}.png"
    image.save(path)
    return path
