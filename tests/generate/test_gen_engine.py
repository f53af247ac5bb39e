"""DiffusersGenerator on the built-in tiny model: every mode, progress, previews, cancel, determinism, caching."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from gen_helpers import SIZE, pixels, png_bytes
from PIL import Image

from studio.errors import InvalidInput, SoftwareIncomplete
from studio.generate import Cancelled, DiffusersGenerator, GenerationResult, Generator, Progress


def test_generator_implements_the_protocol(generator):
    assert isinstance(generator, Generator)


def test_txt2img_makes_an_image_and_records_the_recipe(generator, make_request, tiny):
    result = generator.run(make_request(negative_prompt="grey", scheduler="euler_ancestral"))
    assert isinstance(result, GenerationResult)
    assert result.image.size == (SIZE, SIZE) and result.image.mode == "RGB"
    assert result.steps_run == 4 and result.elapsed_s > 0
    recipe = result.recipe
    assert (recipe.model, recipe.model_sha256, recipe.mode) == ("studio-tiny", tiny.sha256, "txt2img")
    assert (recipe.prompt, recipe.negative_prompt, recipe.seed, recipe.steps) == ("a quiet lake at dawn", "grey", 7, 4)
    assert (recipe.guidance, recipe.width, recipe.height, recipe.strength) == (5.0, SIZE, SIZE, None)
    assert recipe.scheduler == "euler_ancestral"
    assert recipe.software.startswith("remix-studio ") and "diffusers 0.42" in recipe.software
    assert "torch 2.13" in recipe.software


def test_default_scheduler_is_recorded_by_name(generator, make_request):
    assert generator.run(make_request()).recipe.scheduler == "euler"


def test_prompt_seed_and_scheduler_change_the_image(generator, make_request):
    base = pixels(generator.run(make_request()).image)
    for changes in ({"seed": 8}, {"prompt": "a red desert"}, {"scheduler": "dpmpp_2m"}):
        assert np.abs(pixels(generator.run(make_request(**changes)).image) - base).max() > 10, changes


def test_same_request_gives_byte_identical_png(generator, make_request, gen_data_dir):
    request = make_request(seed=99)
    first = png_bytes(generator.run(request).image)
    assert png_bytes(generator.run(request).image) == first
    fresh = DiffusersGenerator(gen_data_dir)  # a new load of the same model
    assert png_bytes(fresh.run(request).image) == first


def test_progress_counts_every_step_with_previews_when_due_but_never_at_the_last(generator, make_request,
                                                                              monkeypatch):
    monkeypatch.setattr(generator, "preview_interval_s", 0.0)  # every step is due
    events: list[Progress] = []
    result = generator.run(make_request(steps=4), on_progress=events.append)
    assert [(e.step, e.total) for e in events] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    # The last step's preview would only be replaced by the image itself.
    assert [e.preview is not None for e in events] == [True, True, True, False]
    preview = events[1].preview
    # The built-in model's VAE is small enough to decode every preview at full size.
    assert preview.size == (SIZE, SIZE) and preview.mode == "RGB"
    assert len(np.unique(pixels(preview).reshape(-1, 3), axis=0)) > 1  # the latents, not a flat placeholder
    assert result.steps_run == 4


def test_previews_wait_for_their_interval_and_cost_nothing_without_a_watcher(generator, make_request,
                                                                           monkeypatch):
    decoded: list[int] = []
    loaded = generator._model(make_request().model)
    decode = loaded.preview
    monkeypatch.setattr(loaded, "preview", lambda latents: decoded.append(1) or decode(latents))
    monkeypatch.setattr(generator, "preview_interval_s", 3600.0)  # never due within this run
    events: list[Progress] = []
    generator.run(make_request(steps=4), on_progress=events.append)
    assert len(events) == 4 and not any(e.preview for e in events) and decoded == []
    monkeypatch.setattr(generator, "preview_interval_s", 0.0)
    generator.run(make_request(steps=4))  # nobody watching: no progress, no decode
    assert decoded == []
    generator.run(make_request(steps=4), on_progress=events.append)
    assert len(decoded) == 3


def test_img2img_runs_the_reduced_step_count(generator, make_request, parents):
    events: list[Progress] = []
    request = make_request(mode="img2img", init_images=(parents[0],), strength=0.5, steps=4)
    result = generator.run(request, on_progress=events.append)
    assert [(e.step, e.total) for e in events] == [(1, 2), (2, 2)]
    assert result.steps_run == 2
    assert result.recipe.strength == 0.5 and result.recipe.mode == "img2img"
    assert result.image.size == (SIZE, SIZE)
    stronger = generator.run(make_request(mode="img2img", init_images=(parents[0],), strength=1.0, steps=4))
    assert stronger.steps_run == 4
    other_parent = generator.run(make_request(mode="img2img", init_images=(parents[1],), strength=0.5, steps=4))
    assert not np.array_equal(pixels(other_parent.image), pixels(result.image))


def test_img2img_fits_a_parent_of_another_size(generator, make_request, tmp_path):
    parent = tmp_path / "wide.png"
    Image.new("RGB", (150, 90), (200, 40, 90)).save(parent)
    result = generator.run(make_request(mode="img2img", init_images=(parent,), strength=0.6, width=96, height=64))
    assert result.image.size == (96, 64)


def test_inpaint_changes_only_the_masked_region(generator, make_request, parents, mask_path):
    result = generator.run(make_request(mode="inpaint", init_images=(parents[0],), mask=mask_path))
    out, parent = pixels(result.image), pixels(Image.open(parents[0]))
    masked = np.asarray(Image.open(mask_path)) > 127
    assert np.array_equal(out[~masked], parent[~masked])
    changed = np.any(out[masked] != parent[masked], axis=-1).mean()
    assert changed > 0.9
    assert result.recipe.mode == "inpaint" and result.recipe.strength == 1.0


def test_inpaint_refuses_a_mask_of_another_size(generator, make_request, parents, tmp_path):
    mask = tmp_path / "small-mask.png"
    Image.new("L", (32, 32), 255).save(mask)
    with pytest.raises(InvalidInput, match="mask is 32x32 but the parent is 64x64"):
        generator.run(make_request(mode="inpaint", init_images=(parents[0],), mask=mask))


def test_inpaint_refuses_a_size_other_than_the_parents(generator, make_request, parents, mask_path):
    with pytest.raises(InvalidInput, match="parent's own size"):
        generator.run(make_request(mode="inpaint", init_images=(parents[0],), mask=mask_path, width=128))


def test_blend_with_all_weight_on_one_parent_equals_img2img_of_it(generator, make_request, parents):
    blend = generator.run(make_request(mode="blend", init_images=tuple(parents[:2]), blend_weights=(1.0, 0.0)))
    img2img = generator.run(make_request(mode="img2img", init_images=(parents[0],), strength=0.6))
    assert np.array_equal(pixels(blend.image), pixels(img2img.image))
    assert blend.recipe.extra["blend_weights"] == [1.0, 0.0]


def test_blend_of_three_parents_is_img2img_of_their_average(generator, make_request, parents, tmp_path):
    blend = generator.run(make_request(mode="blend", init_images=tuple(parents), strength=0.75))
    average = np.rint(sum(np.asarray(Image.open(p), dtype=np.float64) / 3 for p in parents)).astype(np.uint8)
    Image.fromarray(average, "RGB").save(tmp_path / "average.png")
    img2img = generator.run(make_request(mode="img2img", init_images=(tmp_path / "average.png",), strength=0.75))
    assert np.abs(pixels(blend.image) - pixels(img2img.image)).max() <= 1
    assert blend.recipe.extra["blend_weights"] == pytest.approx([1 / 3] * 3)
    assert blend.steps_run == 3


def test_blend_weights_change_the_result(generator, make_request, parents):
    even = generator.run(make_request(mode="blend", init_images=tuple(parents[:2])))
    skewed = generator.run(make_request(mode="blend", init_images=tuple(parents[:2]), blend_weights=(3.0, 1.0)))
    assert not np.array_equal(pixels(even.image), pixels(skewed.image))


def test_cancel_mid_run_raises_and_leaves_the_pipeline_usable(generator, make_request):
    cancel = threading.Event()
    seen: list[int] = []

    def on_progress(progress: Progress) -> None:
        seen.append(progress.step)
        if progress.step == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        generator.run(make_request(seed=5), on_progress=on_progress, cancel=cancel)
    assert seen == [1, 2]
    after = generator.run(make_request(seed=5))
    again = generator.run(make_request(seed=5))
    assert after.steps_run == 4
    assert png_bytes(after.image) == png_bytes(again.image)


def test_cancel_before_start_does_nothing(generator, make_request):
    cancel = threading.Event()
    cancel.set()
    events: list[Progress] = []
    with pytest.raises(Cancelled):
        generator.run(make_request(), on_progress=events.append, cancel=cancel)
    assert events == []


def test_second_run_reuses_the_loaded_pipeline(gen_data_dir, make_request, parents, mask_path):
    fresh = DiffusersGenerator(gen_data_dir)
    fresh.run(make_request())
    assert fresh.loads == 1
    fresh.run(make_request(seed=3))
    fresh.run(make_request(mode="img2img", init_images=(parents[0],)))
    fresh.run(make_request(mode="inpaint", init_images=(parents[0],), mask=mask_path))
    assert fresh.loads == 1
    fresh.close()
    fresh.run(make_request())
    assert fresh.loads == 2


def test_a_missing_parent_fails_before_loading(gen_data_dir, make_request, tmp_path):
    fresh = DiffusersGenerator(gen_data_dir)
    from studio.errors import NotFound

    with pytest.raises(NotFound, match="missing"):
        fresh.run(make_request(mode="img2img", init_images=(tmp_path / "gone.png",)))
    assert fresh.loads == 0


def test_a_broken_model_folder_is_a_clear_error(gen_data_dir, make_request, tmp_path, tiny):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model_index.json").write_text('{"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", '
                                             '"UNet2DConditionModel"]}')
    request = make_request(model=replace(tiny, path=broken, sha256="0" * 64, name="broken"))
    with pytest.raises(InvalidInput, match="Model broken could not be loaded") as raised:
        DiffusersGenerator(gen_data_dir).run(request)
    assert "complete model (diffusers folder" in str(raised.value) and "details in " in str(raised.value)
    assert not isinstance(raised.value, SoftwareIncomplete)
    log = Path(str(raised.value).rsplit("details in ", 1)[1].rstrip(")"))
    assert "Traceback" in log.read_text() and "loading Model broken" in log.read_text()


def test_a_missing_library_module_is_told_as_incomplete_software_not_as_a_bad_model(
    gen_data_dir, make_request, tmp_path, tiny, monkeypatch
):
    """diffusers imports a pipeline's module when it is first asked for and wraps a failed import in a
    RuntimeError; a bundle that lacks the module must not read as a broken model, and the log keeps the chain."""
    import sys

    import diffusers

    module = "diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_upscale"
    for holder in (diffusers, diffusers.pipelines, diffusers.pipelines.stable_diffusion):
        monkeypatch.delattr(holder, "StableDiffusionUpscalePipeline", raising=False)
    monkeypatch.setitem(sys.modules, module, None)  # what an import of a module left out of a bundle does
    folder = tmp_path / "upscaler"
    folder.mkdir()
    (folder / "model_index.json").write_text('{"_class_name": "StableDiffusionUpscalePipeline"}')
    request = make_request(model=replace(tiny, path=folder, sha256="1" * 64, name="upscaler"))
    with pytest.raises(SoftwareIncomplete) as raised:
        DiffusersGenerator(gen_data_dir).run(request)
    line = str(raised.value)
    assert line.startswith("Model upscaler could not be loaded because Remix Studio's generation software is "
                           "incomplete (ModuleNotFoundError: ")
    assert "complete Stable Diffusion model" not in line and "\n" not in line
    log = Path(line.rsplit("details in ", 1)[1].rstrip(")")).read_text()
    assert f"Failed to import {module}" in log and "ModuleNotFoundError" in log


def test_output_is_not_flat(generator, make_request):
    """The built-in model paints colour fields: many distinct colours, not one flat tone."""
    image = generator.run(make_request(width=128, height=128)).image
    assert len(np.unique(pixels(image).reshape(-1, 3), axis=0)) > 1000


def test_results_can_be_saved(generator, make_request, tmp_path: Path):
    result = generator.run(make_request())
    result.image.save(tmp_path / "out.png")
    assert Image.open(tmp_path / "out.png").size == (SIZE, SIZE)


def test_a_nine_channel_inpainting_model_inpaints_and_refuses_other_modes(
    gen_data_dir, make_request, parents, mask_path, tiny, tmp_path
):
    import shutil

    import torch
    from diffusers import UNet2DConditionModel

    from studio.generate import inspect_model

    folder = tmp_path / "tiny-inpainting"
    shutil.copytree(tiny.path, folder)
    config = UNet2DConditionModel.load_config(folder / "unet")
    torch.manual_seed(0)
    UNet2DConditionModel.from_config({**config, "in_channels": 9}).save_pretrained(folder / "unet")
    info = inspect_model(folder)
    assert info.arch == "studio-tiny-inpaint"
    engine = DiffusersGenerator(gen_data_dir)
    model = info.model_ref("inpainter")
    result = engine.run(make_request(model=model, mode="inpaint", init_images=(parents[1],), mask=mask_path))
    out, parent = pixels(result.image), pixels(Image.open(parents[1]))
    masked = np.asarray(Image.open(mask_path)) > 127
    assert np.array_equal(out[~masked], parent[~masked])
    assert np.any(out[masked] != parent[masked], axis=-1).mean() > 0.9
    with pytest.raises(InvalidInput, match="is an inpainting model"):
        engine.run(make_request(model=model))


def test_a_pipeline_without_a_unet_is_refused(gen_data_dir, make_request, tmp_path, tiny):
    from dataclasses import replace

    folder = tmp_path / "kandinsky-like"
    folder.mkdir()
    (folder / "model_index.json").write_text('{"_class_name": "KandinskyPipeline"}')
    request = make_request(model=replace(tiny, path=folder, sha256="f" * 64, name="kandinsky-like"))
    with pytest.raises(InvalidInput, match="Unsupported pipeline type 'KandinskyPipeline'"):
        DiffusersGenerator(gen_data_dir).run(request)
    # A supported family whose folder is incomplete: one line, no traceback.
    flux = tmp_path / "flux-incomplete"
    flux.mkdir()
    (flux / "model_index.json").write_text('{"_class_name": "FluxPipeline"}')
    request = make_request(model=replace(tiny, path=flux, sha256="e" * 64, name="flux-incomplete"))
    with pytest.raises(InvalidInput, match="Model flux-incomplete could not be loaded"):
        DiffusersGenerator(gen_data_dir).run(request)
