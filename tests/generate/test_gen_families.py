"""FLUX.1 [schnell] and [dev], SD3.5 and Qwen-Image through the same GenerationRequest: detection, defaults, the
modes, reproducibility, LoRAs; on real diffusers pipelines with tiny random weights built in code."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from gen_helpers import SIZE, pixels
from PIL import Image

from studio.core.modes import Mode
from studio.errors import InvalidInput
from studio.generate import DiffusersGenerator, GenerationRequest, ModelRef, inspect_model
from studio.generate.families import FAMILIES, check_pipeline_available
from studio.services.generation import default_guidance, default_steps

ARCHS = ("flux1-schnell", "flux1-dev", "sd3", "qwen-image")


def request_for(ref: ModelRef, **changes: object) -> GenerationRequest:
    fam = FAMILIES[ref.arch]
    base = GenerationRequest(mode="txt2img", prompt="a red fox", model=ref, seed=3, steps=2,
                             guidance=fam.guidance, width=SIZE, height=SIZE)
    return replace(base, **changes)


def test_folders_are_detected_with_their_license(family_refs: dict[str, ModelRef]) -> None:
    expected = {"flux1-schnell": "apache-2.0", "flux1-dev": "flux-1-dev-non-commercial",
                "sd3": "stabilityai-ai-community", "qwen-image": "apache-2.0"}
    for arch, ref in family_refs.items():
        info = inspect_model(ref.path)
        assert (info.arch, info.suggested_license, info.format) == (arch, expected[arch], "diffusers")


def test_family_defaults() -> None:
    assert (default_steps("flux1-schnell"), default_guidance("flux1-schnell")) == (4, 0.0)
    assert (default_steps("flux1-dev"), default_guidance("flux1-dev")) == (28, 3.5)
    assert (default_steps("sd3"), default_guidance("sd3")) == (28, 4.5)
    assert default_guidance("qwen-image") == 4.0 and FAMILIES["qwen-image"].default_negative_prompt == " "
    assert default_steps("sd1") == 25  # the UNet families keep theirs


@pytest.mark.parametrize("arch", ARCHS)
def test_txt2img_reproducible_and_recorded(arch: str, family_refs: dict[str, ModelRef],
                                          generator: DiffusersGenerator) -> None:
    ref = family_refs[arch]
    first = generator.run(request_for(ref))
    again = generator.run(request_for(ref))
    other = generator.run(request_for(ref, seed=4))
    assert first.image.size == (SIZE, SIZE)
    assert np.array_equal(pixels(first.image), pixels(again.image))
    assert not np.array_equal(pixels(first.image), pixels(other.image))
    extra = first.recipe.extra
    assert extra["family"] == arch and extra["arch"] == arch
    assert extra["guidance_kind"] == FAMILIES[arch].guidance_kind
    assert first.recipe.model_sha256 == ref.sha256
    assert first.recipe.guidance == FAMILIES[arch].guidance


def test_flux_dev_guidance_changes_pixels_schnell_ignores_it(family_refs: dict[str, ModelRef],
                                                             generator: DiffusersGenerator) -> None:
    dev = family_refs["flux1-dev"]
    a = generator.run(request_for(dev, guidance=1.0)).image
    b = generator.run(request_for(dev, guidance=6.0)).image
    assert not np.array_equal(pixels(a), pixels(b))


def test_cfg_families_use_the_negative_prompt(family_refs: dict[str, ModelRef],
                                              generator: DiffusersGenerator) -> None:
    for arch in ("sd3", "qwen-image"):
        ref = family_refs[arch]
        plain = generator.run(request_for(ref)).image
        negative = generator.run(request_for(ref, negative_prompt="blurry")).image
        assert not np.array_equal(pixels(plain), pixels(negative)), arch
    qwen = generator.run(request_for(family_refs["qwen-image"]))
    assert qwen.recipe.extra["negative_prompt_used"] == " "


def test_flux_refuses_a_negative_prompt_and_a_scheduler_before_loading(family_refs: dict[str, ModelRef]) -> None:
    with pytest.raises(InvalidInput, match="takes no negative prompt"):
        request_for(family_refs["flux1-dev"], negative_prompt="ugly")
    with pytest.raises(InvalidInput, match="own flow-matching scheduler"):
        request_for(family_refs["sd3"], scheduler="euler")


def test_missing_pipeline_is_one_clear_line() -> None:
    with pytest.raises(InvalidInput, match="FluxInpaintPipeline, which the installed diffusers lacks"):
        check_pipeline_available("flux1-dev", Mode.inpaint, {"FluxPipeline", "FluxImg2ImgPipeline"})
    assert check_pipeline_available("sd3", Mode.blend, {"StableDiffusion3Img2ImgPipeline"}) == (
        "StableDiffusion3Img2ImgPipeline")


@pytest.mark.parametrize("arch", ARCHS)
def test_img2img_inpaint_blend(arch: str, family_refs: dict[str, ModelRef], generator: DiffusersGenerator,
                               parents: list[Path], mask_path: Path) -> None:
    ref = family_refs[arch]
    img2img = generator.run(request_for(ref, mode="img2img", init_images=(parents[0],), steps=4, strength=0.5))
    assert img2img.steps_run == 2 and img2img.image.size == (SIZE, SIZE)
    inpaint = generator.run(request_for(ref, mode="inpaint", init_images=(parents[0],), mask=mask_path))
    out, parent, mask = pixels(inpaint.image), pixels(rgb(parents[0])), pixels(rgb(mask_path))
    keep = mask[..., 0] == 0
    assert np.array_equal(out[keep], parent[keep])  # unmasked pixels are the parent's own
    assert not np.array_equal(out[~keep], parent[~keep])
    blend = generator.run(request_for(ref, mode="blend", init_images=(parents[0], parents[1]), steps=4))
    assert blend.recipe.extra["family"] == arch


def rgb(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


FAMILY_FF = {"flux1-dev": [], "sd3": ["ff_context.net.2"], "qwen-image": ["img_mlp.net.2"]}


@pytest.fixture(scope="session")
def family_loras(family_refs: dict[str, ModelRef], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A random rank-4 LoRA on each tiny transformer's attention, saved in diffusers/PEFT layout."""
    import diffusers
    import torch
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    loras = {}
    for arch in ("flux1-dev", "sd3", "qwen-image"):
        ref = family_refs[arch]
        index = diffusers.DiffusionPipeline.load_config(ref.path)
        pipe_cls = getattr(diffusers, index["_class_name"])
        transformer_cls = getattr(diffusers, index["transformer"][1])
        transformer = transformer_cls.from_pretrained(ref.path, subfolder="transformer", local_files_only=True)
        # Attention, plus each family's own feed-forward names (which tell SD3 and Qwen-Image LoRAs apart).
        targets = ["to_q", "to_k", "to_v", *FAMILY_FF[arch]]
        transformer.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=targets),
                                adapter_name="fixture")
        gen = torch.Generator().manual_seed(5)
        with torch.no_grad():
            for name, param in transformer.named_parameters():
                if "lora_" in name:
                    param.copy_(torch.randn(param.shape, generator=gen) * 0.5)
        folder = tmp_path_factory.mktemp("family-loras") / arch
        pipe_cls.save_lora_weights(folder, transformer_lora_layers=get_peft_model_state_dict(
            transformer, adapter_name="fixture"))
        loras[arch] = folder
    return loras


@pytest.mark.parametrize("arch", ("flux1-dev", "sd3", "qwen-image"))
def test_peft_lora(arch: str, family_refs: dict[str, ModelRef], family_loras: dict[str, Path],
                   generator: DiffusersGenerator) -> None:
    info = inspect_model(family_loras[arch])
    assert info.kind == "lora" and info.arch == {"flux1-dev": "flux1"}.get(arch, arch)
    ref = family_refs[arch]
    base = generator.run(request_for(ref)).image
    styled = generator.run(request_for(ref, loras=(info.lora_ref("lora-1", 1.0),)))
    off = generator.run(request_for(ref, loras=(info.lora_ref("lora-1", 0.0),))).image
    assert not np.array_equal(pixels(base), pixels(styled.image))
    assert np.abs(pixels(base) - pixels(off)).max() <= 1
    assert styled.recipe.loras[0].sha256 == info.sha256
    again = generator.run(request_for(ref)).image  # the LoRA is unloaded again
    assert np.array_equal(pixels(base), pixels(again))


def _manifest(folder: Path, base: Path, parts: dict[str, str]) -> Path:
    import json

    path = folder / "model.parts.json"
    path.write_text(json.dumps({"base": str(base), "parts": parts}), encoding="utf-8")
    return path


@pytest.mark.parametrize("arch", ("flux1-schnell", "sd3"))
def test_split_files_register_as_one_model_and_generate(arch: str, family_refs: dict[str, ModelRef],
                                                        generator: DiffusersGenerator, tmp_path: Path) -> None:
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    base = family_refs[arch]
    encoder = "text_encoder_2" if arch.startswith("flux") else "text_encoder_3"
    files = {"transformer": "transformer/diffusion_pytorch_model.safetensors",
             "vae": "vae/diffusion_pytorch_model.safetensors", encoder: f"{encoder}/model.safetensors"}
    for name, rel in files.items():
        shutil.copy(base.path / rel, tmp_path / f"{name}.safetensors")
    same = _manifest(tmp_path, base.path, {name: f"{name}.safetensors" for name in files})
    info = inspect_model(same)
    assert (info.kind, info.format, info.arch) == ("model", "parts", arch)
    assert [name for name, _ in info.parts] == ["base", "transformer", encoder, "vae"]
    assert info.sha256 != base.sha256
    # The same weights from separate files give the base folder's own pixels.
    from_parts = generator.run(request_for(info.model_ref("parts-1")))
    assert np.array_equal(pixels(from_parts.image), pixels(generator.run(request_for(base)).image))
    assert from_parts.recipe.model_sha256 == info.sha256

    # A fine-tuned transformer (perturbed weights) over the same base changes the image.
    state = load_file(tmp_path / "transformer.safetensors")
    gen = torch.Generator().manual_seed(9)
    tuned = {k: v + 0.05 * torch.randn(v.shape, generator=gen) if v.is_floating_point() else v
             for k, v in state.items()}
    (tmp_path / "tuned").mkdir()
    save_file(tuned, tmp_path / "tuned" / "transformer.safetensors")
    tuned_info = inspect_model(_manifest(tmp_path / "tuned", base.path, {"transformer": "transformer.safetensors"}))
    changed = generator.run(request_for(tuned_info.model_ref("parts-2"))).image
    assert not np.array_equal(pixels(changed), pixels(from_parts.image))


def test_bad_parts_manifests_get_one_line(family_refs: dict[str, ModelRef], tmp_path: Path,
                                          generator: DiffusersGenerator) -> None:
    flux, sd3 = family_refs["flux1-schnell"].path, family_refs["sd3"].path
    (tmp_path / "w.ckpt").write_bytes(b"x")
    cases = {
        "unknown entries unet": {"unet": "a.safetensors"},
        "pickled weights are refused": {"transformer": "w.ckpt"},
        "does not exist": {"transformer": "missing.safetensors"},
        "lists no parts": {},
    }
    for why, parts in cases.items():
        with pytest.raises(InvalidInput, match=why):
            inspect_model(_manifest(tmp_path, flux, parts))
    (tmp_path / "garbage.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not readable JSON"):
        inspect_model(tmp_path / "garbage.json")
    # A transformer of another family than its base.
    import shutil

    shutil.copy(sd3 / "transformer" / "diffusion_pytorch_model.safetensors", tmp_path / "sd3.safetensors")
    with pytest.raises(InvalidInput, match=r"is not a FLUX\.1"):
        inspect_model(_manifest(tmp_path, flux, {"transformer": "sd3.safetensors"}))
    # A transformer file alone is recognised, and refused for generation with what to do.
    alone = inspect_model(tmp_path / "sd3.safetensors")
    assert (alone.arch, alone.format) == ("sd3", "single_file")
    with pytest.raises(InvalidInput, match="needs the model's text encoders and VAE"):
        generator.run(request_for(alone.model_ref("alone")))


def test_cli_registers_and_generates_with_the_family_defaults(family_refs: dict[str, ModelRef],
                                                              tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from studio.cli.main import cli

    runner = CliRunner()

    def run(*args: str) -> dict:
        result = runner.invoke(cli, ["--library", str(tmp_path / "lib"), *args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout)

    for arch, (steps, guidance) in {"flux1-schnell": (4, 0.0), "sd3": (28, 4.5)}.items():
        model = run("models", "add", str(family_refs[arch].path), "--name", arch, "--license", "cc-by-4.0")
        assert model["arch"] == arch
        made = run("generate", "a red fox", "--model", arch, "--size", "64x64", "--seed", "1",
                   *(["--steps", "2"] if arch == "sd3" else []))
        recipe = made["recipe"]
        assert recipe["guidance"] == guidance and recipe["extra"]["family"] == arch
        assert recipe["steps"] == (2 if arch == "sd3" else steps)
    # A model from part files registers as one model of its family, under the manifest's hash.
    parts = tmp_path / "parts"
    parts.mkdir()
    transformer = family_refs["flux1-schnell"].path / "transformer" / "diffusion_pytorch_model.safetensors"
    manifest = _manifest(parts, family_refs["flux1-schnell"].path, {"transformer": str(transformer)})
    model = run("models", "add", str(manifest), "--name", "flux-parts", "--license", "cc-by-4.0")
    assert (model["arch"], model["format"]) == ("flux1-schnell", "parts")
    made = run("generate", "a red fox", "--model", "flux-parts", "--size", "64x64", "--seed", "1")
    assert made["recipe"]["model_sha256"] == inspect_model(manifest).sha256


@pytest.mark.parametrize("layout", ("kohya", "unplaceable"))
def test_kohya_flux_loras(layout: str, family_refs: dict[str, ModelRef], generator: DiffusersGenerator,
                          tmp_path: Path) -> None:
    """A FLUX LoRA in kohya's original module names (lora_unet_double_blocks_0_img_attn_qkv) is recognised and
    applied through diffusers' converter; one in original names that diffusers 0.42 does not map for FLUX
    (diffusion_model.double_blocks.0....lora_A) is refused in one line instead of applying nothing."""
    import torch
    from safetensors.torch import save_file

    ref = family_refs["flux1-dev"]
    hidden, rank = 32, 4  # the tiny transformer: 2 heads x 16
    gen = torch.Generator().manual_seed(3)
    state: dict[str, torch.Tensor] = {}
    for module, out_dim in (("double_blocks.0.img_attn.qkv", 3 * hidden), ("double_blocks.0.txt_attn.qkv", 3 * hidden),
                            ("double_blocks.0.img_attn.proj", hidden)):
        down = torch.randn(rank, hidden, generator=gen) * 0.5
        up = torch.randn(out_dim, rank, generator=gen) * 0.5
        if layout == "kohya":
            name = "lora_unet_" + module.replace(".", "_")
            state |= {f"{name}.lora_down.weight": down, f"{name}.lora_up.weight": up,
                      f"{name}.alpha": torch.tensor(float(rank))}
        else:
            state |= {f"diffusion_model.{module}.lora_A.weight": down, f"diffusion_model.{module}.lora_B.weight": up}
    path = tmp_path / f"{layout}.safetensors"
    save_file(state, path)
    info = inspect_model(path)
    assert (info.kind, info.arch) == ("lora", "flux1")
    base = generator.run(request_for(ref)).image
    request = request_for(ref, loras=(info.lora_ref(f"lora-{layout}", 1.0),))
    if layout == "kohya":
        assert not np.array_equal(pixels(base), pixels(generator.run(request).image))
        return
    with pytest.raises(InvalidInput, match="none of its layers match"):
        generator.run(request)
    assert np.array_equal(pixels(base), pixels(generator.run(request_for(ref)).image))  # the model is unchanged
