"""Prompt adherence and remix closeness of the trained built-in emoji model, against chance.

Run: `.venv/bin/python -m bench.builtin_adherence [--model .train/builtin/model] [--device cuda] [--out DIR]`
(`--steps`, `--guidance` and `--scheduler` choose the sampling measured; the default scheduler is the model's own.)

100 held-out emoji (never trained on; their hexcodes are in the model's recipe.json) give 100 prompts, their own
annotations. The model draws one 64 px image per prompt; each image's nearest training image (L2 on 16×16 RGB
thumbnails, see studio/generate/training/emoji_eval.py) decides whether the drawing shows the prompted subject
(every annotation word), subgroup or group. Chance = the rate a uniformly random training image scores on the
same prompts. Goal: annotation hits ≥ 5× chance. Remixes at strength 0.5 of 32 held-out emoji: how often each is
closer to its parent than to a random training work. Writes adherence.json, samples.png (the first 64 prompts,
8×8) and remix.png (parent, remix pairs) to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / ".train" / "builtin" / "model")
    parser.add_argument("--data", type=Path, default=REPO / ".train" / "openmoji-64.json")
    parser.add_argument("--recipe", type=Path, help="Default: recipe.json beside the model folder.")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "builtin")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--prompts", type=int, default=100)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--guidance", type=float, default=4.0)
    parser.add_argument("--scheduler", help="A studio scheduler id (e.g. dpmpp_2m); default: the model's own.")
    parser.add_argument("--remixes", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-latents", action="store_true", help="Skip the VAE-latent second opinion (CPU).")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import numpy as np
    import torch
    from PIL import Image

    from studio.generate.training import emoji_eval, openmoji_data
    from studio.generate.training.emoji_model import load_pipeline

    recipe_path = args.recipe or args.model.parent / "recipe.json"
    if not (args.model / "model_index.json").is_file() or not recipe_path.is_file():
        print(f"error: no trained model at {args.model} (with {recipe_path.name}); run `studio train builtin` first",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    torch.manual_seed(args.seed)
    images, manifest = openmoji_data.load_dataset(args.data)
    recipe = json.loads(recipe_path.read_text(encoding="utf-8"))
    by_hex = {e["hexcode"]: i for i, e in enumerate(manifest["emoji"])}
    held_out = [by_hex[h] for h in recipe["data"]["held_out"]]
    scheduler = scheduler_spec(args.scheduler) if args.scheduler else None
    pipe = load_pipeline(args.model, device)
    if scheduler:
        import diffusers

        pipe.scheduler = getattr(diffusers, scheduler[0]).from_config(pipe.scheduler.config, **scheduler[1])
    settings = emoji_eval.EvalSettings(prompts=args.prompts, steps=args.steps, guidance=args.guidance,
                                       seed=args.seed, remixes=args.remixes, latent_check=not args.skip_latents)
    report, generated, remixes = emoji_eval.evaluate(pipe, images, manifest, held_out, settings)
    report["model"] = {"folder": str(args.model), "weights_sha256": recipe.get("weights_sha256"),
                       "unet_steps": recipe["run"]["unet"]["steps"], "device": device}
    report["scheduler"] = args.scheduler or type(pipe.scheduler).__name__
    report["seconds"] = round(time.monotonic() - started, 1)

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "adherence.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    Image.fromarray(emoji_eval.grid(generated[:64])).save(args.out / "samples.png")
    parents = images[held_out[: len(remixes)]].astype(np.float32) / 255.0
    pairs = np.stack([parents, remixes], axis=1).reshape(-1, *remixes.shape[1:]) if len(remixes) else remixes
    Image.fromarray(emoji_eval.grid(pairs)).save(args.out / "remix.png")
    print_summary(report)
    return 0


def scheduler_spec(scheduler_id: str) -> tuple[str, dict]:
    """The diffusers class and overrides of a studio scheduler id; built on the model's own scheduler config,
    as generation does, so the benchmark measures what the studio would draw with that choice."""
    from studio.generate.diffusers_backend import SCHEDULERS

    if scheduler_id not in SCHEDULERS:
        raise SystemExit(f"error: unknown scheduler {scheduler_id!r}; use one of {', '.join(SCHEDULERS)}")
    return SCHEDULERS[scheduler_id]


def print_summary(report: dict) -> None:
    print(f"| measure ({report['prompts']} held-out prompts) | hit rate | chance | ratio |")
    print("|---|---|---|---|")
    for source in ("adherence", "adherence_vae_latents"):
        for level, row in report.get(source, {}).items():
            ratio = f"{row['ratio']:.1f}×" if row["ratio"] is not None else "n/a"
            label = f"{level} ({'thumbnail' if source == 'adherence' else 'VAE latent'} distance)"
            print(f"| {label} | {row['hit_rate']:.0%} | {row['chance']:.2%} | {ratio} |")
    remix = report["remix"]
    print(f"remix at strength {remix['strength']}: closer to parent than to a random work in "
          f"{remix['closer_to_parent']:.0%} of {remix['count']} (mean distance {remix['mean_distance_to_parent']:.3f} "
          f"vs {remix['mean_distance_to_random_work']:.3f}); {report['seconds']} s")


if __name__ == "__main__":
    sys.exit(main())
