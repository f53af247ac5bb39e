"""Peak memory and speed of loading and running full-size SD 1.5 and SDXL checkpoints on the CPU, for each number
format the engine can choose, against float32 in the same run; and the CPU it ran on.

Run: `.venv/bin/python bench/memory_bench.py [--arch sd1 --arch sdxl] [--size 256 --steps 2] [--isa avx2]`

For each architecture a single-file checkpoint of the real layout with random float16 weights (as published
SDXL and pruned SD 1.5 files are) is written to a temporary folder (bench/ldm_checkpoint.py). Each case then
runs in its own fresh process, which loads the file and makes one image; its peak RSS is getrusage's
ru_maxrss for that process. Cases:
- `old float32`: `from_single_file(..., dtype=float32)`, what the engine did first (the whole file in memory
  while every component is converted); only with `--old-path`, when the available memory allows it;
- `float32`: the engine in float32 (components loaded one at a time) - the baseline of the ratios;
- `bfloat16`: the engine computing in bfloat16;
- `bf16 weights, fp32 compute`: the engine keeping bfloat16 weights and computing in float32 layer by layer
  (layerwise casting);
- `auto`: the engine's own choice on this CPU and with this RAM (the recipe's dtypes say which it was).
A case that runs past `--case-timeout` seconds is stopped and reported as such (bfloat16 on a CPU without
native bf16 can take many minutes for one small image).

`--isa avx2` runs every case with torch held to AVX2 (ATEN_CPU_CAPABILITY=avx2 and ONEDNN_MAX_CPU_ISA=AVX2), as on
a CPU without AVX512-BF16 or AMX: the engine's probe then reports AVX2, as such a CPU would.
SDXL needs about 21 GB for the old path: the run checks the available memory first and skips that case
(saying so) when it would not fit.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
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
LAYERWISE = "bf16 weights, fp32 compute"
# Engine cases: (compute dtype, storage dtype) preferences.
ENGINE_CASES = {"float32": ("float32", "auto"), "bfloat16": ("bfloat16", "auto"), LAYERWISE: ("float32", "bfloat16"),
                "auto": ("auto", "auto")}
BASELINE = "float32"
# Environment that holds torch's CPU kernels (ATen) and oneDNN to an instruction set, as on a CPU that lacks more.
ISA_LIMITS = {"avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}}


def _worker(args: argparse.Namespace) -> dict:
    import numpy as np
    import torch

    from studio.generate.torch_runtime import cpu_features

    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    dtypes = {"dtype": "float32", "storage_dtype": "float32"}
    if args.case == "old float32":
        image, load_s, gen_s = _old_path(args)
    else:
        image, load_s, gen_s, dtypes = _engine(args, *ENGINE_CASES[args.case])
    pixels = np.asarray(image.convert("RGB"))
    np.save(Path(args.out_dir) / f"{args.arch}-{_slug(args.case)}.npy", pixels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"arch": args.arch, "case": args.case, "peak_rss_mb": peak,
            "load_s": load_s, "generate_s": gen_s, "total_s": time.perf_counter() - started,
            "compute": dtypes["dtype"], "storage": dtypes["storage_dtype"], "cpu": cpu_features().describe(),
            "finite": bool(np.isfinite(pixels).all()), "mean": float(pixels.mean())}


def _slug(case: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in case)


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


def _engine(args: argparse.Namespace, dtype: str, storage: str):
    from studio.generate import DiffusersGenerator, GenerationRequest, ModelRef

    engine = DiffusersGenerator(Path(args.data_dir), device="cpu", dtype=dtype, storage_dtype=storage)
    model = ModelRef(id="bench", path=Path(args.checkpoint), arch=args.arch, sha256=args.arch + "-bench", name="bench")
    request = GenerationRequest(mode="txt2img", prompt=PROMPT, model=model, seed=1, steps=args.steps, guidance=5.0,
                                width=args.size, height=args.size)
    start = time.perf_counter()
    engine.plan_for(model)
    engine._model(model)  # loading alone, to time it apart from the image
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    result = engine.run(request)
    return result.image, load_s, time.perf_counter() - start, result.recipe.extra


def _available() -> int:
    from studio.generate.devices import ram_available_bytes

    return ram_available_bytes()


def _run_case(args: argparse.Namespace, arch: str, case: str, checkpoint: Path, data_dir: str, out_dir: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--worker-case", case, "--arch", arch,
           "--checkpoint", str(checkpoint), "--data-dir", data_dir, "--out-dir", out_dir,
           "--size", str(args.size), "--steps", str(args.steps), "--threads", str(args.threads)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **ISA_LIMITS.get(args.isa, {})}
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False,
                              timeout=args.case_timeout)
    except subprocess.TimeoutExpired:
        return {"arch": arch, "case": case, "timeout_s": args.case_timeout}
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
    parser.add_argument("--case", dest="cases", action="append", choices=tuple(ENGINE_CASES),
                        help="engine cases to run (default: all; float32 always runs as the baseline)")
    parser.add_argument("--old-path", action="store_true", help="also run diffusers' from_single_file in float32")
    parser.add_argument("--isa", choices=tuple(ISA_LIMITS), help="hold torch to this instruction set")
    parser.add_argument("--case-timeout", type=float, default=600, help="seconds before a case is stopped")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    for hidden in ("--worker-case", "--checkpoint", "--data-dir", "--out-dir"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        args.arch, args.case = args.arch[0], args.worker_case
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
            cases = [BASELINE, *[c for c in ENGINE_CASES if c != BASELINE and c in (args.cases or ENGINE_CASES)]]
            available = _available()
            if args.old_path and available >= OLD_PATH_NEEDS[arch]:
                cases.insert(0, "old float32")
            elif args.old_path:
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
    (OUT / f"memory_bench{'-' + args.isa if args.isa else ''}.md").write_text(report + "\n", encoding="utf-8")


def _compare(arch: str, out_dir: str, notes: list[str]) -> None:
    import numpy as np

    images = {p.stem.split("-", 1)[1]: np.load(p).astype(np.int16) for p in Path(out_dir).glob(f"{arch}-*.npy")}
    reference = images.get(_slug(BASELINE))
    if reference is None:
        return
    for case in (c for c in ENGINE_CASES if c != BASELINE):
        if _slug(case) in images:
            diff = np.abs(images[_slug(case)] - reference)
            notes.append(f"{arch}: {case} vs float32 image: mean abs difference {diff.mean():.2f} levels, "
                         f"max {diff.max()} (random weights: a measure of numeric drift, not of picture quality)")
    if "old-float32" in images:
        same = np.array_equal(images["old-float32"], reference)
        notes.append(f"{arch}: engine float32 vs old path: {'identical pixels' if same else 'pixels differ'}")


def _report(args: argparse.Namespace, results: list[dict], notes: list[str], argv: list[str]) -> str:
    rows = []
    baselines = {r["arch"]: r for r in results if r["case"] == BASELINE and "peak_rss_mb" in r}
    for r in results:
        if "timeout_s" in r:
            base = baselines.get(r["arch"])
            ratio = f" (> {r['timeout_s'] / base['total_s']:.0f}× float32)" if base else ""
            rows.append([r["arch"], r["case"], "", "", f"stopped after {r['timeout_s']:.0f} s{ratio}", "", ""])
            continue
        if "error" in r:
            rows.append([r["arch"], r["case"], "", "", "failed: " + " ".join(r["error"])[:120], "", ""])
            continue
        base = baselines.get(r["arch"])

        def cell(value: float, key: str, fmt: str, base: dict | None = base, r: dict = r) -> str:
            text = fmt.format(value)
            return f"{text} ({r[key] / base[key]:.2f}×)" if base and r is not base and base[key] else text

        rows.append([r["arch"], r["case"], f"{r['compute']} / {r['storage']}",
                     cell(r["peak_rss_mb"] / 1024, "peak_rss_mb", "{:.2f}"), cell(r["load_s"], "load_s", "{:.1f}"),
                     cell(r["generate_s"], "generate_s", "{:.1f}"), "yes" if r["finite"] else "no"])
    cpus = sorted({r["cpu"] for r in results if "cpu" in r})
    held = f"; torch held to {args.isa.upper()} ({', '.join(f'{k}={v}' for k, v in ISA_LIMITS[args.isa].items())})" \
        if args.isa else ""
    steps = f"{args.steps} step{'s' if args.steps != 1 else ''}"
    lines = [
        "## Memory and speed: full-size SD 1.5 and SDXL on the CPU",
        "",
        f"One txt2img {args.size}x{args.size}, {steps}, CFG 5, {args.threads} torch threads, one fresh "
        f"process per case; {machine()}; CPU: {'; '.join(cpus) or 'unknown'}{held}. Ratios are against the engine "
        "in float32 in the same run.",
        "",
        markdown_table(rows, ["arch", "case", "compute / storage", "peak RSS GiB", "load s", "generate s",
                              "finite pixels"]),
        "",
        *[f"- {note}" for note in notes],
        "",
        f"Command: `python bench/memory_bench.py {shlex.join(argv)}`",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
