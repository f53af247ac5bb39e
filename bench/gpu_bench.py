"""The generation engine against plain diffusers on a GPU: full-size SD 1.5 at 512x512 and SDXL at 1024x1024.

Run on a CUDA machine: `python bench/gpu_bench.py` (JSON on stdout and in $OUT/gpu_bench.json, else
bench/out/gpu_bench.json). `--tiny` builds the same layouts at toy widths and runs them on this machine's
default device (the CPU here), to check the script itself.

Per architecture, in one process:
1. build the model in code from the studio's bundled configs (the real layout, random weights), directly on the
   device and in the dtype the engine picks for it (bf16 on Ampere and newer), and save it as a diffusers
   folder;
2. plain: that pipeline object, as a diffusers user would run it (same class, dtype and device);
3. engine: the studio's `DiffusersGenerator` loading the saved folder through its own loader, with the
   default device and dtype; run bare and with a progress callback and previews, as the app runs it;
4. one warm-up each, then `--runs` rounds in which the three sides take turns (the order rotating), each
   timed to the image in memory; ratios are medians engine / plain (goal <= 1.05).
It also reports whether the engine's image equals plain diffusers' and whether repeating a request on the
same device gives the same pixels.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PROMPT = "a lighthouse on a cliff at dusk, oil painting"
FULL = {"sd1": (512, 20), "sdxl": (1024, 20)}
TINY = {"sd1": (128, 4), "sdxl": (128, 4)}
# Toy widths for --tiny: the SD 1.x case uses the built-in model's configs; SDXL keeps its layout (text-time
# embedding, two text encoders, 2 transformer layers in the deeper block) at small widths.
TINY_XL = {
    "unet": {"block_out_channels": [32, 64], "layers_per_block": 1, "down_block_types":
             ["DownBlock2D", "CrossAttnDownBlock2D"], "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
             "attention_head_dim": [2, 4], "transformer_layers_per_block": [1, 2], "addition_time_embed_dim": 8,
             "projection_class_embeddings_input_dim": 80, "cross_attention_dim": 64, "norm_num_groups": 32},
    "vae": {"block_out_channels": [32, 32, 64, 64], "layers_per_block": 1, "norm_num_groups": 32},
    "text_encoder": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                     "projection_dim": 32},
    "text_encoder_2": {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                       "num_attention_heads": 4, "projection_dim": 32},
}


def build(arch: str, tiny: bool, config: Path, folder: Path, device: str, dtype: Any) -> Any:
    """A pipeline of `arch`'s layout with random weights, made on `device` in `dtype`, saved to `folder`."""
    import diffusers
    import torch
    import transformers

    from studio.generate.model_configs import read_config

    source = "studio-tiny" if tiny and arch == "sd1" else arch

    def cfg(part: str) -> dict:
        values = read_config(source, part)
        return values | TINY_XL.get(part, {}) if tiny and arch == "sdxl" else values

    torch.manual_seed(0)
    with torch.device(device):
        unet = diffusers.UNet2DConditionModel.from_config(cfg("unet")).to(dtype)
        vae = diffusers.AutoencoderKL.from_config(cfg("vae")).to(dtype)
        text = transformers.CLIPTextModel(transformers.CLIPTextConfig(**cfg("text_encoder"))).to(dtype)
        text_2 = None
        if arch == "sdxl":
            text_2 = transformers.CLIPTextModelWithProjection(
                transformers.CLIPTextConfig(**cfg("text_encoder_2"))).to(dtype)
    scheduler = diffusers.EulerDiscreteScheduler.from_config(read_config(source, "scheduler"))
    tokenizer = transformers.CLIPTokenizer.from_pretrained(config / "tokenizer")
    if arch == "sdxl":
        pipe = diffusers.StableDiffusionXLPipeline(
            vae=vae, text_encoder=text, text_encoder_2=text_2, tokenizer=tokenizer,
            tokenizer_2=transformers.CLIPTokenizer.from_pretrained(config / "tokenizer_2"), unet=unet,
            scheduler=scheduler, add_watermarker=False)
    else:
        pipe = diffusers.StableDiffusionPipeline(
            vae=vae, text_encoder=text, tokenizer=tokenizer, unet=unet, scheduler=scheduler, safety_checker=None,
            feature_extractor=None, requires_safety_checker=False)
    pipe.save_pretrained(folder, safe_serialization=True)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def bench_arch(arch: str, args: argparse.Namespace, tmp: Path) -> dict:
    import numpy as np
    import torch

    from studio.generate import DiffusersGenerator, GenerationRequest, ModelRef
    from studio.generate.model_configs import config_folder

    size, steps = (TINY if args.tiny else FULL)[arch]
    source = "studio-tiny" if args.tiny and arch == "sd1" else arch
    config = config_folder(source, tmp / "data")
    folder = tmp / f"{arch}-model"
    engine = DiffusersGenerator(tmp / "data", device=args.device)
    ref = ModelRef(id=arch, path=folder, arch=source, sha256=f"{arch}-gpu-bench", name=arch)
    start = time.perf_counter()
    # The device and dtype the engine chooses for this model (the folder is still empty: no weights are counted,
    # which changes only the offload decision, taken again when the engine loads the saved model).
    plan = engine.plan_for(ref)
    dtype = getattr(torch, plan.dtype)
    plain = build(arch, args.tiny, config, folder, plan.device, dtype)
    build_s = time.perf_counter() - start
    request = GenerationRequest(mode="txt2img", prompt=PROMPT, model=ref, seed=1234, steps=steps, guidance=7.0,
                                width=size, height=size)
    start = time.perf_counter()
    engine.run(replace_steps(request, 1))  # loads the folder through the engine's loader
    load_s = time.perf_counter() - start
    cuda = plan.device.startswith("cuda")

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    def run_plain():
        with torch.inference_mode():
            return plain(PROMPT, num_inference_steps=steps, guidance_scale=7.0, width=size, height=size,
                         generator=torch.Generator("cpu").manual_seed(1234)).images[0]

    events: list = []
    sides = {"plain": run_plain, "engine": lambda: engine.run(request).image,
             "engine+progress": lambda: engine.run(request, on_progress=events.append).image}
    images = {name: fn() for name, fn in sides.items()}  # warm-up
    times: dict[str, list[float]] = {name: [] for name in sides}
    order = list(sides)
    for round_ in range(args.runs):
        for name in order[round_ % 3:] + order[:round_ % 3]:
            sync()
            begin = time.perf_counter()
            image = sides[name]()
            sync()
            times[name].append(time.perf_counter() - begin)
            if name == "engine":
                repeat = image
    plain_median = statistics.median(times["plain"])
    same = np.array_equal(np.asarray(images["plain"]), np.asarray(images["engine"]))
    result = {
        "size": size, "steps": steps, "device": plan.device, "dtype": plan.dtype, "offload": plan.offload,
        "weights": sum(p.numel() for part in ("unet", "vae", "text_encoder", "text_encoder_2")
                       if getattr(plain, part, None) is not None for p in getattr(plain, part).parameters()),
        "build_and_save_s": round(build_s, 2), "engine_first_load_s": round(load_s, 2),
        "median_s": {name: round(statistics.median(t), 4) for name, t in times.items()},
        "times_s": {name: [round(x, 4) for x in t] for name, t in times.items()},
        "ratio_engine": round(statistics.median(times["engine"]) / plain_median, 4),
        "ratio_engine_progress": round(statistics.median(times["engine+progress"]) / plain_median, 4),
        "engine_equals_plain_pixels": bool(same),
        "engine_repeat_same_pixels": bool(np.array_equal(np.asarray(images["engine"]), np.asarray(repeat))),
        "previews": sum(1 for e in events if e.preview is not None),
    }
    if cuda:
        result["peak_gpu_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    engine.close()
    return result


def replace_steps(request: Any, steps: int) -> Any:
    from dataclasses import replace

    return replace(request, steps=steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="toy widths on this machine, to check the script")
    parser.add_argument("--arch", action="append", choices=("sd1", "sdxl"))
    parser.add_argument("--runs", type=int, default=5, help="timed rounds per architecture")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    import diffusers
    import torch

    if not torch.cuda.is_available():
        torch.set_num_threads(1)  # steadier timings on a shared CPU
    report: dict[str, Any] = {
        "tiny": args.tiny, "torch": torch.__version__, "diffusers": diffusers.__version__,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, "cases": {},
    }
    with tempfile.TemporaryDirectory(prefix="gpu-bench-") as tmp:
        for arch in args.arch or ["sd1", "sdxl"]:
            report["cases"][arch] = bench_arch(arch, args, Path(tmp))
            print(json.dumps({arch: report["cases"][arch]["median_s"]}), file=sys.stderr, flush=True)
            if torch.cuda.is_available():
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
    report["total_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, indent=2)
    print(text)
    out = Path(os.environ["OUT"]) if os.environ.get("OUT") else REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_bench.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
