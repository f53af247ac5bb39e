"""Device and dtype choice: the plan from the machine's facts, the recipe, the setting and `--device`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gen_helpers import pixels

from studio.cli.main import cli
from studio.errors import InvalidInput
from studio.generate import DiffusersGenerator
from studio.generate.devices import GIB, CudaDevice, Hardware, check_device, plan, weight_count

SD1_WEIGHTS = 1_066_000_000
SDXL_WEIGHTS = 3_470_000_000
CPU_ONLY = Hardware(ram_available_bytes=20 * GIB)


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


def test_cpu_runs_real_models_in_bf16_with_vae_tiling_and_the_toy_model_in_fp32():
    sd = plan("cpu", "auto", "sd1", SD1_WEIGHTS, CPU_ONLY)
    assert (sd.device, sd.dtype, sd.vae_tiling, sd.attention_slicing, sd.offload) == ("cpu", "bfloat16", True,
                                                                                       False, False)
    assert plan("auto", "auto", "studio-tiny", 5_000_000, CPU_ONLY).dtype == "float32"
    short = plan("cpu", "auto", "sdxl", SDXL_WEIGHTS, Hardware(ram_available_bytes=8 * GIB))
    assert short.attention_slicing


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
