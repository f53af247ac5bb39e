"""A ProvenanceClaim refuses what C2PA or the studio's lineage rules would not accept."""

from __future__ import annotations

import pytest
from c2pa_images import jpeg_bytes, png_bytes

from studio.core.types import MAX_PARENTS
from studio.provenance import IngredientSource, LicenseRef, ProvenanceClaim, ProvenanceError, StoryRef, sign_image
from studio.provenance.manifest import COMPOSITE, build_manifest


def _ingredient(relationship: str = "parentOf", title: str = "p") -> IngredientSource:
    return IngredientSource(title, relationship, data=png_bytes())


@pytest.mark.parametrize(
    ("kind", "ingredients", "message"),
    [
        ("generated", (_ingredient(),), "generated image has no parent"),
        ("remix", (), "needs its parent image"),
        ("inpaint", (_ingredient("componentOf"),), "needs its parent image"),
        ("remix", (_ingredient(), _ingredient()), "at most one parentOf"),
        ("blend", (_ingredient("componentOf"),), "at least two componentOf"),
        ("composite", (_ingredient(),), "at least one componentOf"),
        ("imported", (_ingredient("componentOf"),), "only its source file"),
        ("remix", (_ingredient(), *(_ingredient("componentOf") for _ in range(MAX_PARENTS))), "at most 16"),
        ("sketched", (), "unknown kind of creation"),
    ],
)
def test_impossible_claims_are_refused(kind, ingredients, message):
    with pytest.raises(ProvenanceError, match=message):
        ProvenanceClaim(title="t", work_id="W", mime="image/png", kind=kind, ingredients=ingredients)


def test_a_remix_parent_must_come_first():
    with pytest.raises(ProvenanceError, match="needs its parent image as the first"):
        ProvenanceClaim(
            title="t",
            work_id="W",
            mime="image/png",
            kind="remix",
            ingredients=(_ingredient("componentOf"), _ingredient()),
        )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ProvenanceClaim(title="", work_id="W", mime="image/png", kind="generated"), "invalid title"),
        (lambda: ProvenanceClaim(title="t", work_id="", mime="image/png", kind="generated"), "invalid work id"),
        (lambda: ProvenanceClaim(title="t", work_id="W", mime="image/tiff", kind="generated"), "not supported"),
        (lambda: IngredientSource("p", "childOf", data=b"x"), "relationship"),
        (lambda: IngredientSource("p", "parentOf"), "either the bytes or the path"),
        (lambda: StoryRef(ip_id="0x1234", chain_id=1315), "Story IP id"),
        (lambda: StoryRef(ip_id="0x" + "1" * 40, chain_id=0), "chain id"),
        (lambda: StoryRef(ip_id="0x" + "1" * 40, chain_id=1, tx_hash="0xzz"), "transaction hash"),
        (lambda: LicenseRef(id=""), "license id"),
    ],
)
def test_bad_values_are_refused(make, message):
    with pytest.raises(ProvenanceError, match=message):
        make()


def test_claim_and_image_formats_must_agree(alice):
    claim = ProvenanceClaim(title="t", work_id="W", mime="image/png", kind="generated")
    with pytest.raises(ProvenanceError, match="describes a image/png file but the image is image/jpeg"):
        sign_image(jpeg_bytes(), "image/jpeg", claim, alice)


def test_a_missing_ingredient_file_is_a_clear_error(alice, tmp_path):
    claim = ProvenanceClaim(
        title="t",
        work_id="W",
        mime="image/png",
        kind="remix",
        ingredients=(IngredientSource("gone", "parentOf", path=tmp_path / "gone.png"),),
    )
    with pytest.raises(ProvenanceError, match="could not be read"):
        sign_image(png_bytes(), "image/png", claim, alice)


def test_composite_without_a_parent_starts_from_nothing():
    components = (_ingredient("componentOf", "a"), _ingredient("componentOf", "b"))
    claim = ProvenanceClaim(title="t", work_id="W", mime="image/png", kind="composite", ingredients=components)
    actions = build_manifest(claim, components)["assertions"][0]["data"]["actions"]
    assert [a["action"] for a in actions] == ["c2pa.created", "c2pa.placed", "c2pa.placed"]
    assert actions[0]["digitalSourceType"] == COMPOSITE
    assert [a["parameters"]["ingredientIds"] for a in actions[1:]] == [["ingredient-0"], ["ingredient-1"]]


def test_composite_on_a_parent_canvas_opens_it_first():
    ingredients = (_ingredient("parentOf", "canvas"), _ingredient("componentOf", "sticker"))
    claim = ProvenanceClaim(title="t", work_id="W", mime="image/png", kind="composite", ingredients=ingredients)
    actions = build_manifest(claim, ingredients)["assertions"][0]["data"]["actions"]
    assert [a["action"] for a in actions] == ["c2pa.opened", "c2pa.placed"]
