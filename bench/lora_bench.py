"""Does a LoRA trained from library works pull the built-in emoji model's outputs toward them?

Run: `.venv/bin/python -m bench.lora_bench [--steps 300] [--works 16] [--subgroup food-fruit] [--out DIR]`

The training works are OpenMoji's own black line-art versions (same package, same CC BY-SA 4.0 license and
authors) of one subgroup: a style the built-in model never saw, since it was trained on the colour emoji only.
They are imported into a fresh library and trained through the studio's own path (`TrainingService`: permission
check, training-set collection, job, LoRA work). Then the same prompts and seeds are drawn with and without the
LoRA: the subgroup's own annotations (in-set) and as many annotations of other subgroups (out-of-set, does the
style carry over?). Distances are L2 on 16×16 RGB thumbnails in 0..1 (studio/generate/training/emoji_eval.py):
- `to_set`: each image's distance to its nearest training work (lower = closer to the works trained on);
- `closer_to_set`: how often that is smaller than the distance to the nearest of the 4,495 colour emoji (the
  base model's own world); `colour`: mean saturation (line art has almost none).
Writes lora_bench.json and samples.png (rows: training works; in-set without / with; out-of-set without / with).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subgroup", default="food-fruit")
    parser.add_argument("--works", type=int, default=16)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seeds", type=int, default=2, help="Images per prompt.")
    parser.add_argument("--sample-steps", type=int, default=20)
    parser.add_argument("--data", type=Path, default=REPO / ".train", help="Folder of the rendered colour dataset.")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "lora")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import numpy as np
    import torch
    from PIL import Image

    from studio.generate.training import emoji_eval, openmoji_data

    torch.manual_seed(0)
    started = time.monotonic()
    manifest_path = args.data / f"{openmoji_data.DATASET_STEM}.json"
    if not manifest_path.is_file():
        print(f"rendering OpenMoji into {args.data} ...", file=sys.stderr)
        openmoji_data.build_dataset(openmoji_data.default_package_dir(), args.data)
    colour, manifest = openmoji_data.load_dataset(manifest_path)
    rows = [e for e in manifest["emoji"] if not e["skintone"]]
    chosen = [e for e in rows if e["subgroup"] == args.subgroup][: args.works]
    if len(chosen) < 4:
        print(f"error: subgroup {args.subgroup!r} has {len(chosen)} emoji; choose another", file=sys.stderr)
        return 2
    others, seen = [], set()
    for e in rows:  # one annotation from each of as many other subgroups
        if e["subgroup"] != args.subgroup and e["subgroup"] not in seen and len(others) < len(chosen):
            seen.add(e["subgroup"])
            others.append(e)
    black_dir = openmoji_data.default_package_dir() / "black" / "svg"
    line_art = np.stack([openmoji_data.render_svg((black_dir / f"{e['hexcode']}.svg").read_text("utf-8"))
                         for e in chosen])

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lora-bench-") as tmp:
        os.environ["STUDIO_DATA_DIR"] = str(Path(tmp) / "data")
        from studio.generate import DiffusersGenerator, GenerationRequest
        from studio.services.studio import Studio

        studio = Studio.open(Path(tmp) / "library")
        try:
            ids = []
            for e, pixels in zip(chosen, line_art, strict=True):
                path = Path(tmp) / f"{e['hexcode']}.png"
                Image.fromarray(pixels).save(path)
                ids.append(_import(studio, path, e))
            selection = studio.training.select(ids)
            job = studio.training.start(selection, "studio-emoji", title=f"{args.subgroup} line art",
                                        creator="bench", steps=args.steps, rank=args.rank, lr=args.lr, seed=0,
                                        device="cpu")
            train_started = time.monotonic()
            job = studio.training.run(job.id)
            train_seconds = time.monotonic() - train_started
            lora = studio.models.get(job.lora_id)
            base = studio.models.get("studio-emoji")
            engine = DiffusersGenerator(studio.services.data_dir, device="cpu")

            def draw(prompts: list[str], with_lora: bool) -> np.ndarray:
                images = []
                for seed in range(args.seeds):
                    for prompt in prompts:
                        request = GenerationRequest(
                            mode="txt2img", prompt=prompt, model=base.model_ref(), seed=seed,
                            steps=args.sample_steps, guidance=4.0, width=64, height=64,
                            loras=(lora.lora_ref(1.0),) if with_lora else ())
                        images.append(np.asarray(engine.run(request).image.convert("RGB"), dtype=np.uint8))
                return np.stack(images)

            in_prompts = [e["annotation"] for e in chosen]
            out_prompts = [e["annotation"] for e in others]
            drawn = {(name, flag): draw(prompts, flag) for name, prompts in (("in_set", in_prompts),
                                                                           ("out_of_set", out_prompts))
                     for flag in (False, True)}
            lineage = {"lora": lora.work.id, "edges": [(e.parent_id, e.relation.value)
                                                       for e in studio.services.graph.parents(lora.work.id)]}
        finally:
            studio.close()

    set_thumbs = emoji_eval.thumbnails(line_art)
    bank_thumbs = emoji_eval.thumbnails(colour)
    results: dict[str, dict[str, float]] = {}
    for (name, flag), images in drawn.items():
        thumbs = emoji_eval.thumbnails(images)
        to_set = _nearest_distance(thumbs, set_thumbs)
        to_bank = _nearest_distance(thumbs, bank_thumbs)
        results[f"{name}_{'with' if flag else 'without'}_lora"] = {
            "to_set": round(float(to_set.mean()), 4),
            "closer_to_set": round(float((to_set < to_bank).mean()), 3),
            "colour": round(_saturation(images), 4),
        }
    report = {
        "subgroup": args.subgroup, "works": len(chosen), "steps": args.steps, "rank": args.rank, "lr": args.lr,
        "images_per_arm": len(chosen) * args.seeds, "train_seconds": round(train_seconds, 1),
        "final_loss": job.loss, "results": results, "lineage": lineage,
        "ratio_to_set_in_set": round(
            results["in_set_with_lora"]["to_set"] / results["in_set_without_lora"]["to_set"], 3),
        "ratio_to_set_out_of_set": round(
            results["out_of_set_with_lora"]["to_set"] / results["out_of_set_without_lora"]["to_set"], 3),
        "device": "cpu", "threads": torch.get_num_threads(), "seconds": round(time.monotonic() - started, 1),
    }
    (args.out / "lora_bench.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    first = slice(0, len(chosen))
    grid = np.concatenate([emoji_eval.grid(block[first], columns=len(chosen), scale=1) for block in (
        line_art, drawn[("in_set", False)], drawn[("in_set", True)], drawn[("out_of_set", False)],
        drawn[("out_of_set", True)])], axis=0)
    Image.fromarray(grid).save(args.out / "samples.png")
    print(json.dumps(report, indent=1))
    return 0


def _import(studio, path: Path, emoji: dict) -> str:
    from studio.services.importing import ImportRequest

    outcome = studio.importing.import_image(ImportRequest(path=path, license_id="cc-by-sa-4.0",
                                                          creator=emoji["author"], title=emoji["annotation"]))
    return outcome.work.id


def _nearest_distance(queries, bank):
    import numpy as np

    d2 = (queries**2).sum(1)[:, None] - 2 * queries @ bank.T + (bank**2).sum(1)[None, :]
    return np.sqrt(np.clip(d2.min(axis=1), 0, None))


def _saturation(images) -> float:
    x = images.astype("float32") / 255.0
    return float((x.max(axis=-1) - x.min(axis=-1)).mean())


if __name__ == "__main__":
    raise SystemExit(main())
