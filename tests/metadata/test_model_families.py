"""Flux.1, SD 3.5 and Qwen-Image images from ComfyUI, InvokeAI and Forge: family, model files, LoRAs and
settings read back; the studio's own PNGs for these families written so those tools read them."""

from __future__ import annotations

import copy
import io
import json
from dataclasses import replace

import pytest
from family_fixtures import (
    A1111_SD35,
    FLUX_DEV_PROMPT,
    FLUX_DEV_WORKFLOW,
    FLUX_SCHNELL_PROMPT,
    FORGE_FLUX,
    INVOKEAI_FLUX,
    INVOKEAI_SD35,
    QWEN_IMAGE_PROMPT,
    SD35_CHECKPOINT_PROMPT,
    SD35_SPLIT_WORKFLOW,
    node,
)
from meta_fixtures import comfy_png, invokeai_png, png_with_chunks
from PIL import Image

from studio.core.types import LoraUse, Recipe
from studio.metadata import embed_png, read_png_recipe
from studio.metadata.families import family_from_name


def _loras(recipe: Recipe) -> list[tuple[str | None, float]]:
    return [(u.name, u.weight) for u in recipe.loras]


def test_comfyui_flux_dev_graph_from_its_sampler_nodes():
    found = read_png_recipe(comfy_png(FLUX_DEV_PROMPT, None))
    r = found.recipe
    assert found.source == "comfyui" and found.notes == ()
    assert r.extra["family"] == "flux1-dev"
    assert r.model == "flux1-dev-fp8.safetensors"
    assert r.extra["model_files"] == {"diffusion_model": "flux1-dev-fp8.safetensors",
                                      "text_encoders": ["t5xxl_fp16.safetensors", "clip_l.safetensors"],
                                      "vae": "ae.safetensors"}
    assert _loras(r) == [("flux-realism.safetensors", 0.8), ("ink_sketch_flux.safetensors", 0.45)]
    assert (r.prompt, r.negative_prompt) == ("a red fox in fresh snow, golden hour, 35mm photo", None)
    assert (r.seed, r.steps, r.guidance, r.extra["cfg"]) == (918273645, 28, 3.5, 1.0)
    assert (r.scheduler, r.width, r.height, r.mode) == ("euler", 1024, 768, "txt2img")


def test_comfyui_flux_schnell_with_ksampler_and_zeroed_negative():
    r = read_png_recipe(comfy_png(FLUX_SCHNELL_PROMPT, None)).recipe
    assert (r.extra["family"], r.model) == ("flux1-schnell", "flux1-schnell.safetensors")
    assert (r.prompt, r.negative_prompt) == ("a lighthouse made of glass", None)
    assert (r.seed, r.steps, r.guidance, r.width, r.height) == (42, 4, 1.0, 512, 512)
    assert "cfg" not in r.extra  # no distilled guidance in the graph: the CFG is the guidance


def test_comfyui_editor_workflow_for_flux_dev():
    r = read_png_recipe(comfy_png(None, FLUX_DEV_WORKFLOW)).recipe
    assert (r.extra["family"], r.model) == ("flux1-dev", "flux1-dev.safetensors")
    assert _loras(r) == [("watercolor_flux.safetensors", 0.7)]
    assert (r.prompt, r.seed, r.steps, r.guidance, r.scheduler) == ("a watercolour heron", 31337, 24, 2.8, "euler")
    assert (r.width, r.height) == (896, 1152)
    assert r.extra["model_files"]["vae"] == "ae.safetensors"


def test_comfyui_sd35_all_in_one_checkpoint():
    r = read_png_recipe(comfy_png(SD35_CHECKPOINT_PROMPT, None)).recipe
    assert (r.extra["family"], r.model) == ("sd3", "sd3.5_large.safetensors")
    assert (r.prompt, r.negative_prompt) == ("an isometric city block at night, neon", "blurry, text")
    assert (r.seed, r.steps, r.guidance, r.width, r.height) == (7, 40, 4.5, 1024, 1024)
    assert r.scheduler == "dpmpp_2m"


def test_comfyui_sd35_split_files_in_the_editor_workflow():
    r = read_png_recipe(comfy_png(None, SD35_SPLIT_WORKFLOW)).recipe
    assert (r.extra["family"], r.model) == ("sd3", "sd3.5_medium.safetensors")
    assert r.extra["model_files"]["text_encoders"] == ["clip_l.safetensors", "clip_g.safetensors",
                                                       "t5xxl_fp8_e4m3fn.safetensors"]
    assert (r.prompt, r.negative_prompt, r.seed, r.steps, r.guidance) == (
        "a ceramic teapot shaped like a snail", "lowres", 123456, 30, 5.0)
    assert (r.width, r.height) == (768, 768)


def test_comfyui_qwen_image_template_shape():
    r = read_png_recipe(comfy_png(QWEN_IMAGE_PROMPT, None)).recipe
    assert (r.extra["family"], r.model) == ("qwen-image", "qwen_image_fp8_e4m3fn.safetensors")
    assert r.extra["model_files"]["text_encoders"] == ["qwen_2.5_vl_7b_fp8_scaled.safetensors"]
    assert (r.prompt, r.negative_prompt) == ('a shop sign that says "OPEN LATE", hand-painted', None)
    assert (r.seed, r.steps, r.guidance, r.width, r.height) == (555, 20, 2.5, 1328, 1328)


def test_a_flux_graph_whose_model_name_says_nothing_is_flux_of_unstated_variant():
    graph = copy.deepcopy(FLUX_SCHNELL_PROMPT)
    graph["2"]["inputs"]["unet_name"] = "my_merge_v3.safetensors"
    r = read_png_recipe(comfy_png(graph, None)).recipe
    assert r.extra["family"] == "flux1"  # not dev, not schnell: their licenses differ and the name does not say


def test_a_model_name_the_loaders_contradict_gives_unknown_with_a_note():
    graph = copy.deepcopy(FLUX_SCHNELL_PROMPT)
    graph["2"]["inputs"]["unet_name"] = "sd3.5_large.safetensors"
    r = read_png_recipe(comfy_png(graph, None)).recipe
    assert r.extra["family"] == "unknown" and "sd3" in r.extra["family_note"]


def test_an_unrecognised_model_is_family_unknown():
    graph = copy.deepcopy(QWEN_IMAGE_PROMPT)
    graph["37"]["inputs"]["unet_name"] = "mystery.safetensors"
    graph["38"]["inputs"]["type"] = "stable_diffusion"
    assert read_png_recipe(comfy_png(graph, None)).recipe.extra["family"] == "unknown"


def test_the_sampler_that_is_decoded_is_the_root_not_the_lowest_id():
    graph = copy.deepcopy(FLUX_SCHNELL_PROMPT)
    graph["0"] = node("KSampler", model=["2", 0], positive=["4", 0], negative=["5", 0], latent_image=["6", 0],
                      seed=1, steps=99, cfg=1.0, sampler_name="heun", scheduler="normal", denoise=1.0)
    r = read_png_recipe(comfy_png(graph, None)).recipe
    assert (r.seed, r.steps) == (42, 4)


def test_invokeai_flux_uses_its_guidance_and_names_the_variant():
    r = read_png_recipe(invokeai_png(INVOKEAI_FLUX)).recipe
    assert (r.extra["family"], r.model, r.extra["base_model"]) == ("flux1-dev", "FLUX Dev (Quantized)", "flux")
    assert (r.guidance, r.seed, r.steps, r.width) == (4.0, 3960523110, 30, 1024)
    assert _loras(r) == [("Flux Film", 0.65)]


def test_invokeai_flux_without_a_variant_in_its_name_is_flux_of_unstated_variant():
    meta = {**INVOKEAI_FLUX, "model": {**INVOKEAI_FLUX["model"], "name": "my flux merge"}}
    assert read_png_recipe(invokeai_png(meta)).recipe.extra["family"] == "flux1"


def test_invokeai_sd35():
    r = read_png_recipe(invokeai_png(INVOKEAI_SD35)).recipe
    assert (r.extra["family"], r.model, r.guidance, r.negative_prompt) == ("sd3", "SD3.5 Large", 4.0, "cartoon")


def test_forge_flux_parameters():
    found = read_png_recipe(png_with_chunks({"parameters": FORGE_FLUX}))
    r = found.recipe
    assert found.source == "a1111"
    assert (r.extra["family"], r.model, r.extra["model_hash"]) == ("flux1-dev", "flux1-dev-bnb-nf4-v2", "bea01d51bd")
    assert (r.guidance, r.extra["cfg"]) == (3.5, 1.0)
    assert r.extra["modules"] == ["ae", "clip_l", "t5xxl_fp16"]
    assert _loras(r) == [("flux_clay", 0.8)]
    assert r.prompt == "a tiny robot watering a bonsai, studio light"
    assert (r.seed, r.steps, r.width, r.height, r.scheduler) == (2212, 20, 896, 1152, "euler")


def test_a1111_sd35_parameters():
    r = read_png_recipe(png_with_chunks({"parameters": A1111_SD35})).recipe
    assert (r.extra["family"], r.model, r.guidance, r.negative_prompt) == ("sd3", "sd3.5_large_turbo", 4.5, "deformed")


@pytest.mark.parametrize(("name", "family"), [
    ("flux1-dev.safetensors", "flux1-dev"), ("flux1-dev-fp8.safetensors", "flux1-dev"),
    ("flux1-dev-bnb-nf4-v2", "flux1-dev"), ("FLUX.1-schnell", "flux1-schnell"),
    ("flux1-schnell-Q4_K_S.gguf", "flux1-schnell"), ("sd3.5_large.safetensors", "sd3"),
    ("sd3.5_medium.safetensors", "sd3"), ("sd3.5_large_turbo.safetensors", "sd3"),
    ("stable-diffusion-3.5-large", "sd3"), ("qwen_image_fp8_e4m3fn.safetensors", "qwen-image"),
    ("Qwen-Image", "qwen-image"), ("fluxmania_v5.safetensors", "unknown"), ("flux1-devil.safetensors", "unknown"),
    ("dreamshaper_8.safetensors", "unknown"), ("", "unknown"), (None, "unknown"), (["flux1-dev"], "unknown"),
])
def test_family_from_name(name, family):
    assert family_from_name(name) == family


# -- the studio's own PNGs ------------------------------------------------------------------------------------

def _recipe(arch: str, guidance: float, **extra) -> Recipe:
    return Recipe(model="flux1-dev" if arch.startswith("flux") else arch, model_sha256="ab" * 32,
                  loras=(LoraUse(id="w-5", weight=0.8, name="clay", sha256="cd" * 32),),
                  prompt="a paper crane", seed=5, steps=20, guidance=guidance, width=64, height=64,
                  scheduler="euler", software="remix-studio", mode="txt2img", extra={"arch": arch, **extra})


def _parameters(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        return png.text["parameters"]


def _without_studio_chunk(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        return png_with_chunks({k: v for k, v in png.text.items() if k != "remix-studio"}, size=png.size)


def test_studio_flux_png_writes_forge_distilled_cfg_and_reads_back():
    recipe = _recipe("flux1-dev", 3.5)
    data = embed_png(Image.new("RGB", (64, 64)), recipe=recipe, studio_meta={})
    text = _parameters(data)
    assert "CFG scale: 1, Distilled CFG Scale: 3.5," in text
    assert read_png_recipe(data).recipe == recipe
    alone = read_png_recipe(_without_studio_chunk(data)).recipe  # as Forge or A1111 would read it
    assert (alone.extra["family"], alone.guidance, alone.extra["cfg"]) == ("flux1-dev", 3.5, 1.0)
    assert _loras(alone) == [("clay", 0.8)]


@pytest.mark.parametrize("arch", ["sd3", "qwen-image", "sd1"])
def test_studio_png_of_real_cfg_families_writes_plain_cfg(arch):
    data = embed_png(Image.new("RGB", (64, 64)), recipe=_recipe(arch, 4.5), studio_meta={})
    text = _parameters(data)
    assert "CFG scale: 4.5," in text and "Distilled" not in text


def _server_image(graph_text: str) -> Image.Image:
    """The image as the ComfyUI engine hands it over: decoded from the server's PNG, its text chunks kept."""
    with Image.open(io.BytesIO(png_with_chunks({"prompt": graph_text}, size=(64, 64)))) as opened:
        return opened.convert("RGB")


def _comfy_engine_recipe(server_model: str = "flux1-schnell.safetensors") -> Recipe:
    return replace(_recipe("flux1-schnell", 0.0, engine="comfyui", server_model=server_model), seed=42,
                   prompt="a lighthouse made of glass")


def test_comfyui_engine_png_keeps_the_servers_prompt_graph_so_comfyui_reopens_it():
    recipe = _comfy_engine_recipe()
    data = embed_png(_server_image(json.dumps(FLUX_SCHNELL_PROMPT)), recipe=recipe, studio_meta={})
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        assert json.loads(png.text["prompt"]) == FLUX_SCHNELL_PROMPT
    assert read_png_recipe(data).recipe == recipe  # the studio's own chunk still decides for the studio


@pytest.mark.parametrize("case", ["other seed", "other model", "other prompt", "local engine", "not json",
                                  "not a graph", "deep"])
def test_a_prompt_chunk_that_is_not_this_jobs_graph_is_not_written(case):
    text = json.dumps(FLUX_SCHNELL_PROMPT)
    recipe = _comfy_engine_recipe()
    if case == "other seed":
        recipe = replace(recipe, seed=43)  # e.g. an inpainted image pasted onto a ComfyUI-made parent
    elif case == "other model":
        recipe = _comfy_engine_recipe(server_model="flux1-dev.safetensors")
    elif case == "other prompt":
        recipe = replace(recipe, prompt="a glass lighthouse")
    elif case == "local engine":
        recipe = _recipe("flux1-schnell", 0.0)
    elif case == "not json":
        text = "{not json"
    elif case == "not a graph":
        text = json.dumps({"1": [1, 2], "2": {"class_type": 5}})
    else:
        text = "[" * 5000 + "]" * 5000
    data = embed_png(_server_image(text), recipe=recipe, studio_meta={})
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        assert "prompt" not in png.text


def test_a_hires_second_pass_is_the_root_and_still_txt2img_at_the_final_size():
    graph = copy.deepcopy(FLUX_SCHNELL_PROMPT)
    graph["20"] = node("LatentUpscaleBy", samples=["1", 0], upscale_method="nearest-exact", scale_by=1.5)
    graph["21"] = node("KSampler", model=["2", 0], positive=["4", 0], negative=["5", 0], latent_image=["20", 0],
                       seed=43, steps=6, cfg=1.0, sampler_name="euler", scheduler="simple", denoise=0.45)
    graph["8"] = node("VAEDecodeTiled", samples=["21", 0], vae=["7", 0], tile_size=512)
    r = read_png_recipe(comfy_png(graph, None)).recipe  # the fixture PNG is 64x48
    assert (r.seed, r.steps, r.mode, r.strength, r.width, r.height) == (43, 6, "txt2img", None, 64, 48)
    assert r.extra["model_files"]["vae"] == "ae.safetensors"
