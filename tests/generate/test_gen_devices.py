"""Device and dtype choice: the plan from the machine's facts (the CPU's reported capabilities included), layerwise
casting, the recipe, the setting and `--device`."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gen_helpers import pixels

from studio.cli.main import cli
from studio.errors import InvalidInput
from studio.generate import DiffusersGenerator, ModelRef, Progress
from studio.generate.devices import (
    GIB,
    CpuFeatures,
    CudaDevice,
    Hardware,
    check_device,
    native_bf16,
    plan,
    weight_count,
)
from studio.generate.torch_runtime import probe

SD1_WEIGHTS = 1_066_000_000
SDXL_WEIGHTS = 3_470_000_000
# CPUs as they report themselves: ATen's capability, the architecture, a name and /proc/cpuinfo-style flags.
_X86 = frozenset({"sse4_2", "avx", "avx2", "fma", "f16c"})
_AVX512 = _X86 | {"avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_vnni"}
AVX2_ONLY = CpuFeatures("AVX2", "x86_64", "Intel Core i7-1165G7", _X86)
AVX512_NO_BF16 = CpuFeatures("AVX512", "x86_64", "Intel Xeon Gold 6248", _AVX512)
AVX512_BF16 = CpuFeatures("AVX512", "x86_64", "AMD EPYC 9654", _AVX512 | {"avx512_bf16"})
AMX = CpuFeatures("AVX512", "x86_64", "Intel Xeon Platinum 8480+", _AVX512 | {"amx_tile", "amx_bf16", "amx_int8"})
# bf16 flags but ATen held to lesser kernels (ATEN_CPU_CAPABILITY=avx2 or default): no fast bf16 path.
BF16_FLAGS_AVX2_ATEN = replace(AVX512_BF16, capability="AVX2")
BF16_FLAGS_SCALAR_ATEN = replace(AMX, capability="DEFAULT")
ARM_BF16 = CpuFeatures("DEFAULT", "aarch64", "", frozenset({"fp", "asimd", "sve", "bf16", "i8mm"}))
ARM_NO_BF16 = CpuFeatures("DEFAULT", "aarch64", "", frozenset({"fp", "asimd", "crc32"}))
APPLE_M2 = CpuFeatures("DEFAULT", "arm64", "Apple M2", frozenset({"bf16"}))
APPLE_M1 = CpuFeatures("DEFAULT", "arm64", "Apple M1", frozenset())
CPU_ONLY = Hardware(ram_available_bytes=20 * GIB, cpu=AVX512_BF16)


def gpu(capability: tuple[int, int], free_gib: float) -> CudaDevice:
    return CudaDevice("GPU", capability, int(free_gib * GIB), 80 * GIB)


def test_auto_takes_cuda_then_mps_then_the_cpu():
    assert plan("auto", "auto", "sd1", SD1_WEIGHTS, Hardware(cuda=(gpu((9, 0), 100),), mps=True)).device == "cuda:0"
    assert plan("auto", "auto", "sd1", SD1_WEIGHTS, Hardware(mps=True)).device == "mps"
    assert plan("auto", "auto", "sd1", SD1_WEIGHTS, CPU_ONLY).device == "cpu"


def test_dtype_is_bf16_on_ampere_and_newer_fp16_on_older_gpus_and_mps():
    assert plan("cuda", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((9, 0), 100),))).dtype == "bfloat16"
    assert plan("cuda", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((8, 0), 100),))).dtype == "bfloat16"
    assert plan("cuda", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((7, 5), 100),))).dtype == "float16"
    assert plan("mps", "auto", "sd1", SD1_WEIGHTS, Hardware(mps=True)).dtype == "float16"
    assert plan("cuda", "float32", "sd1", SD1_WEIGHTS, Hardware(cuda=(gpu((9, 0), 100),))).dtype == "float32"


def test_a_bf16_cpu_runs_real_models_in_bf16_with_vae_tiling_and_the_toy_model_in_fp32():
    sd = plan("cpu", "auto", "sd1", SD1_WEIGHTS, CPU_ONLY)
    assert (sd.device, sd.dtype, sd.storage_dtype, sd.vae_tiling, sd.attention_slicing, sd.offload) == (
        "cpu", "bfloat16", "bfloat16", True, False, False)
    assert not sd.layerwise_casting and "natively" in sd.notes[0]
    toy = plan("auto", "auto", "studio-tiny", 5_000_000, CPU_ONLY)
    assert (toy.dtype, toy.storage_dtype) == ("float32", "float32")
    short = plan("cpu", "auto", "sdxl", SDXL_WEIGHTS, Hardware(ram_available_bytes=8 * GIB, cpu=AVX512_BF16))
    assert (short.dtype, short.attention_slicing) == ("bfloat16", True)


@pytest.mark.parametrize(("cpu", "native"), [
    (AVX2_ONLY, False), (AVX512_NO_BF16, False), (AVX512_BF16, True), (AMX, True), (BF16_FLAGS_AVX2_ATEN, False),
    (BF16_FLAGS_SCALAR_ATEN, False),
    (ARM_BF16, True), (ARM_NO_BF16, False), (APPLE_M2, True), (APPLE_M1, False), (CpuFeatures(), False),
])
def test_native_bf16_follows_what_the_cpu_reports(cpu, native):
    assert native_bf16(cpu) is native


# (cpu, GiB available, compute dtype, storage dtype, attention slicing) for SD 1.5 (4.3 GB of float32 weights,
# 2.1 GB of bf16 ones) and SDXL (13.9 GB and 6.9 GB).
@pytest.mark.parametrize(("arch", "cpu", "ram_gib", "compute", "storage", "slicing"), [
    ("sd1", AVX2_ONLY, 16, "float32", "float32", False),  # the RAM holds float32 weights twice over
    ("sd1", AVX2_ONLY, 6, "float32", "bfloat16", False),  # short for float32: bf16 weights, float32 compute
    ("sd1", AVX2_ONLY, 3, "float32", "bfloat16", True),  # short even for bf16 weights: attention slicing too
    ("sd1", AVX2_ONLY, 0, "float32", "float32", False),  # unknown RAM counts as enough
    ("sdxl", AVX2_ONLY, 16, "float32", "bfloat16", False),  # a 16 GB laptop without a GPU
    ("sdxl", AVX2_ONLY, 64, "float32", "float32", False),
    ("sdxl", AVX512_NO_BF16, 16, "float32", "bfloat16", False),
    ("sdxl", AVX512_NO_BF16, 64, "float32", "float32", False),
    ("sdxl", AVX512_BF16, 16, "bfloat16", "bfloat16", False),
    ("sdxl", AVX512_BF16, 64, "bfloat16", "bfloat16", False),
    ("sdxl", AMX, 8, "bfloat16", "bfloat16", True),
    ("sd2", ARM_BF16, 16, "bfloat16", "bfloat16", False),
    ("sd2", ARM_NO_BF16, 16, "float32", "float32", False),
    ("sd2", ARM_NO_BF16, 3, "float32", "bfloat16", True),
    ("sdxl", APPLE_M2, 16, "bfloat16", "bfloat16", False),
    ("sdxl-inpaint", APPLE_M1, 16, "float32", "bfloat16", False),
])
def test_cpu_dtypes_follow_the_cpu_and_the_memory(arch, cpu, ram_gib, compute, storage, slicing):
    chosen = plan("cpu", "auto", arch, SDXL_WEIGHTS if arch.startswith("sdxl") else SD1_WEIGHTS,
                  Hardware(ram_available_bytes=ram_gib * GIB, cpu=cpu))
    assert (chosen.dtype, chosen.storage_dtype, chosen.attention_slicing) == (compute, storage, slicing)
    assert chosen.layerwise_casting is (compute != storage)
    assert chosen.vae_tiling and not chosen.offload
    assert cpu.capability in chosen.notes[0]


def test_explicit_dtypes_are_kept_whatever_the_cpu():
    slow = Hardware(ram_available_bytes=64 * GIB, cpu=AVX2_ONLY)
    forced = plan("cpu", "bfloat16", "sdxl", SDXL_WEIGHTS, slow)
    assert (forced.dtype, forced.storage_dtype) == ("bfloat16", "bfloat16")
    layerwise = plan("cpu", "float32", "studio-tiny", 5_000_000, slow, storage="bfloat16")
    assert (layerwise.dtype, layerwise.storage_dtype, layerwise.layerwise_casting) == ("float32", "bfloat16", True)
    stored_only = plan("cpu", "auto", "sd1", SD1_WEIGHTS, Hardware(ram_available_bytes=64 * GIB, cpu=AVX512_BF16),
                       storage="float32")
    assert (stored_only.dtype, stored_only.storage_dtype) == ("bfloat16", "float32")
    on_gpu = plan("cuda", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((9, 0), 100),)))
    assert (on_gpu.dtype, on_gpu.storage_dtype) == ("bfloat16", "bfloat16")
    with pytest.raises(InvalidInput, match="Unknown dtype"):
        plan("cpu", "float32", "sd1", SD1_WEIGHTS, slow, storage="int8")


def _reported_flags() -> set[str]:
    """The CPU's feature flags as the system reports them, read here independently of the engine's probe."""
    if sys.platform == "darwin":
        done = subprocess.run(["sysctl", "-n", "hw.optional.arm.FEAT_BF16"], capture_output=True, text=True,
                              check=False)
        return {"bf16"} if done.stdout.strip() == "1" else set()
    lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    return {flag for line in lines if line.split(":")[0].strip().lower() in ("flags", "features")
            for flag in line.split(":", 1)[1].lower().split()}


def test_the_plan_on_this_machine_follows_what_its_cpu_reports(gen_data_dir, single_file_checkpoint):
    import torch

    flags, capability = _reported_flags(), torch.backends.cpu.get_cpu_capability()
    arm = platform.machine().lower() in ("arm64", "aarch64")
    reported_native = bool(flags & {"bf16"}) if arm else (
        bool(flags & {"avx512_bf16", "amx_bf16"}) and capability.startswith("AVX512"))
    hardware = probe()
    assert hardware.cpu.capability == capability and hardware.cpu.machine == platform.machine()
    for flag in ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "bf16"):
        assert (flag in hardware.cpu.flags) == (flag in flags), flag

    roomy = plan("cpu", "auto", "sd1", SD1_WEIGHTS, replace(hardware, ram_available_bytes=64 * GIB))
    short = plan("cpu", "auto", "sd1", SD1_WEIGHTS, replace(hardware, ram_available_bytes=5 * GIB))
    if reported_native:
        assert (roomy.dtype, roomy.storage_dtype, short.dtype, short.storage_dtype) == ("bfloat16",) * 4
    else:
        assert (roomy.dtype, roomy.storage_dtype) == ("float32", "float32")
        assert (short.dtype, short.storage_dtype) == ("float32", "bfloat16")

    # The engine's own plan for a real architecture, with this machine's RAM as it is now.
    ref = ModelRef(id="sd1-shaped", path=single_file_checkpoint, arch="sd1", sha256="0" * 64, name="sd1-shaped")
    engine_plan = DiffusersGenerator(gen_data_dir, device="cpu").plan_for(ref)
    assert engine_plan.dtype == ("bfloat16" if reported_native else "float32")


def test_model_cpu_offload_only_when_the_gpu_is_short_of_free_memory():
    roomy = plan("cuda:1", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((9, 0), 1), gpu((9, 0), 60))))
    assert (roomy.device, roomy.offload) == ("cuda:1", False)
    # 3.47 G weights in bf16 need 6.9 GB plus working room: 8 GiB free is not enough.
    short = plan("cuda", "auto", "sdxl", SDXL_WEIGHTS, Hardware(cuda=(gpu((8, 6), 8),)))
    assert short.offload and "offload" in short.notes[0]
    assert not plan("cuda", "auto", "sd1", SD1_WEIGHTS, Hardware(cuda=(gpu((8, 6), 8),))).offload


@pytest.mark.parametrize("value", ["gpu", "cuda:x", "cuda0", "tpu", "cuda:123"])
def test_unknown_device_names_are_refused_with_the_choices(value):
    with pytest.raises(InvalidInput, match="Unknown device") as info:
        check_device(value)
    assert "cuda:N" in (info.value.hint or "")


def test_a_device_the_machine_lacks_is_refused_clearly():
    with pytest.raises(InvalidInput, match="No CUDA GPU"):
        plan("cuda", "auto", "sd1", SD1_WEIGHTS, CPU_ONLY)
    with pytest.raises(InvalidInput, match="no GPU cuda:2"):
        plan("cuda:2", "auto", "sd1", SD1_WEIGHTS, Hardware(cuda=(gpu((9, 0), 50),)))
    with pytest.raises(InvalidInput, match="MPS"):
        plan("mps", "auto", "sd1", SD1_WEIGHTS, CPU_ONLY)


def test_weight_count_reads_the_safetensors_headers(tiny, tiny_pipeline, single_file_checkpoint):
    expected = sum(p.numel() for part in (tiny_pipeline.unet, tiny_pipeline.vae, tiny_pipeline.text_encoder)
                   for p in part.state_dict().values())
    assert weight_count(tiny.path) == expected
    assert weight_count(single_file_checkpoint) == expected


def test_device_and_dtype_are_in_the_recipe_and_pixels_repeat_per_device(generator, make_request, gen_data_dir):
    request = make_request(seed=11)
    first, second = generator.run(request), generator.run(request)
    assert (first.recipe.extra["device"], first.recipe.extra["dtype"]) == ("cpu", "float32")
    assert np.array_equal(pixels(first.image), pixels(second.image))
    bf16 = DiffusersGenerator(gen_data_dir, device="cpu", dtype="bfloat16").run(request)
    assert bf16.recipe.extra["dtype"] == "bfloat16"
    # Another dtype draws the same picture with small differences, which is why it is recorded.
    difference = np.abs(pixels(bf16.image) - pixels(first.image)).mean()
    assert 0 < difference < 20


def test_layerwise_casting_stores_bf16_weights_computes_in_fp32_and_says_so_in_the_recipe(
        generator, make_request, gen_data_dir, single_file_checkpoint):
    import torch

    request = make_request(seed=11)
    fp32 = generator.run(request)
    bf16 = DiffusersGenerator(gen_data_dir, device="cpu", dtype="bfloat16").run(request)
    engine = DiffusersGenerator(gen_data_dir, device="cpu", dtype="float32", storage_dtype="bfloat16",
                                preview_interval_s=0)
    events: list[Progress] = []
    result = engine.run(request, on_progress=events.append)
    assert (result.recipe.extra["device"], result.recipe.extra["dtype"], result.recipe.extra["storage_dtype"]) == (
        "cpu", "float32", "bfloat16")
    assert (fp32.recipe.extra["storage_dtype"], bf16.recipe.extra["storage_dtype"]) == ("float32", "bfloat16")
    assert result.image.size == (request.width, request.height) and result.steps_run == request.steps
    # Previews decode through the VAE in its compute dtype.
    assert len([e for e in events if e.preview is not None]) == request.steps - 1  # none at the last step

    pipe = engine._cache[request.model.sha256].base
    for part in (pipe.unet, pipe.vae, pipe.text_encoder):
        layers = [m for m in part.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv2d)]
        stored = {m.weight.dtype for m in layers}
        norms = {p.dtype for m in part.modules() if isinstance(m, torch.nn.GroupNorm | torch.nn.LayerNorm)
                 for p in m.parameters()}
        assert torch.bfloat16 in stored and norms == {torch.float32}, type(part).__name__
    assert pipe.unet.dtype == pipe.vae.dtype == pipe.text_encoder.dtype == torch.float32

    image, again = pixels(result.image), pixels(engine.run(request).image)
    assert np.array_equal(image, again)
    # The same picture; bf16 weights alone drift less from float32 than computing in bf16 does.
    to_fp32 = np.abs(image - pixels(fp32.image)).mean()
    assert 0 < to_fp32 < np.abs(pixels(bf16.image) - pixels(fp32.image)).mean()

    # A single-file checkpoint loads its components in bf16 and takes the same hooks.
    ref = replace(request.model, path=single_file_checkpoint, sha256="1" * 64)
    from_file = engine.run(replace(request, model=ref))
    assert from_file.recipe.extra["storage_dtype"] == "bfloat16"
    assert np.abs(pixels(from_file.image) - image).mean() < 1


def test_a_lora_applies_under_layerwise_casting(gen_data_dir, make_request, lora_infos):
    engine = DiffusersGenerator(gen_data_dir, device="cpu", dtype="float32", storage_dtype="bfloat16")
    base = pixels(engine.run(make_request()).image)
    styled = engine.run(make_request(loras=(lora_infos["diffusers"].lora_ref("lora-1", weight=1.0),)))
    assert np.abs(pixels(styled.image) - base).max() > 10
    assert np.array_equal(pixels(engine.run(make_request()).image), base)


def test_asking_for_a_gpu_on_a_machine_without_one_fails_before_loading(gen_data_dir, make_request):
    engine = DiffusersGenerator(gen_data_dir, device="cuda")
    with pytest.raises(InvalidInput, match="No CUDA GPU"):
        engine.run(make_request())
    assert engine.loads == 0


def _cli(library: Path, *args: str):
    return CliRunner().invoke(cli, ["--library", str(library), *args], catch_exceptions=False)


def test_device_setting_and_option_on_the_command_line(tmp_path):
    library = tmp_path / "lib"
    bad = _cli(library, "generate", "a lake", "--device", "gpu0", "--steps", "2", "--size", "64x64")
    assert bad.exit_code != 0 and "Traceback" not in bad.output
    assert [line for line in bad.stderr.splitlines() if line] == [bad.stderr.strip()]
    assert "Unknown device" in bad.stderr and "cuda:N" in bad.stderr

    assert json.loads(_cli(library, "models", "device", "--json").stdout) == {"device": "auto"}
    assert "cpu (saved)" in _cli(library, "models", "device", "cpu").stdout
    assert json.loads(_cli(library, "models", "device", "--json").stdout) == {"device": "cpu"}
    refused = _cli(library, "models", "device", "quantum")
    assert refused.exit_code != 0 and "Unknown device" in refused.stderr

    made = _cli(library, "generate", "a lake", "--device", "cpu", "--steps", "2", "--size", "64x64", "--seed", "3",
                "--json")
    assert made.exit_code == 0, made.output
    recipe = json.loads(made.stdout)["recipe"]
    assert (recipe["extra"]["device"], recipe["extra"]["dtype"]) == ("cpu", "float32")


def test_a_request_to_dict_is_unchanged_by_devices(make_request):
    request = make_request()
    assert "device" not in request.to_dict() and replace(request).to_dict() == request.to_dict()


def test_single_file_loads_component_by_component_in_the_target_dtype(gen_data_dir, single_file_checkpoint,
                                                                         make_request):
    import diffusers
    import torch

    from studio.generate.model_configs import config_folder
    from studio.generate.torch_loading import load_single_file

    config = config_folder("studio-tiny", gen_data_dir)
    ours = load_single_file(single_file_checkpoint, xl=False, config=config, dtype=torch.bfloat16)
    theirs = diffusers.StableDiffusionPipeline.from_single_file(
        str(single_file_checkpoint), config=str(config), local_files_only=True, dtype=torch.bfloat16)
    for part in ("unet", "vae", "text_encoder"):
        mine, reference = getattr(ours, part).state_dict(), getattr(theirs, part).state_dict()
        assert mine.keys() == reference.keys()
        assert all(mine[k].dtype == reference[k].dtype and torch.equal(mine[k], reference[k]) for k in mine), part
        floats = [v for v in mine.values() if v.is_floating_point()]
        assert floats and all(v.dtype == torch.bfloat16 for v in floats)


# Published sizes (transformer + text encoders + VAE), from the models' cards: FLUX.1 12B + T5-XXL 4.7B + CLIP-L,
# SD3.5 Large 8.1B + T5-XXL + CLIP-L/G, Qwen-Image 20B + Qwen2.5-VL 7B (8.3B with its vision tower).
FAMILY_WEIGHTS = {"flux1-schnell": 16_900_000_000, "flux1-dev": 16_900_000_000, "sd3": 13_600_000_000,
                  "qwen-image": 28_500_000_000}


@pytest.mark.parametrize("arch", sorted(FAMILY_WEIGHTS))
def test_family_plans_over_sizes_and_ram(arch: str) -> None:
    params = FAMILY_WEIGHTS[arch]
    bf16_gib, fp32_gib = params * 2 / GIB, params * 4 / GIB
    for ram_gib in (16, 32, 64, 128, 256):
        hardware = Hardware(ram_available_bytes=ram_gib * GIB, cpu=AVX2_ONLY)
        p = plan("cpu", "auto", arch, params, hardware)
        assert p.dtype == "float32" and p.vae_tiling
        # float32 weights when twice their size is available, else bf16 storage with float32 compute
        assert p.storage_dtype == ("float32" if ram_gib >= 2 * fp32_gib else "bfloat16")
        assert p.fits == (ram_gib >= (fp32_gib if p.storage_dtype == "float32" else bf16_gib)), (arch, ram_gib)
        if not p.fits:
            assert "what would help" in p.notes[-1] and "CUDA GPU" in p.notes[-1]
        # Forced float32 weights that do not fit are told the bf16 size would help.
        forced = plan("cpu", "float32", arch, params, hardware, storage="float32")
        if ram_gib < fp32_gib:
            assert not forced.fits and f"storage dtype bfloat16: {bf16_gib:.1f} GiB" in forced.notes[-1]
    # A GPU holding the weights needs no RAM for them; one too small offloads and needs the RAM instead.
    big = Hardware(cuda=(gpu((9, 0), 141),), ram_available_bytes=16 * GIB)
    assert plan("auto", "auto", arch, params, big).fits == (bf16_gib + 6 <= 141)
    small = Hardware(cuda=(gpu((8, 9), 20),), ram_available_bytes=16 * GIB)
    offloaded = plan("auto", "auto", arch, params, small)
    assert offloaded.offload and not offloaded.fits


def test_a_model_that_cannot_fit_is_refused_before_loading(family_refs: dict[str, ModelRef], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import studio.generate.diffusers_backend as backend
    from studio.generate import GenerationRequest

    ref = family_refs["flux1-schnell"]
    params = weight_count(ref.path)
    starved = Hardware(ram_available_bytes=params * 2, cpu=AVX2_ONLY)
    assert plan("cpu", "float32", ref.arch, params, replace(starved, ram_available_bytes=params * 4),
                storage="float32").fits
    # The machine's facts are the neighbour here: this machine reports only half the float32 weights' size free.
    monkeypatch.setattr(backend, "probe", lambda: starved)
    engine = DiffusersGenerator(tmp_path, device="cpu", dtype="float32", storage_dtype="float32")
    request = GenerationRequest(mode="txt2img", prompt="x", model=ref, seed=1, steps=1, guidance=0.0, width=64,
                                height=64)
    with pytest.raises(InvalidInput, match=r"does not fit this machine.*what would help: bfloat16 weights"):
        engine.run(request)
    assert engine.loads == 0
