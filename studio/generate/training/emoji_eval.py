"""Does the built-in model draw what the prompt names? Prompt adherence on held-out emoji, and remix closeness.

Each held-out emoji's annotation is a prompt; the model draws one image per prompt, and the image's nearest
training image decides whether the drawing matches. Distance: L2 between 16×16 RGB thumbnails (each value the
mean of a 4×4 pixel cell, 0..1), a model-independent stand-in for "looks like" at emoji scale: it sees colour and
layout (a yellow round face, a brown dog, a blue drop) and ignores pixel-exact outlines. The same test is also run
with the model's own VAE latents (posterior means) as a second opinion.

A prompt is matched when the neighbour's annotation contains every word of the prompt (e.g. "woman lifting
weights" -> "woman lifting weights: dark skin tone"), and at group/subgroup level when they share the group or
subgroup. Chance is what a uniformly random training image would score for the same prompts, so the ratio says
how many times better than chance the model is.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image

STOP_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "the", "to", "with"})


@dataclass(frozen=True)
class EvalSettings:
    prompts: int = 100
    steps: int = 25
    guidance: float = 4.0
    seed: int = 0
    remixes: int = 32
    strength: float = 0.5
    batch: int = 50
    latent_check: bool = True  # the VAE-latent second opinion encodes every training image: slow on a CPU


def words(annotation: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", annotation.lower())) - STOP_WORDS


def thumbnails(images: np.ndarray) -> np.ndarray:
    """N×64×64×3 uint8 (or float 0..1) images -> N×768 float32 vectors of 16×16 cell means in 0..1."""
    x = images.astype(np.float32)
    if images.dtype == np.uint8:
        x /= 255.0
    n, h, w, c = x.shape
    return x.reshape(n, 16, h // 16, 16, w // 16, c).mean(axis=(2, 4)).reshape(n, -1)


def generate(pipe: Any, prompts: list[str], settings: EvalSettings, size: int) -> np.ndarray:
    """One image per prompt (seed = settings.seed + index), as N×size×size×3 floats in 0..1."""
    device = pipe.device
    out = []
    for start in range(0, len(prompts), settings.batch):
        chunk = prompts[start:start + settings.batch]
        gens = [torch.Generator(device).manual_seed(settings.seed + start + i) for i in range(len(chunk))]
        result = pipe(chunk, height=size, width=size, num_inference_steps=settings.steps,
                      guidance_scale=settings.guidance, generator=gens, output_type="np")
        out.append(result.images)
    return np.concatenate(out).astype(np.float32)


def remix(pipe: Any, parents: np.ndarray, prompts: list[str], settings: EvalSettings) -> np.ndarray:
    from diffusers import StableDiffusionImg2ImgPipeline

    img2img = StableDiffusionImg2ImgPipeline(**pipe.components, requires_safety_checker=False)
    img2img.set_progress_bar_config(disable=True)
    gens = [torch.Generator(pipe.device).manual_seed(settings.seed + 10_000 + i) for i in range(len(prompts))]
    result = img2img(prompts, image=[Image.fromarray(p) for p in parents], strength=settings.strength,
                     num_inference_steps=settings.steps, guidance_scale=settings.guidance, generator=gens,
                     output_type="np")
    return result.images.astype(np.float32)


def nearest(queries: np.ndarray, bank: np.ndarray) -> np.ndarray:
    q, b = torch.from_numpy(queries), torch.from_numpy(bank)
    return torch.cdist(q, b).argmin(dim=1).numpy()


def adherence(neighbours: np.ndarray, prompt_rows: list[dict], train_rows: list[dict]) -> dict[str, Any]:
    """Hit rates against chance for annotation words, subgroup and group."""
    train_words = [words(r["annotation"]) for r in train_rows]
    groups = np.array([r["group"] for r in train_rows])
    subgroups = np.array([r["subgroup"] for r in train_rows])
    tests = {
        "annotation": (lambda p, t: words(p["annotation"]) <= train_words[t],
                       lambda p: np.mean([words(p["annotation"]) <= w for w in train_words])),
        "subgroup": (lambda p, t: train_rows[t]["subgroup"] == p["subgroup"],
                     lambda p: float(np.mean(subgroups == p["subgroup"]))),
        "group": (lambda p, t: train_rows[t]["group"] == p["group"],
                  lambda p: float(np.mean(groups == p["group"]))),
    }
    summary = {}
    for name, (hit, chance) in tests.items():
        hits = [bool(hit(p, int(t))) for p, t in zip(prompt_rows, neighbours, strict=True)]
        expected = float(np.mean([chance(p) for p in prompt_rows]))
        rate = float(np.mean(hits))
        summary[name] = {"hit_rate": rate, "chance": expected, "ratio": rate / expected if expected else None,
                         "hits": int(sum(hits))}
    return summary


def vae_codes(pipe: Any, images: np.ndarray) -> np.ndarray:
    """Posterior means of the model's VAE for images in 0..1 (float) or uint8, flattened."""
    x = torch.from_numpy(images.astype(np.float32) / (255.0 if images.dtype == np.uint8 else 1.0))
    codes = []
    with torch.no_grad():
        for chunk in x.permute(0, 3, 1, 2).split(256):
            chunk = chunk.to(pipe.device, pipe.vae.dtype) * 2 - 1
            codes.append(pipe.vae.encode(chunk).latent_dist.mean.flatten(1).float().cpu())
    return torch.cat(codes).numpy()


def evaluate(pipe: Any, images: np.ndarray, manifest: dict, held_out: list[int],
             settings: EvalSettings) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """The benchmark's numbers, the generated images and the remixes (floats 0..1)."""
    held = set(held_out)
    train_idx = [i for i in range(len(images)) if i not in held]
    train_rows = [manifest["emoji"][i] for i in train_idx]
    prompt_idx = held_out[:settings.prompts]
    prompt_rows = [manifest["emoji"][i] for i in prompt_idx]
    prompts = [r["annotation"] for r in prompt_rows]
    generated = generate(pipe, prompts, settings, images.shape[1])

    thumbs = thumbnails(images[train_idx])
    by_pixels = nearest(thumbnails(generated), thumbs)

    parents_idx = prompt_idx[:settings.remixes]
    remixes = remix(pipe, images[parents_idx], prompts[:len(parents_idx)], settings)
    rng = random.Random(settings.seed)
    strangers = [rng.randrange(len(train_idx)) for _ in parents_idx]
    remix_thumbs = thumbnails(remixes)
    d_parent = np.linalg.norm(remix_thumbs - thumbnails(images[parents_idx]), axis=1)
    d_random = np.linalg.norm(remix_thumbs - thumbs[strangers], axis=1)
    report = {
        "settings": settings.__dict__,
        "distance": "L2 between 16x16 RGB thumbnails (4x4 cell means, 0..1); second opinion: VAE latent means L2",
        "prompts": len(prompts),
        "training_images": len(train_idx),
        "adherence": adherence(by_pixels, prompt_rows, train_rows),
        "remix": {
            "count": len(parents_idx), "strength": settings.strength,
            "closer_to_parent": float(np.mean(d_parent < d_random)),
            "mean_distance_to_parent": float(d_parent.mean()) if len(d_parent) else None,
            "mean_distance_to_random_work": float(d_random.mean()) if len(d_random) else None,
        },
        "samples": [{"prompt": p, "nearest": train_rows[int(t)]["annotation"], "nearest_group": train_rows[int(t)]
                     ["group"]} for p, t in zip(prompts, by_pixels, strict=True)],
    }
    if settings.latent_check:
        by_latents = nearest(vae_codes(pipe, generated), vae_codes(pipe, images[train_idx]))
        report["adherence_vae_latents"] = adherence(by_latents, prompt_rows, train_rows)
    return report, generated, remixes


def grid(images: np.ndarray, columns: int = 8, scale: int = 2) -> np.ndarray:
    """Images (N×H×W×3, floats 0..1 or uint8) tiled row by row, each enlarged `scale` times, on white."""
    x = images if images.dtype == np.uint8 else (np.clip(images, 0, 1) * 255).round().astype(np.uint8)
    x = x.repeat(scale, axis=1).repeat(scale, axis=2)
    n, h, w, c = x.shape
    rows = -(-n // columns)
    canvas = np.full((rows * h, columns * w, c), 255, dtype=np.uint8)
    for i, image in enumerate(x):
        r, col = divmod(i, columns)
        canvas[r * h:(r + 1) * h, col * w:(col + 1) * w] = image
    return canvas
