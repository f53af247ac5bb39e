"""GenerationRequest: validation with clear errors, plain-value serialisation, file checks. No torch needed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from studio.errors import InvalidInput, NotFound, StudioError
from studio.generate import Cancelled, GenerationRequest, LoraRef, ModelRef, snap_size

MODEL = ModelRef(id="m1", path=Path("/models/dreamy"), arch="sd1", sha256="ab" * 32, name="dreamy")
LORA = LoraRef(id="l1", path=Path("/loras/grain.safetensors"), weight=0.7, sha256="cd" * 32, name="grain")


def request(**changes) -> GenerationRequest:
    base = dict(mode="txt2img", prompt="a lake", model=MODEL, seed=1, steps=4, guidance=7.0, width=64, height=64)
    return GenerationRequest(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mode": "outpaint"}, "Unknown generation mode"),
        ({"width": 100}, "multiple of 8"),
        ({"height": 56}, "multiple of 8"),
        ({"width": 4096}, "multiple of 8 between 64 and 2048"),
        ({"width": 64.0}, "Image width"),
        ({"steps": 0}, "Steps 0 is out of range"),
        ({"steps": 151}, "Steps 151"),
        ({"guidance": -1.0}, "Guidance"),
        ({"guidance": float("nan")}, "Guidance"),
        ({"seed": -1}, "Seed"),
        ({"seed": 2**64}, "Seed"),
        ({"strength": 0.5}, "Strength applies only"),
        ({"prompt": None}, "prompt must be text"),
        ({"prompt": "x" * 10_001}, "characters long"),
        ({"init_images": (Path("a.png"),)}, "takes no parent images"),
        ({"mode": "img2img"}, "exactly one parent"),
        ({"mode": "img2img", "init_images": (Path("a.png"),), "strength": 0.0}, "Strength 0.0"),
        ({"mode": "img2img", "init_images": (Path("a.png"),), "strength": 1.5}, "Strength 1.5"),
        ({"mode": "img2img", "init_images": (Path("a.png"),), "strength": 0.1, "steps": 4}, "no denoising step"),
        ({"mode": "inpaint", "init_images": (Path("a.png"),)}, "Inpaint needs a mask"),
        ({"mode": "img2img", "init_images": (Path("a.png"),), "mask": Path("m.png")}, "mask applies only"),
        ({"mode": "blend", "init_images": (Path("a.png"),)}, "at least two parent"),
        ({"mode": "blend", "init_images": tuple(Path(f"{i}.png") for i in range(17))}, "at most 16"),
        ({"mode": "blend", "init_images": (Path("a.png"), Path("b.png")), "blend_weights": (1.0,)}, "one weight"),
        ({"mode": "blend", "init_images": (Path("a.png"), Path("b.png")), "blend_weights": (0.0, 0.0)}, "not all zero"),
        ({"blend_weights": (1.0,)}, "apply only to blend"),
        ({"scheduler": "karras-magic"}, "Unknown scheduler"),
        ({"loras": (LORA, replace(LORA, weight=0.2))}, "listed twice"),
        ({"model": None}, "needs a model"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(changes, message):
    with pytest.raises(InvalidInput, match=message) as excinfo:
        request(**changes)
    assert "\n" not in str(excinfo.value)


def test_bad_references_are_refused():
    with pytest.raises(InvalidInput, match="non-empty sha256"):
        ModelRef(id="m", path="/x", arch="sd1", sha256="", name="m")
    with pytest.raises(InvalidInput, match="LoRA weight 9"):
        replace(LORA, weight=9)


def test_defaults_per_mode():
    assert request().effective_strength == 1.0
    assert request(mode="img2img", init_images=("a.png",)).effective_strength == 0.6
    assert request(mode="inpaint", init_images=("a.png",), mask="m.png").effective_strength == 1.0
    blend = request(mode="blend", init_images=("a.png", "b.png", "c.png"))
    assert blend.effective_blend_weights == pytest.approx((1 / 3,) * 3)
    weighted = request(mode="blend", init_images=("a.png", "b.png"), blend_weights=(3, 1))
    assert weighted.effective_blend_weights == (0.75, 0.25)


def test_round_trip_through_json():
    original = request(mode="blend", init_images=(Path("a.png"), Path("b.png")), blend_weights=(2.0, 1.0),
                       loras=(LORA,), negative_prompt="grey", scheduler="dpmpp_2m", strength=0.4)
    data = json.loads(json.dumps(original.to_dict()))
    assert GenerationRequest.from_dict(data) == original


def test_from_dict_rejects_unknown_and_missing_fields():
    data = request().to_dict()
    with pytest.raises(InvalidInput, match="Unknown generation request field"):
        GenerationRequest.from_dict({**data, "sampler": "x"})
    del data["seed"]
    with pytest.raises(InvalidInput, match="incomplete or malformed"):
        GenerationRequest.from_dict(data)
    with pytest.raises(InvalidInput, match="incomplete or malformed"):
        GenerationRequest.from_dict({**request().to_dict(), "model": {"id": "m"}})


def test_recipe_records_everything_needed_to_redo_the_work():
    recipe = request(mode="img2img", init_images=("a.png",), loras=(LORA,), negative_prompt="grey").to_recipe(
        software="remix-studio test", scheduler="euler")
    assert (recipe.model, recipe.model_sha256, recipe.mode, recipe.strength) == ("dreamy", MODEL.sha256, "img2img", 0.6)
    assert recipe.loras[0].id == "l1" and recipe.loras[0].weight == 0.7 and recipe.loras[0].sha256 == LORA.sha256
    assert (recipe.prompt, recipe.negative_prompt, recipe.seed, recipe.steps, recipe.guidance) == (
        "a lake", "grey", 1, 4, 7.0)
    assert (recipe.width, recipe.height, recipe.scheduler, recipe.software) == (64, 64, "euler", "remix-studio test")
    assert recipe.extra == {"model_id": "m1", "arch": "sd1"}


def test_check_files(tmp_path):
    parent, mask = tmp_path / "p.png", tmp_path / "m.png"
    Image.new("RGB", (64, 64)).save(parent)
    Image.new("L", (64, 64)).save(mask)
    model = replace(MODEL, path=tmp_path)
    request(mode="inpaint", init_images=(parent,), mask=mask, model=model).check_files()
    with pytest.raises(NotFound, match=r"Parent image .* is missing"):
        request(mode="img2img", init_images=(tmp_path / "gone.png",), model=model).check_files()
    (tmp_path / "junk.png").write_bytes(b"nope")
    with pytest.raises(InvalidInput, match="not a readable image"):
        request(mode="img2img", init_images=(tmp_path / "junk.png",), model=model).check_files()
    with pytest.raises(NotFound, match="Model dreamy is missing"):
        request().check_files()
    with pytest.raises(NotFound, match="LoRA file"):
        request(model=model, loras=(LORA,)).check_files()


def test_cancelled_is_a_studio_error():
    assert issubclass(Cancelled, StudioError)
    assert "cancelled" in str(Cancelled()).lower()


def test_snap_size():
    assert snap_size(640, 480) == (640, 480)
    assert snap_size(1001, 333) == (1000, 336)
    assert snap_size(4000, 3000) == (2048, 1536)
    assert snap_size(10, 10) == (64, 64)
    assert snap_size(3000, 1000, max_side=1024) == (1024, 344)
