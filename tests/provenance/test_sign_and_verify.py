"""Sign → read → verify round trips with real c2pa-python: generated, remix, inpaint, blend, imported."""

from __future__ import annotations

import io
import time

import pytest
from c2pa_images import jpeg_bytes, png_bytes, webp_bytes
from PIL import Image

from studio.core.types import LoraUse, Recipe
from studio.provenance import (
    IngredientSource,
    LicenseRef,
    ProvenanceClaim,
    ProvenanceError,
    StoryRef,
    read_credentials,
    sign_image,
)
from studio.provenance.manifest import TRAINED_ALGORITHMIC_MEDIA

RECIPE = Recipe(
    model="tiny-sd-test",
    model_sha256="a" * 64,
    loras=(LoraUse(id="lora-ink", weight=0.75, name="ink wash", sha256="b" * 64),),
    prompt="a lighthouse in fog",
    negative_prompt="blurry",
    seed=1234,
    steps=6,
    guidance=5.5,
    width=64,
    height=48,
)
LICENSE = LicenseRef(id="cc-by-4.0", url="https://creativecommons.org/licenses/by/4.0/", name="CC BY 4.0")


def _active(report):
    return report.raw["manifests"][report.manifest_label]


def _actions(report):
    return next(a["data"]["actions"] for a in _active(report)["assertions"] if a["label"].startswith("c2pa.actions"))


def _generated(alice, color=(200, 40, 40), work_id="W-gen") -> bytes:
    claim = ProvenanceClaim(
        title="Lighthouse", work_id=work_id, mime="image/png", kind="generated", recipe=RECIPE, license=LICENSE
    )
    return sign_image(png_bytes(color), "image/png", claim, alice)


def test_generated_image_round_trip(alice, alice_anchors):
    original = png_bytes()
    claim = ProvenanceClaim(
        title="Lighthouse", work_id="W-gen", mime="image/png", kind="generated", recipe=RECIPE, license=LICENSE
    )
    signed = sign_image(original, "image/png", claim, alice)
    assert signed != original
    # The pixels are untouched: C2PA adds a chunk, nothing else.
    assert Image.open(io.BytesIO(signed)).tobytes() == Image.open(io.BytesIO(original)).tobytes()

    report = read_credentials(signed, "image/png", trust_anchors=alice_anchors)
    assert report.state == "trusted", report.errors
    assert not report.tampered and report.errors == ()
    assert report.signer.common_name == "Alice Example" and report.signer.issuer == "Remix Studio"
    assert report.title == "Lighthouse" and report.work_id == "W-gen" and report.kind == "generated"
    assert report.recipe == RECIPE
    assert report.license == LICENSE and report.story is None
    assert report.actions == ("c2pa.created",)
    assert _actions(report)[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert report.manifest_count == 1 and report.ingredients == ()
    assert 0 < report.manifest_bytes < 20_000
    assert report.summary.startswith("Signed by Alice Example (Remix Studio)")


def test_remix_keeps_the_parents_manifest_as_its_ingredient(alice, alice_anchors):
    parent = _generated(alice, work_id="W-parent")
    parent_report = read_credentials(parent, "image/png", trust_anchors=alice_anchors)
    claim = ProvenanceClaim(
        title="Lighthouse at dusk",
        work_id="W-remix",
        mime="image/png",
        kind="remix",
        ingredients=(IngredientSource("Lighthouse", "parentOf", data=parent, work_id="W-parent"),),
        recipe=RECIPE,
        license=LICENSE,
    )
    remix = sign_image(png_bytes((10, 10, 80)), "image/png", claim, alice)
    report = read_credentials(remix, "image/png", trust_anchors=alice_anchors)

    assert report.state == "trusted", report.errors
    assert report.manifest_count == 2
    assert report.manifest_label != parent_report.manifest_label
    (ingredient,) = report.ingredients
    assert ingredient.relationship == "parentOf" and ingredient.title == "Lighthouse"
    assert ingredient.has_credentials and ingredient.signer.common_name == "Alice Example"
    assert ingredient.recorded_issues == ()  # judged with Alice's own CA when it was added
    assert ingredient.manifest_label == parent_report.manifest_label
    assert ingredient.work_id == "W-parent" and ingredient.format == "image/png" and ingredient.instance_id
    assert report.actions == ("c2pa.opened", "c2pa.edited")
    opened = _actions(report)[0]
    assert opened["parameters"]["ingredients"][0]["url"].endswith("c2pa.ingredient.v3")
    # The parent's own manifest sits intact in the store, with its own recipe.
    parent_manifest = report.raw["manifests"][parent_report.manifest_label]
    assert any(
        a["label"] == "studio.work" and a["data"]["work_id"] == "W-parent" for a in parent_manifest["assertions"]
    )


def test_ingredient_work_id_falls_back_to_its_own_manifest(alice, alice_anchors):
    parent = _generated(alice, work_id="W-from-manifest")
    claim = ProvenanceClaim(
        title="child",
        work_id="W-child",
        mime="image/png",
        kind="inpaint",
        ingredients=(IngredientSource("parent", "parentOf", data=parent),),
    )
    report = read_credentials(
        sign_image(png_bytes(), "image/png", claim, alice), "image/png", trust_anchors=alice_anchors
    )
    assert report.ingredients[0].work_id == "W-from-manifest"
    assert report.actions == ("c2pa.opened", "c2pa.edited")


def test_inpaint_of_a_plain_parent_from_a_path(alice, alice_anchors, tmp_path):
    path = tmp_path / "parent.jpg"
    path.write_bytes(jpeg_bytes())
    claim = ProvenanceClaim(
        title="patched",
        work_id="W-inpaint",
        mime="image/png",
        kind="inpaint",
        ingredients=(IngredientSource("parent.jpg", "parentOf", path=path, work_id="W-plain"),),
    )
    report = read_credentials(
        sign_image(png_bytes(), "image/png", claim, alice), "image/png", trust_anchors=alice_anchors
    )
    assert report.state == "trusted"
    (ingredient,) = report.ingredients
    assert not ingredient.has_credentials and ingredient.manifest_label is None
    assert ingredient.format == "image/jpeg" and ingredient.work_id == "W-plain"
    assert report.manifest_count == 1


def test_blend_has_two_component_ingredients(alice, alice_anchors):
    first = _generated(alice, (250, 0, 0), work_id="W-a")
    second = png_bytes((0, 0, 250))
    claim = ProvenanceClaim(
        title="blend",
        work_id="W-blend",
        mime="image/png",
        kind="blend",
        ingredients=(
            IngredientSource("red", "componentOf", data=first, work_id="W-a"),
            IngredientSource("blue", "componentOf", data=second, work_id="W-b"),
        ),
        recipe=RECIPE,
    )
    report = read_credentials(
        sign_image(png_bytes(), "image/png", claim, alice), "image/png", trust_anchors=alice_anchors
    )
    assert report.state == "trusted", report.errors
    assert report.actions == ("c2pa.created", "c2pa.placed", "c2pa.placed")
    assert [i.relationship for i in report.ingredients] == ["componentOf", "componentOf"]
    assert [i.work_id for i in report.ingredients] == ["W-a", "W-b"]
    assert [i.has_credentials for i in report.ingredients] == [True, False]
    placed_urls = [a["parameters"]["ingredients"][0]["url"] for a in _actions(report)[1:]]
    assert len(set(placed_urls)) == 2
    assert report.manifest_count == 2


def test_imported_file_keeps_its_foreign_credentials(alice, bob, alice_anchors):
    foreign = sign_image(
        png_bytes((5, 200, 5)),
        "image/png",
        ProvenanceClaim(title="bob's", work_id="W-bob", mime="image/png", kind="generated"),
        bob,
    )
    claim = ProvenanceClaim(title="imported", work_id="W-imp", mime="image/png", kind="imported")
    report = read_credentials(sign_image(foreign, "image/png", claim, alice), "image/png", trust_anchors=alice_anchors)
    assert report.state == "trusted"
    assert report.actions == ("c2pa.opened",)
    (ingredient,) = report.ingredients
    assert ingredient.has_credentials and ingredient.work_id == "W-bob"
    bob_manifest = report.raw["manifests"][ingredient.manifest_label]
    assert bob_manifest["signature_info"]["common_name"] == "Bob Other"
    assert ingredient.signer.common_name == "Bob Other"
    # Alice does not trust Bob's CA: recorded on the ingredient when it was added; the import is still trusted.
    assert "signingCredential.untrusted" in ingredient.recorded_issues


def test_signing_an_already_signed_image_as_new_work_is_refused(alice):
    signed = _generated(alice)
    claim = ProvenanceClaim(title="again", work_id="W-again", mime="image/png", kind="generated")
    with pytest.raises(ProvenanceError, match="already carries Content Credentials"):
        sign_image(signed, "image/png", claim, alice)


def test_story_registration_is_recorded(alice, alice_anchors):
    story = StoryRef(
        ip_id="0x" + "ab" * 20, chain_id=1315, chain="aeneid", tx_hash="0x" + "cd" * 32, license_terms_id=7
    )
    claim = ProvenanceClaim(title="published", work_id="W-pub", mime="image/png", kind="generated", story=story)
    report = read_credentials(
        sign_image(png_bytes(), "image/png", claim, alice), "image/png", trust_anchors=alice_anchors
    )
    assert report.story == story


@pytest.mark.parametrize(
    ("make", "mime"), [(jpeg_bytes, "image/jpeg"), (webp_bytes, "image/webp")], ids=["jpeg", "webp"]
)
def test_other_formats_round_trip(alice, alice_anchors, make, mime):
    claim = ProvenanceClaim(title="other", work_id="W-fmt", mime=mime, kind="generated", recipe=RECIPE)
    signed = sign_image(make(), mime, claim, alice)
    report = read_credentials(signed, mime, trust_anchors=alice_anchors)
    assert report.state == "trusted" and report.recipe == RECIPE
    Image.open(io.BytesIO(signed)).load()


def test_an_image_without_credentials_reads_as_none(alice_anchors):
    report = read_credentials(png_bytes(), "image/png", trust_anchors=alice_anchors)
    assert report.state == "none" and report.signer is None and not report.tampered
    assert report.summary == "No Content Credentials."


def test_sign_and_read_are_fast(alice, alice_anchors):
    data = png_bytes(size=(512, 512))
    claim = ProvenanceClaim(title="timed", work_id="W-t", mime="image/png", kind="generated", recipe=RECIPE)
    started = time.perf_counter()
    signed = sign_image(data, "image/png", claim, alice)
    signing = time.perf_counter() - started
    started = time.perf_counter()
    assert read_credentials(signed, "image/png", trust_anchors=alice_anchors).state == "trusted"
    reading = time.perf_counter() - started
    assert signing < 2.0 and reading < 2.0
