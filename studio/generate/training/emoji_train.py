"""Train the built-in emoji model from the rendered OpenMoji dataset: the VAE first, then UNet and text encoder.

Everything lives on the device for the whole run (4,495 images of 64 px are 55 MB), so a step is a few kernel
launches and no data loading. Each phase stops at its step count or its share of `--minutes`, whichever comes
first; the learning rate is constant after warm-up and the shipped UNet/text-encoder weights are an exponential
moving average, so a run cut short by the clock is as good as its steps and a rerun with `steps`/`vae_steps`
set to the recorded counts repeats it. Captions: one of each emoji's variants at random per step, and the empty
caption 10% of the time so classifier-free guidance works.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from studio.errors import InvalidInput
from studio.generate.training import openmoji_data
from studio.generate.training.emoji_model import EmojiModel, build_model, quiet_libraries, save_pipeline, tokenize

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    seed: int = 0
    device: str = "cpu"
    minutes: float = 4.0
    vae_share: float = 0.25  # of `minutes`, for the VAE phase
    vae_steps: int = 100_000
    steps: int = 100_000
    vae_batch: int = 256
    batch: int = 512
    vae_lr: float = 5e-4
    lr: float = 4e-4
    warmup: int = 200
    ema_decay: float = 0.999
    caption_dropout: float = 0.1
    min_snr_gamma: float = 5.0
    kl_weight: float = 1e-6
    holdout: int = openmoji_data.HOLDOUT_COUNT
    limit: int = 0  # train on the first N training images only (0 = all); for quick runs
    tiny: bool = False
    checkpoint_minutes: float = 1.0


def train_builtin(manifest_path: Path, out_dir: Path, cfg: TrainConfig, log: Log = print) -> dict[str, Any]:
    """Run the whole recipe; writes out_dir/model (diffusers folder) and out_dir/recipe.json, returns the recipe."""
    started = time.monotonic()
    quiet_libraries()
    _seed_everything(cfg.seed)
    device = torch.device(cfg.device)
    images, manifest = openmoji_data.load_dataset(manifest_path)
    held_out = set(openmoji_data.holdout_indices(manifest, cfg.holdout))
    train_idx = [i for i in range(len(images)) if i not in held_out]
    if cfg.limit:
        train_idx = train_idx[: cfg.limit]
    log(f"data: {len(train_idx)} training images, {len(held_out)} held out, device {device}")

    out_dir.mkdir(parents=True, exist_ok=True)
    model = build_model(out_dir / ".cache", tiny=cfg.tiny)
    pixels = torch.from_numpy(images[train_idx]).to(device).permute(0, 3, 1, 2).contiguous()
    budget = cfg.minutes * 60
    vae_stats = train_vae(model, pixels, cfg, started + budget * cfg.vae_share, log)
    latents_mean, latents_std, scale = encode_all(model.vae, pixels, cfg)
    model.vae.register_to_config(scaling_factor=scale)
    unet_ema, text_ema, unet_stats = train_denoiser(
        model, latents_mean, latents_std, scale, _caption_table(model, manifest, train_idx, device), cfg,
        started + budget, out_dir, log)
    hashes = save_pipeline(model, unet_ema, text_ema, out_dir / "model")
    recipe = _recipe(manifest_path, manifest, train_idx, held_out, cfg, model, vae_stats, unet_stats, scale, hashes,
                     time.monotonic() - started)
    (out_dir / "recipe.json").write_text(json.dumps(recipe, indent=1) + "\n", encoding="utf-8")
    log(f"done in {recipe['run']['seconds']:.0f} s: {vae_stats['steps']} VAE steps, {unet_stats['steps']} UNet steps")
    return recipe


def train_vae(model: EmojiModel, pixels: torch.Tensor, cfg: TrainConfig, deadline: float, log: Log) -> dict:
    vae = model.vae.to(pixels.device).train()
    if pixels.device.type == "cuda":
        vae.to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(vae.parameters(), lr=cfg.vae_lr, weight_decay=0.0, **_fused(pixels.device))
    gen = torch.Generator(pixels.device).manual_seed(cfg.seed + 1)
    step, loss_value = 0, float("nan")
    while step < cfg.vae_steps and time.monotonic() < deadline:
        idx = torch.randint(0, len(pixels), (min(cfg.vae_batch, len(pixels)),), device=pixels.device, generator=gen)
        x = _to_unit(pixels[idx])
        with _autocast(pixels.device):
            posterior = vae.encode(x).latent_dist
            z = posterior.mean + posterior.std * torch.randn(posterior.mean.shape, device=x.device, generator=gen)
            recon = vae.decode(z).sample
        rec = (recon.float() - x).abs().mean()
        kl = posterior.kl().float().mean() / x[0].numel()
        loss = rec + cfg.kl_weight * kl
        _set_lr(opt, cfg.vae_lr * min(1.0, (step + 1) / cfg.warmup))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(vae.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 250 == 0 or step == 1:
            loss_value = loss.item()
            log(f"vae step {step}: L1 {rec.item():.4f}")
    vae.eval().requires_grad_(False)
    return {"steps": step, "final_loss": loss.item() if step else loss_value}


@torch.no_grad()
def encode_all(vae: Any, pixels: torch.Tensor, cfg: TrainConfig) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Posterior mean and std of every training image, and the scaling factor that gives the latents unit std."""
    means, stds = [], []
    for chunk in pixels.split(512):
        with _autocast(pixels.device):
            dist = vae.encode(_to_unit(chunk)).latent_dist
        means.append(dist.mean.float())
        stds.append(dist.std.float())
    mean, std = torch.cat(means), torch.cat(stds)
    return mean, std, float(1.0 / mean.std().clamp_min(1e-6))


def train_denoiser(model: EmojiModel, mean: torch.Tensor, std: torch.Tensor, scale: float, captions: dict,
                   cfg: TrainConfig, deadline: float, out_dir: Path, log: Log) -> tuple[Any, Any, dict]:
    device = mean.device
    unet, text = model.unet.to(device).train(), model.text_encoder.to(device).train()
    if device.type == "cuda":
        unet.to(memory_format=torch.channels_last)
    params = [*unet.parameters(), *text.parameters()]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01, betas=(0.9, 0.99), **_fused(device))
    ema = [p.detach().clone() for p in params]
    gen = torch.Generator(device).manual_seed(cfg.seed + 2)
    sched = model.noise_scheduler
    alphas = sched.alphas_cumprod.to(device)
    snr = alphas / (1 - alphas)
    weights = snr.clamp(max=cfg.min_snr_gamma) / snr  # min-SNR weighting for epsilon prediction
    tokens, first, count, empty = captions["tokens"], captions["first"], captions["count"], captions["empty"]
    batch = min(cfg.batch, len(mean))
    step, next_checkpoint = 0, time.monotonic() + cfg.checkpoint_minutes * 60
    while step < cfg.steps and time.monotonic() < deadline:
        idx = torch.randint(0, len(mean), (batch,), device=device, generator=gen)
        z = (mean[idx] + std[idx] * torch.randn(mean[idx].shape, device=device, generator=gen)) * scale
        noise = torch.randn(z.shape, device=device, generator=gen)
        t = torch.randint(0, sched.config.num_train_timesteps, (batch,), device=device, generator=gen)
        variant = first[idx] + (torch.rand(batch, device=device, generator=gen) * count[idx]).long()
        dropped = torch.rand(batch, device=device, generator=gen) < cfg.caption_dropout
        ids = torch.where(dropped[:, None], empty[None, :], tokens[variant])
        noisy = alphas[t].sqrt()[:, None, None, None] * z + (1 - alphas[t]).sqrt()[:, None, None, None] * noise
        with _autocast(device):
            context = text(ids)[0]
            pred = unet(noisy, t, encoder_hidden_states=context).sample
        loss = (weights[t] * F.mse_loss(pred.float(), noise, reduction="none").mean(dim=(1, 2, 3))).mean()
        _set_lr(opt, cfg.lr * min(1.0, (step + 1) / cfg.warmup))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        decay = min(cfg.ema_decay, (1 + step) / (10 + step))
        with torch.no_grad():
            torch._foreach_lerp_(ema, [p.detach() for p in params], 1 - decay)
        if step % 500 == 0 or step == 1:
            log(f"unet step {step}: loss {loss.item():.4f}")
        if time.monotonic() > next_checkpoint:
            torch.save({"step": step, "ema": ema}, out_dir / "checkpoint.pt")
            next_checkpoint = time.monotonic() + cfg.checkpoint_minutes * 60
    final = loss.item() if step else float("nan")
    with torch.no_grad():
        for p, e in zip(params, ema, strict=True):
            p.copy_(e)
    (out_dir / "checkpoint.pt").unlink(missing_ok=True)
    return unet.eval(), text.eval(), {"steps": step, "final_loss": final}


def _caption_table(model: EmojiModel, manifest: dict, train_idx: list[int], device: torch.device) -> dict:
    """Every caption variant tokenised once: rows of token ids, and per training image its first row and count."""
    captions, first, count = [], [], []
    for i in train_idx:
        variants = openmoji_data.caption_variants(manifest["emoji"][i])
        first.append(len(captions))
        count.append(len(variants))
        captions.extend(variants)
    tokens = tokenize(model.tokenizer, [*captions, ""]).to(device)
    return {"tokens": tokens[:-1], "empty": tokens[-1], "first": torch.tensor(first, device=device),
            "count": torch.tensor(count, device=device, dtype=torch.float32)}


def _recipe(manifest_path: Path, manifest: dict, train_idx: list[int], held_out: set[int], cfg: TrainConfig,
            model: EmojiModel, vae_stats: dict, unet_stats: dict, scale: float, hashes: dict[str, str],
            seconds: float) -> dict[str, Any]:
    import diffusers
    import transformers

    device = torch.device(cfg.device)
    return {
        "model": "studio-emoji",
        "data": {
            "source": manifest["source"], "license": manifest["license"], "renderer": manifest["renderer"],
            "manifest_sha256": openmoji_data.manifest_sha256(manifest_path),
            "images_sha256": manifest["images_sha256"], "image_size": manifest["image_size"],
            "trained_on": len(train_idx), "authors": len({manifest["emoji"][i]["author"] for i in train_idx}),
            "held_out": [manifest["emoji"][i]["hexcode"] for i in sorted(held_out)],
        },
        "hyperparameters": asdict(cfg),
        "architecture": model.configs,
        "software": {
            "python": platform.python_version(), "torch": torch.__version__, "diffusers": diffusers.__version__,
            "transformers": transformers.__version__, "numpy": np.__version__,
            "device": torch.cuda.get_device_name(device) if device.type == "cuda" else platform.machine(),
        },
        "run": {"vae": vae_stats, "unet": unet_stats, "latent_scaling_factor": scale, "seconds": round(seconds, 1)},
        "weights_sha256": hashes,
    }


def resolve_device(device: str) -> str:
    """'auto' -> cuda when present, else cpu; refuses a CUDA device on a machine without one."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise InvalidInput(f"--device {device}: this machine has no CUDA GPU", hint="use --device cpu")
    if device != "cpu" and not device.startswith("cuda"):
        raise InvalidInput(f"--device {device!r} is not a device", hint="use cpu, cuda or cuda:N")
    return device


def _seed_everything(seed: int) -> None:
    """Seeded, fixed-order runs repeat bit for bit on a CPU. On CUDA they repeat statistically: attention's
    backward kernels add with atomics, so bit-exactness would cost speed without buying reproducibility."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    torch.backends.cudnn.benchmark = True  # fixed shapes: the fastest convolution kernels are chosen once
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


def _to_unit(batch_uint8: torch.Tensor) -> torch.Tensor:
    x = batch_uint8.float().div_(127.5).sub_(1.0)
    return x.contiguous(memory_format=torch.channels_last) if x.is_cuda else x


def _autocast(device: torch.device) -> Any:
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def _fused(device: torch.device) -> dict[str, bool]:
    return {"fused": True} if device.type == "cuda" else {}


def _set_lr(opt: torch.optim.Optimizer, lr: float) -> None:
    for group in opt.param_groups:
        group["lr"] = lr

