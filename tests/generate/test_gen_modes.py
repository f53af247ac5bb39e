"""One `Mode` for the four ways of making an image: its label, how the new work is linked to its parents and how
many parents it takes, as the request, the create panel and the generation service all read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.core.modes import Mode
from studio.core.types import MAX_PARENTS, Relation
from studio.errors import InvalidInput
from studio.generate import GenerationRequest, ModelRef
from studio.services.generation import CreateRequest
from studio.services.titles import short_title

MODEL = ModelRef(id="m1", path=Path("/models/dreamy"), arch="sd1", sha256="ab" * 32, name="dreamy")


def test_each_mode_carries_its_label_relation_and_parent_count() -> None:
    assert [(m.label, m.relation, m.min_parents, m.max_parents) for m in Mode] == [
        ("Generate", None, 0, 0),
        ("Remix", Relation.remix_of, 1, 1),
        ("Inpaint", Relation.inpaint_of, 1, 1),
        ("Blend", Relation.composite_of, 2, MAX_PARENTS),
    ]
    assert [m.value for m in Mode] == ["txt2img", "img2img", "inpaint", "blend"]  # what recipes record
    assert Mode.blend.fits(2) and not Mode.blend.fits(1) and not Mode.blend.fits(MAX_PARENTS + 1)
    assert not Mode.txt2img.fits(1) and Mode.img2img.fits(1) and not Mode.img2img.fits(2)


def test_the_selected_parents_choose_the_mode() -> None:
    assert Mode.for_parents(0) is Mode.txt2img
    assert Mode.for_parents(1) is Mode.img2img
    assert Mode.for_parents(1, has_mask=True) is Mode.inpaint
    assert Mode.for_parents(3) is Mode.blend


def test_requests_read_from_text_get_the_mode_and_refuse_unknown_ones() -> None:
    request = GenerationRequest(mode="txt2img", prompt="a lake", model=MODEL, seed=1, steps=4, guidance=7.0,
                                width=64, height=64)  # as JSON gives it
    assert request.mode is Mode.txt2img
    assert json.loads(json.dumps(request.to_dict()))["mode"] == "txt2img"
    assert request.to_recipe(software="s", scheduler=None).mode == "txt2img"
    assert CreateRequest(mode="blend", prompt="x").mode is Mode.blend
    with pytest.raises(InvalidInput, match=r"Unknown generation mode 'outpaint'.*txt2img, img2img, inpaint, blend"):
        CreateRequest(mode="outpaint", prompt="x")


@pytest.mark.parametrize(("count", "message"), [
    (0, "img2img needs exactly one parent image, got 0"),
    (2, "img2img needs exactly one parent image, got 2"),
])
def test_a_remix_takes_one_parent(tmp_path: Path, count: int, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        GenerationRequest(mode=Mode.img2img, prompt="a lake", model=MODEL, seed=1, steps=4, guidance=7.0,
                          width=64, height=64, init_images=tuple(tmp_path / f"{n}.png" for n in range(count)))


def test_untitled_works_are_named_for_their_mode() -> None:
    assert [short_title("  ,, ", m) for m in Mode] == [
        "Untitled generation", "Untitled remix", "Untitled inpaint", "Untitled blend"]
