"""Peak memory of loading and running full-size SD 1.5 and SDXL checkpoints on the CPU: the engine's low-memory
path against the old float32 path, in the same run.

Run: `.venv/bin/python bench/memory_bench.py [--arch sd1 --arch sdxl] [--size 256 --steps 2]`

For each architecture a single-file checkpoint of the real layout with random float16 weights (as published
SDXL and pruned SD 1.5 files are) is written to a temporary folder (bench/ldm_checkpoint.py). Each case then
runs in its own fresh process, which loads the file and makes one image; its peak RSS is getrusage's
ru_maxrss for that process. Cases:
- `old float32`: `from_single_file(..., dtype=float32)`, what the engine did before (the whole file in memory
  while every component is converted);
- `engine auto`: the studio's `DiffusersGenerator` with its default choices (bfloat16 on the CPU for real
  models, components loaded one at a time, VAE tiling);
- `engine float32` (SD 1.5 only unless `--engine-fp32-xl`): the new loader in float32, to tell the loader's
  saving from the dtype's, and to compare pixels and speed of bf16 against fp32.
SDXL needs about 21 GB for the old path: the run checks the available memory first and skips that case
(saying so) when it would not fit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.common import machine, markdown_table  # noqa: E402

OUT = REPO / "bench" / "out"
PROMPT = "a lighthouse on a cliff at dusk, oil painting"
GIB = 1 << 30
OLD_PATH_NEEDS = {"sd1": 8 * GIB, "sdxl": 21 * GIB}


def _worker(args: argparse.Namespace) -> dict:
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    if args.case == "old float32":
        image, load_s, gen_s = _old_path(args)
    else:
        image, load_s, gen_s = _engine(args, "float32" if args.case == "engine float32" else "auto")
    pixels = np.asarray(image.convert("RGB"))
    np.save(Path(args.out_dir) / f"{args.arch}-{args.case.replace(' ', '-')}.npy", pixels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"arch": args.arch, "case": args.case, "peak_rss_mb": peak,
            "load_s": load_s, "generate_s": gen_s, "total_s": time.perf_counter() - started,
            "finite": bool(np.isfinite(pixels).all()), "mean": float(pixels.mean())}


def _old_path(args: argparse.Namespace):
    import diffusers
    import torch

    from studio.generate.model_configs import config_folder

    diffusers.utils.logging.disable_progress_bar()
    start = time.perf_counter()
    pipe_cls = diffusers.StableDiffusionXLPipeline if args.arch == "sdxl" else diffusers.StableDiffusionPipeline
    pipe = pipe_cls.from_single_file(args.checkpoint, config=str(config_folder(args.arch, Path(args.data_dir))),
                                     local_files_only=True, dtype=torch.float32).to("cpu")
    pipe.set_progress_bar_config(disable=True)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    with torch.inference_mode():
        image = pipe(PROMPT, num_inference_steps=args.steps, guidance_scale=5.0, width=args.size, height=args.size,
                     generator=torch.Generator("cpu").manual_seed(1)).images[0]
    return image, load_s, time.perf_counter() - start


def _engine(args: argparse.Namespace, dtype: str):
    from studio.generate import DiffusersGenerator, GenerationRequest, ModelRef

    engine = DiffusersGenerator(Path(args.data_dir), device="cpu", dtype=dtype)
    model = ModelRef(id="bench", path=Path(args.checkpoint), arch=args.arch, sha256=args.arch + "-bench", name="bench")
    request = GenerationRequest(mode="txt2img", prompt=PROMPT, model=model, seed=1, steps=args.steps, guidance=5.0,
                                width=args.size, height=args.size)
    start = time.perf_counter()
    engine.plan_for(model)
    engine._model(model)  # loading alone, to time it apart from the image
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    result = engine.run(request)
    print(json.dumps({"recipe_extra": result.recipe.extra}), file=sys.stderr)
    return result.image, load_s, time.perf_counter() - start


def _available() -> int:
    from studio.generate.devices import ram_available_bytes

    return ram_available_bytes()


def _run_case(args: argparse.Namespace, arch: str, case: str, checkpoint: Path, data_dir: str, out_dir: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--case", case, "--arch", arch,
           "--checkpoint", str(checkpoint), "--data-dir", data_dir, "--out-dir", out_dir,
           "--size", str(args.size), "--steps", str(args.steps), "--threads", str(args.threads)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return {"arch": arch, "case": case, "error": last}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", action="append", choices=("sd1", "sdxl"))
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--engine-fp32-xl", action="store_true", help="also run SDXL through the engine in fp32")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--case", "--checkpoint", "--data-dir", "--out-dir"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.arch = args.arch[0]
        print(json.dumps(_worker(args)))
        return

    from bench.ldm_checkpoint import checkpoint_shapes, write_checkpoint
    from studio.generate.model_configs import config_folder

    results, notes = [], []
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        data_dir, out_dir = str(Path(tmp) / "data"), str(Path(tmp) / "out")
        os.makedirs(out_dir)
        for arch in args.arch or ["sd1", "sdxl"]:
            checkpoint = Path(tmp) / f"{arch}-random.safetensors"
            start = time.perf_counter()
            size = write_checkpoint(checkpoint, checkpoint_shapes(arch, config_folder(arch, Path(data_dir))))
            written = time.perf_counter() - start
            notes.append(f"{arch}: {size / GIB:.2f} GiB float16 checkpoint written in {written:.0f} s")
            cases = ["engine auto"]
            if arch == "sd1" or args.engine_fp32_xl:
                cases.append("engine float32")
            available = _available()
            if available >= OLD_PATH_NEEDS[arch]:
                cases.insert(0, "old float32")
            else:
                notes.append(f"{arch}: old float32 path skipped: {available / GIB:.1f} GiB available, "
                             f"it needs about {OLD_PATH_NEEDS[arch] / GIB:.0f} GiB")
            for case in cases:
                results.append(_run_case(args, arch, case, checkpoint, data_dir, out_dir))
                print(json.dumps(results[-1]), flush=True)
            _compare(arch, out_dir, notes)
            checkpoint.unlink()
    report = _report(args, results, notes, argv if argv is not None else sys.argv[1:])
    print(report)
    OUT.mkdir(exist_ok=True)
    (OUT / "memory_bench.md").write_text(report + "\n", encoding="utf-8")


def _compare(arch: str, out_dir: str, notes: list[str]) -> None:
    import numpy as np

    images = {p.stem.split("-", 1)[1]: np.load(p).astype(np.int16) for p in Path(out_dir).glob(f"{arch}-*.npy")}
    reference = images.get("engine-float32", images.get("old-float32"))
    if reference is not None and "engine-auto" in images:
        diff = np.abs(images["engine-auto"] - reference)
        notes.append(f"{arch}: bf16 vs fp32 image: mean abs difference {diff.mean():.2f} levels, max {diff.max()} "
                     "(random weights: a measure of numeric drift, not of picture quality)")
    if "old-float32" in images and "engine-float32" in images:
        same = np.array_equal(images["old-float32"], images["engine-float32"])
        notes.append(f"{arch}: new loader in fp32 vs old path: {'identical pixels' if same else 'pixels differ'}")


def _report(args: argparse.Namespace, results: list[dict], notes: list[str], argv: list[str]) -> str:
    rows = []
    for r in results:
        if "error" in r:
            rows.append([r["arch"], r["case"], "failed: " + " ".join(r["error"])[:120], "", "", ""])
            continue
        rows.append([r["arch"], r["case"], f"{r['peak_rss_mb'] / 1024:.2f}", f"{r['load_s']:.1f}",
                     f"{r['generate_s']:.1f}", "yes" if r["finite"] else "no"])
    lines = [
        "## Memory: full-size SD 1.5 and SDXL on the CPU",
        "",
        f"One txt2img {args.size}x{args.size}, {args.steps} steps, CFG 5, {args.threads} torch threads, one fresh "
        f"process per case; {machine()}",
        "",
        markdown_table(rows, ["arch", "case", "peak RSS GiB", "load s", "generate s", "finite pixels"]),
        "",
        *[f"- {note}" for note in notes],
        "",
        f"Command: `python bench/memory_bench.py {' '.join(argv)}`",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
