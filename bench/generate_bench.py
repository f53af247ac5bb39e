"""The generation engine against a plain diffusers script: same model, same request, same machine, one run.

Run: `.venv/bin/python bench/generate_bench.py [--size 128 --steps 4 --runs 5]`
     `.venv/bin/python bench/generate_bench.py --model PATH --size 512 --steps 20 --device cuda --dtype float16`

Each side runs in its own fresh process (so import, load and peak RSS are its own), the sides alternate for
`--rounds` rounds, and warm times are pooled per side. Measured per side:
- first-image latency: from before importing torch/diffusers to the first image, model load included;
- warm generation time (median of `--runs` generations after the first);
- peak RSS (getrusage), and peak GPU memory on CUDA.
The engine runs twice: bare, and with a progress callback and previews, as the app calls it. The images of all
sides must be identical (same seed, same scheduler); the table says whether they were.

Without `--model` it uses the built-in studio-tiny model (built into a temporary data folder); `--family ARCH`
(flux1-schnell, flux1-dev, sd3, qwen-image) builds that family's tiny pipeline (real classes and layout, random
weights, tests/generate/family_models.py) and runs it with the family's defaults, the plain side calling the
pipeline with the same arguments a user would write from the model card (guidance, true CFG, prompt length).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script (python bench/generate_bench.py) as well as with -m
    sys.path.insert(0, str(REPO))

from bench.common import machine, markdown_table  # noqa: E402

OUT = REPO / "bench" / "out"
PROMPT = "a lighthouse on a cliff at dusk, oil painting"
SIDES = ("plain", "engine", "engine+progress")


def _worker(side: str, args: argparse.Namespace) -> dict:
    """One side in this (fresh) process; returns its measurements."""
    import resource

    started = time.perf_counter()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    generate = _plain(args) if side == "plain" else _engine(args, progress=side == "engine+progress")
    image = generate()
    first_s = time.perf_counter() - started
    warm = []
    for _ in range(args.runs):
        start = time.perf_counter()
        generate()
        warm.append(time.perf_counter() - start)
    result = {
        "side": side,
        "first_s": first_s,
        "warm_s": warm,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "image_sha256": hashlib.sha256(image.tobytes()).hexdigest(),
    }
    if args.device.startswith("cuda"):
        import torch

        result["peak_gpu_mb"] = torch.cuda.max_memory_allocated() / 2**20
    return result


def _plain(args: argparse.Namespace):
    """What a user would write with diffusers alone, given the engine's inference_mode so that the ratio measures
    the engine's own overhead (validation, cache lookup, fresh scheduler, step callback), nothing else."""
    import diffusers
    import torch

    diffusers.utils.logging.disable_progress_bar()
    dtype = getattr(torch, args.dtype)
    model = Path(args.model_path)
    if model.is_dir() and args.family:
        index = diffusers.DiffusionPipeline.load_config(model, local_files_only=True)
        pipe = getattr(diffusers, index["_class_name"]).from_pretrained(model, local_files_only=True, dtype=dtype)
    elif model.is_dir():
        pipe = diffusers.AutoPipelineForText2Image.from_pretrained(model, local_files_only=True, dtype=dtype)
    else:
        from studio.generate.model_configs import config_folder

        pipe_cls = diffusers.StableDiffusionXLPipeline if args.arch == "sdxl" else diffusers.StableDiffusionPipeline
        pipe = pipe_cls.from_single_file(str(model), config=str(config_folder(args.arch, Path(args.data_dir))),
                                         local_files_only=True, dtype=dtype)
    pipe = pipe.to(args.device)
    pipe.set_progress_bar_config(disable=True)

    family_kwargs = _family_kwargs(args)

    def generate():
        with torch.inference_mode():
            kwargs = {"guidance_scale": args.guidance, **family_kwargs}
            return pipe(PROMPT, num_inference_steps=args.steps, width=args.size, height=args.size,
                        generator=torch.Generator("cpu").manual_seed(args.seed), **kwargs).images[0]

    return generate


def _family_kwargs(args: argparse.Namespace) -> dict:
    """The arguments each family's model card has a user pass (guidance as the family means it, prompt length)."""
    if not args.family:
        return {}
    from studio.generate.families import FAMILIES

    fam = FAMILIES[args.family]
    kwargs: dict = {"max_sequence_length": fam.max_sequence_length}
    if fam.guidance_kind == "true_cfg":
        kwargs.update(guidance_scale=None, true_cfg_scale=args.guidance, negative_prompt=fam.default_negative_prompt)
    return kwargs


def _engine(args: argparse.Namespace, *, progress: bool):
    from studio.generate import DiffusersGenerator, GenerationRequest, ModelRef

    engine = DiffusersGenerator(Path(args.data_dir), device=args.device, dtype=args.dtype)
    model = ModelRef(id="bench", path=Path(args.model_path), arch=args.arch, sha256=args.sha256, name="bench")
    request = GenerationRequest(mode="txt2img", prompt=PROMPT, model=model, seed=args.seed, steps=args.steps,
                                guidance=args.guidance, width=args.size, height=args.size)
    events: list = []

    def generate():
        return engine.run(request, on_progress=events.append if progress else None).image

    return generate


def _interleaved(args: argparse.Namespace) -> dict:
    """Plain and engine (with progress) alternating in one process, so machine noise hits both alike."""
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    plain, engine = _plain(args), _engine(args, progress=True)
    plain(), engine()
    times: dict[str, list[float]] = {"plain": [], "engine": []}
    for _ in range(args.runs * 2):
        for name, generate in (("plain", plain), ("engine", engine)):
            start = time.perf_counter()
            generate()
            times[name].append(time.perf_counter() - start)
    return times


def _run_side(side: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", side, *_forward(args)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _forward(args: argparse.Namespace) -> list[str]:
    names = ("size", "steps", "runs", "guidance", "seed", "device", "dtype", "threads", "model_path", "arch",
             "sha256", "data_dir", "family")
    out = []
    for name in names:
        value = getattr(args, name)
        if value is not None:
            out += [f"--{name.replace('_', '-')}", str(value)]
    return out


def _prepare_model(args: argparse.Namespace) -> None:
    from studio.generate import builtin_model_ref, inspect_model

    if args.family:
        sys.path.insert(0, str(REPO / "tests" / "generate"))
        from family_models import build_family

        folder = build_family(args.family, Path(args.data_dir) / args.family)
        info = inspect_model(folder)
        args.model_path, args.arch, args.sha256 = str(info.path), info.arch, info.sha256
    elif args.model:
        info = inspect_model(args.model)
        args.model_path, args.arch, args.sha256 = str(info.path), info.arch, info.sha256
    else:
        ref = builtin_model_ref(Path(args.data_dir))
        args.model_path, args.arch, args.sha256 = str(ref.path), ref.arch, ref.sha256


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a diffusers folder, .safetensors checkpoint or cached repo id")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5, help="warm generations per side and round")
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per side, alternating")
    parser.add_argument("--family", choices=("flux1-schnell", "flux1-dev", "sd3", "qwen-image"),
                        help="a tiny pipeline of this family, built in code")
    parser.add_argument("--guidance", type=float, help="default: 7, or the family's")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32", choices=("float32", "float16", "bfloat16"))
    parser.add_argument("--threads", type=int, help="torch threads (default: 1 on CPU, where several threads on a "
                        "busy machine stall unpredictably; torch's own choice on CUDA; 0 = torch's choice)")
    parser.add_argument("--worker", choices=(*SIDES, "interleaved"), help=argparse.SUPPRESS)
    for hidden in ("--model-path", "--arch", "--sha256", "--data-dir"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.threads is None and args.device == "cpu":
        args.threads = 1
    if args.guidance is None:
        from studio.generate.families import FAMILIES

        args.guidance = FAMILIES[args.family].guidance if args.family else 7.0

    if args.worker:
        print(json.dumps(_interleaved(args) if args.worker == "interleaved" else _worker(args.worker, args)))
        return

    with tempfile.TemporaryDirectory(prefix="generate-bench-") as data_dir:
        args.data_dir = data_dir
        _prepare_model(args)
        results: dict[str, list[dict]] = {side: [] for side in SIDES}
        for _ in range(args.rounds):
            for side in SIDES:
                results[side].append(_run_side(side, args))
        interleaved = _run_side("interleaved", args)
    report = _report(args, results, interleaved, argv if argv is not None else sys.argv[1:])
    print(report)
    OUT.mkdir(exist_ok=True)
    (OUT / "generate_bench.md").write_text(report + "\n", encoding="utf-8")


def _report(args: argparse.Namespace, results: dict[str, list[dict]], interleaved: dict[str, list[float]],
            argv: list[str]) -> str:
    def warm(side: str) -> float:
        return statistics.median(t for r in results[side] for t in r["warm_s"])

    def first(side: str) -> float:
        return statistics.median(r["first_s"] for r in results[side])

    plain_warm = warm("plain")
    rows = []
    for side in SIDES:
        rss = max(r["peak_rss_mb"] for r in results[side])
        gpu = max((r.get("peak_gpu_mb", 0.0) for r in results[side]), default=0.0)
        rows.append([side, f"{warm(side) * 1000:.1f}", f"{warm(side) / plain_warm:.3f}", f"{first(side):.2f}",
                     f"{rss:.0f}", f"{gpu:.0f}" if gpu else "-"])
    same_process = statistics.median(interleaved["engine"]) / statistics.median(interleaved["plain"])
    hashes = {r["image_sha256"] for side in SIDES for r in results[side]}
    model = args.model or (f"tiny {args.family}, random weights" if args.family else "built-in studio-tiny")
    lines = [
        f"## Generation engine vs plain diffusers ({model}, {args.arch})",
        "",
        f"txt2img {args.size}x{args.size}, {args.steps} steps, CFG {args.guidance:g}, {args.device} {args.dtype}, "
        f"threads {args.threads or 'default'}; {args.rounds} fresh processes per side x {args.runs} warm runs; "
        f"{machine()}",
        "",
        markdown_table(rows, ["side", "warm median ms", "warm ratio vs plain", "first image s (import+load)",
                              "peak RSS MB", "peak GPU MB"]),
        "",
        f"Same process, plain and engine+progress alternating {len(interleaved['plain'])} times each: "
        f"plain {statistics.median(interleaved['plain']) * 1000:.1f} ms, "
        f"engine {statistics.median(interleaved['engine']) * 1000:.1f} ms, ratio **{same_process:.3f}** "
        "(goal <= 1.05; the least noisy figure on a shared machine).",
        "",
        f"Images identical across all sides: {'yes' if len(hashes) == 1 else f'NO ({len(hashes)} distinct)'}.",
        "",
        f"Command: `python bench/generate_bench.py {' '.join(argv)}`",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
