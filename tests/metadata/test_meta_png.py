"""Embedded PNG metadata: the studio's own round trip, and recipes read from A1111, ComfyUI and InvokeAI PNGs."""

from __future__ import annotations

import io
import json

import pytest
from meta_fixtures import (
    A1111_INPAINT,
    A1111_TXT2IMG_HIRES,
    COMFY_IMG2IMG,
    COMFY_PROMPT,
    INVOKEAI_IMG2IMG,
    INVOKEAI_METADATA,
    comfy_png,
    comfy_workflow,
    invokeai_png,
    png_with_chunks,
)
from PIL import Image

from studio.core.types import LoraUse, Recipe
from studio.errors import InvalidInput, NotFound
from studio.metadata import STUDIO_CHUNK, embed_png, read_png_recipe

RECIPE = Recipe(
    model="dreamy-v1",
    model_sha256="1a2b3c4d5e6f" + "0" * 52,
    loras=(LoraUse(id="w-17", weight=0.6, name="film-grain", sha256="abcdef0123" + "1" * 54),),
    prompt="a misty harbour at dawn",
    negative_prompt="blurry",
    seed=1,
    steps=4,
    guidance=7.0,
    strength=0.55,
    width=64,
    height=64,
    scheduler="euler_ancestral",
    software="remix-studio 0.1.0 (diffusers 0.42.1, torch 2.13.0+cpu)",
    mode="img2img",
    extra={"model_id": "w-3", "arch": "sd1"},
)
STUDIO_META = {"work_id": "w-99", "parents": ["w-1", "w-2"], "license": "cc-by-4.0"}


def image() -> Image.Image:
    img = Image.new("RGB", (64, 64))
    img.putdata([(x * 4, y * 4, (x + y) * 2) for y in range(64) for x in range(64)])
    return img


def test_studio_round_trip_restores_recipe_and_studio_fields(tmp_path):
    data = embed_png(image(), recipe=RECIPE, studio_meta=STUDIO_META)
    (tmp_path / "work.png").write_bytes(data)
    for source in (data, tmp_path / "work.png", str(tmp_path / "work.png")):
        found = read_png_recipe(source)
        assert found.source == "remix-studio"
        assert found.recipe == RECIPE
        assert found.studio_meta == STUDIO_META
        assert found.raw[STUDIO_CHUNK]["format"] == 1
    with Image.open(io.BytesIO(data)) as reread:
        assert reread.convert("RGB").tobytes() == image().tobytes()


def test_embedding_is_deterministic():
    first = embed_png(image(), recipe=RECIPE, studio_meta=STUDIO_META)
    assert embed_png(image(), recipe=RECIPE, studio_meta=dict(reversed(STUDIO_META.items()))) == first
    assert b"tIME" not in first


def test_parameters_chunk_reads_like_a1111():
    data = embed_png(image(), recipe=RECIPE, studio_meta=STUDIO_META)
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        text = png.text["parameters"]
    assert text == (
        "a misty harbour at dawn <lora:film-grain:0.6>\n"
        "Negative prompt: blurry\n"
        "Steps: 4, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 64x64, Model hash: 1a2b3c4d5e, "
        'Model: dreamy-v1, Denoising strength: 0.55, Lora hashes: "film-grain: abcdef0123", '
        'Version: "remix-studio 0.1.0 (diffusers 0.42.1, torch 2.13.0+cpu)"'
    )


def test_the_parameters_chunk_alone_is_read_back_as_a1111():
    data = embed_png(image(), recipe=RECIPE, studio_meta={})
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        text = png.text["parameters"]
    found = read_png_recipe(png_with_chunks({"parameters": text}))
    assert found.source == "a1111"
    r = found.recipe
    assert (r.prompt, r.negative_prompt) == ("a misty harbour at dawn", "blurry")
    assert (r.seed, r.steps, r.guidance) == (1, 4, 7.0)
    assert (r.width, r.height, r.strength, r.mode, r.scheduler) == (64, 64, 0.55, "img2img", "euler_ancestral")
    assert (r.model, r.software) == ("dreamy-v1", RECIPE.software)
    assert [(u.name, u.weight) for u in r.loras] == [("film-grain", 0.6)]
    assert r.extra["lora_hashes"] == {"film-grain": "abcdef0123"}


def test_non_latin_prompts_survive():
    recipe = Recipe(prompt="夜の港、霧 — café ☕", seed=3, steps=2, guidance=1.0, width=64, height=64, mode="txt2img")
    found = read_png_recipe(embed_png(image(), recipe=recipe, studio_meta={}))
    assert found.recipe.prompt == "夜の港、霧 — café ☕"


def test_a1111_txt2img_with_hires_fix_and_loras():
    found = read_png_recipe(png_with_chunks({"parameters": A1111_TXT2IMG_HIRES}))
    r = found.recipe
    assert found.source == "a1111" and found.studio_meta is None
    assert r.prompt == "masterpiece, a lighthouse on a cliff at sunset,\ndramatic clouds"
    assert r.negative_prompt == "lowres, blurry, (worst quality:1.4)"
    assert (r.steps, r.guidance, r.seed, r.width, r.height) == (28, 6.5, 3141592653, 512, 768)
    assert r.scheduler == "dpmpp_2m_karras"
    assert (r.mode, r.strength) == ("txt2img", None)  # hires fix denoising is not an img2img strength
    assert (r.model, r.software) == ("v1-5-pruned-emaonly", "v1.10.1")
    assert [(u.name, u.weight) for u in r.loras] == [("add_detail", 0.7), ("film_grain_v2", 0.35)]
    assert r.extra == {"model_hash": "6ce0161689",
                       "lora_hashes": {"add_detail": "7c6bad76eb54", "film_grain_v2": "1a2b3c4d5e6f"},
                       "family": "unknown"}
    assert found.raw["fields"]["TI hashes"] == "EasyNegative: c74b4e810b03"


def test_a1111_inpaint():
    r = read_png_recipe(png_with_chunks({"parameters": A1111_INPAINT})).recipe
    assert (r.mode, r.strength, r.scheduler, r.model) == ("inpaint", 0.75, "euler_ancestral", "sd_xl_base_1.0")
    assert r.negative_prompt is None and r.prompt == "a red knitted scarf"


def test_comfyui_api_prompt_with_two_loras():
    found = read_png_recipe(comfy_png(COMFY_PROMPT, comfy_workflow()))
    r = found.recipe
    assert found.source == "comfyui"
    assert r.model == "v1-5-pruned-emaonly.safetensors"
    assert [(u.name, u.weight) for u in r.loras] == [
        ("ink_lines.safetensors", 0.8), ("watercolor_v1.safetensors", 0.55)]
    assert r.prompt == "beautiful scenery nature glass bottle landscape, purple galaxy bottle,"
    assert r.negative_prompt == "text, watermark"
    assert (r.seed, r.steps, r.guidance, r.scheduler) == (156680208700286, 20, 8.0, "dpmpp_2m_karras")
    assert (r.width, r.height, r.mode, r.strength, r.software) == (512, 768, "txt2img", None, "ComfyUI")
    assert set(found.raw) == {"prompt", "workflow"}


def test_comfyui_workflow_only():
    r = read_png_recipe(comfy_png(None, comfy_workflow())).recipe
    assert (r.model, r.prompt, r.negative_prompt) == ("dreamshaper_8.safetensors",
                                                      "an old map of an imaginary island", "modern, photo")
    assert (r.seed, r.steps, r.guidance, r.scheduler) == (8566257, 25, 7.5, "euler_ancestral")
    assert (r.width, r.height, r.mode) == (640, 448, "txt2img")


def test_comfyui_img2img_takes_the_png_size():
    r = read_png_recipe(comfy_png(COMFY_IMG2IMG, None)).recipe
    assert (r.mode, r.strength, r.width, r.height) == ("img2img", 0.6, 64, 48)
    assert (r.model, r.prompt, r.negative_prompt, r.scheduler) == ("sd_xl_turbo_1.0.safetensors",
                                                                   "as a watercolour", None, "euler")


def test_invokeai_sdxl_txt2img():
    found = read_png_recipe(invokeai_png(INVOKEAI_METADATA))
    r = found.recipe
    assert found.source == "invokeai"
    assert (r.prompt, r.negative_prompt) == ("a cozy cabin in snowy woods, warm light in the windows", None)
    assert (r.model, r.seed, r.steps, r.guidance) == ("Juggernaut XL v9", 2873459231, 30, 5.5)
    assert (r.width, r.height, r.scheduler, r.mode, r.software) == (1024, 768, "dpmpp_2m_karras", "txt2img",
                                                                    "InvokeAI 5.4.2")
    assert [(u.name, u.weight) for u in r.loras] == [("Detail Tweaker XL", 0.6)]
    assert r.extra["model_hash"] == "blake3:4f9a0b7c" and r.extra["base_model"] == "sdxl"


def test_invokeai_3_img2img():
    r = read_png_recipe(invokeai_png(INVOKEAI_IMG2IMG)).recipe
    assert (r.model, r.mode, r.strength, r.scheduler) == ("stable-diffusion-v1-5", "img2img", 0.65, "euler_ancestral")
    assert r.software == "InvokeAI 3.6.0" and r.extra["base_model"] == "sd-1"


def test_itxt_chunks_are_read_too():
    found = read_png_recipe(png_with_chunks({"parameters": A1111_INPAINT}, itxt=True))
    assert found.source == "a1111" and found.recipe.seed == 42


def test_a_damaged_studio_chunk_falls_back_to_parameters():
    found = read_png_recipe(png_with_chunks({STUDIO_CHUNK: "{not json", "parameters": A1111_INPAINT}))
    assert found.source == "a1111"


def test_images_without_a_recipe_give_none(tmp_path):
    assert read_png_recipe(png_with_chunks({"Software": "GIMP"})) is None
    assert read_png_recipe(comfy_png({"1": {"class_type": "LoadImage", "inputs": {}}}, None)) is None
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 8)).save(jpeg, format="JPEG")
    assert read_png_recipe(jpeg.getvalue()) is None


def test_unreadable_input_is_a_clear_error(tmp_path):
    with pytest.raises(InvalidInput, match="not a readable image"):
        read_png_recipe(b"definitely not an image")
    with pytest.raises(NotFound, match="missing"):
        read_png_recipe(tmp_path / "gone.png")


def test_studio_chunk_is_plain_json():
    data = embed_png(image(), recipe=RECIPE, studio_meta=STUDIO_META)
    with Image.open(io.BytesIO(data)) as png:
        png.load()
        payload = json.loads(png.text[STUDIO_CHUNK])
    assert payload["studio"] == STUDIO_META and payload["recipe"]["seed"] == 1
