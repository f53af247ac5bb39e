"""`studio export`: the work's image signed with Content Credentials that state its lineage, gated by review."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from studio.cli.main import cli
from studio.core.types import Recipe, Relation, WorkKind
from studio.errors import InvalidInput
from studio.provenance import ProvenanceClaim, ensure_identity, read_credentials, sign_image, trust_anchors
from studio.provenance.manifest import COMPOSITE, LABEL_STORY, TRAINED_ALGORITHMIC_MEDIA
from studio.services.credentials import EXPORTS_FOLDER
from studio.services.importing import ImportRequest
from studio.services.review import ReleaseNotApproved
from studio.store.library import data_dir
from tests.helpers.report_lineage import IP_ID, drawing
from tests.helpers.signing_keys import forget_identity


def _read(path: Path, mime: str = "image/png"):
    return read_credentials(path.read_bytes(), mime, trust_anchors=trust_anchors(data_dir()))


def _assertion(report, label: str, manifest_label: str | None = None):
    manifest = report.raw["manifests"][manifest_label or report.manifest_label]
    return next(a["data"] for a in manifest["assertions"] if a["label"].startswith(label))


def _pixels(data: bytes) -> bytes:
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


@pytest.fixture
def remix(builder):
    tidepool = builder.image("Tidepool", "pil-commercial-remix", creator="Bo Painter", rev_share=5)
    builder.publish(tidepool)
    model = builder.tool(WorkKind.model, "tiny-model", "creativeml-openrail-m")
    lora = builder.tool(WorkKind.lora, "ink-lora", "cc-by-4.0")
    recipe = Recipe(prompt="a harbour at dusk", seed=11, steps=6, mode="img2img")  # names no model: the edges do
    generated = builder.generated(
        "Harbour at Dusk",
        [
            (tidepool, Relation.remix_of, None),
            (model, Relation.generated_with, None),
            (lora, Relation.styled_with, 0.8),
        ],
        recipe,
        creator="Cy Maker",
    )
    return tidepool, model, lora, generated


def test_a_generated_remix_is_signed_with_its_lineage(studio, keys, remix, tmp_path: Path):
    tidepool, model, lora, generated = remix
    target = tmp_path / "out" / "harbour.png"
    result = studio.credential_service.export(generated.id, target, signer="Cy Maker", secrets=keys)
    assert (result.kind, result.state, result.signer, result.ingredients) == (
        "remix",
        "trusted",
        "Cy Maker",
        (tidepool.id,),
    )
    signed = target.read_bytes()
    assert _pixels(signed) == _pixels(studio.file_of(generated).read_bytes())

    report = _read(target)
    assert report.state == "trusted" and not report.errors
    assert report.signer.common_name == "Cy Maker"
    assert (report.work_id, report.kind, report.title) == (generated.id, "remix", "Harbour at Dusk")
    assert report.actions == ("c2pa.opened", "c2pa.edited")
    assert report.recipe.model == "tiny-model" and report.recipe.model_sha256 == model.sha256
    assert [(lo.name, lo.weight, lo.id) for lo in report.recipe.loras] == [("ink-lora", 0.8, lora.id)]
    assert report.recipe.prompt == "a harbour at dusk"
    lic = studio.catalog.get("pil-commercial-remix")
    assert (report.license.id, report.license.url, report.license.name) == (lic.id, lic.legal_url, lic.name)
    assert report.story is None  # the remix itself is not published

    [parent] = report.ingredients
    assert (parent.relationship, parent.work_id, parent.has_credentials) == ("parentOf", tidepool.id, True)
    assert parent.signer.common_name == "Cy Maker"
    # The parent went in as its own signed copy, which names its Story registration.
    assert _assertion(report, LABEL_STORY, parent.manifest_label)["ip_id"] == IP_ID
    assert report.manifest_count == 2

    stored = studio.credential_service.stored(generated.id)
    assert (stored.source, stored.state, stored.manifest_label) == ("export", "trusted", report.manifest_label)
    assert stored.details["ingredients"][0]["linked"] == {"parent_id": tidepool.id, "matched_by": "export"}


def test_a_text_to_image_work_is_created_by_trained_algorithmic_media(studio, builder, keys, tmp_path: Path):
    model = builder.tool(WorkKind.model, "tiny-model", "creativeml-openrail-m")
    work = builder.generated(
        "Lighthouse", [(model, Relation.generated_with, None)], Recipe(model="tiny-model", seed=3), "Cy"
    )
    studio.credential_service.export(work.id, tmp_path / "lighthouse.png", signer="Cy", secrets=keys)
    report = _read(tmp_path / "lighthouse.png")
    assert report.kind == "generated" and report.actions == ("c2pa.created",) and report.ingredients == ()
    action = _assertion(report, "c2pa.actions")["actions"][0]
    assert action["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA and "tiny-model" in action["description"]


def test_a_composite_names_each_part_as_a_component(studio, builder, keys, tmp_path: Path):
    left = builder.image("Left", "cc0-1.0")
    right = builder.image("Right", "cc-by-4.0", creator="Rae")
    collage = builder.image("Collage", creator="Di", parents=[left, right], relation=Relation.composite_of)
    result = studio.credential_service.export(collage.id, tmp_path / "collage.png", signer="Di", secrets=keys)
    report = _read(tmp_path / "collage.png")
    assert result.kind == "composite" and report.actions == ("c2pa.created", "c2pa.placed", "c2pa.placed")
    assert _assertion(report, "c2pa.actions")["actions"][0]["digitalSourceType"] == COMPOSITE
    assert [(i.relationship, i.work_id) for i in report.ingredients] == [
        ("componentOf", left.id),
        ("componentOf", right.id),
    ]
    assert all(i.has_credentials for i in report.ingredients)


def test_signed_copies_are_reused_until_what_they_state_changes(studio, keys, remix, tmp_path: Path):
    tidepool, _, _, generated = remix
    first = studio.credential_service.export(generated.id, tmp_path / "a.png", signer="Cy", secrets=keys)
    copies = sorted((studio.library.root / EXPORTS_FOLDER).iterdir())
    second = studio.credential_service.export(generated.id, tmp_path / "b.png", secrets=keys)  # the identity is reused
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert first.sha256 == second.sha256 and sorted((studio.library.root / EXPORTS_FOLDER).iterdir()) == copies
    assert len(copies) == 2  # the work and its parent

    studio.library.works.update(tidepool.id, title="Tidepool (final title)")
    third = studio.credential_service.export(generated.id, tmp_path / "c.png", secrets=keys)
    assert third.sha256 != first.sha256
    [parent] = _read(tmp_path / "c.png").ingredients
    assert parent.title == "Tidepool (final title)"


def test_export_is_refused_while_review_is_required_and_missing(studio, keys, remix, tmp_path: Path):
    generated = remix[-1]
    studio.review.set_review_required(True)
    target = tmp_path / "harbour.png"
    with pytest.raises(ReleaseNotApproved, match="needs a reviewer's approval"):
        studio.credential_service.export(generated.id, target, signer="Cy", secrets=keys)
    assert not target.exists() and not (studio.library.root / EXPORTS_FOLDER).exists()

    result = CliRunner().invoke(
        cli, ["--library", str(studio.library.address), "export", generated.id, str(target), "--signer", "Cy"]
    )
    assert result.exit_code == ReleaseNotApproved.exit_code == 5
    assert result.stderr.count("\n") == 1 and "approval" in result.stderr and not target.exists()

    studio.review.record_decision(generated.id, "approved", "Rita")
    assert studio.credential_service.export(generated.id, target, signer="Cy", secrets=keys).state == "trusted"


def test_export_and_credentials_commands(studio, keys, remix, tmp_path: Path):
    generated = remix[-1]
    target = tmp_path / "harbour.png"
    runner = CliRunner()
    base = ["--library", str(studio.library.address)]
    done = runner.invoke(cli, [*base, "export", generated.id, str(target), "--signer", "Cy", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["path"] == str(target) and data["state"] == "trusted" and data["kind"] == "remix"
    shown = runner.invoke(cli, [*base, "credentials", generated.id])
    assert "trusted" in shown.stdout and "Cy" in shown.stdout and "(export)" in shown.stdout


def test_bad_export_requests_write_nothing(studio, builder, keys, remix, tmp_path: Path):
    _, model, _, generated = remix
    with pytest.raises(InvalidInput, match="--signer"):
        studio.credential_service.export(generated.id, tmp_path / "x.png", secrets=keys)  # no identity yet, and no name
    with pytest.raises(InvalidInput, match=r"name the file with \.png"):
        studio.credential_service.export(generated.id, tmp_path / "x.jpg", signer="Cy", secrets=keys)
    with pytest.raises(InvalidInput, match="not an image"):
        studio.credential_service.export(model.id, tmp_path / "model.png", signer="Cy", secrets=keys)
    assert list(tmp_path.glob("x.*")) == [] and not (tmp_path / "model.png").exists()


def test_a_file_with_someone_elses_credentials_keeps_them(studio, keys, tmp_path: Path):
    bob_dir = tmp_path / "bob-data"
    bob = ensure_identity(keys, bob_dir, "Bob Other")
    try:
        claim = ProvenanceClaim(title="Bob's Harbour", work_id="bob-1", mime="image/png", kind="generated")
        source = tmp_path / "bobs.png"
        source.write_bytes(sign_image(drawing(99), "image/png", claim, bob))
        imported = studio.importing.import_image(ImportRequest(path=source, license_id="cc-by-4.0", creator="Bob")).work
        # Intact, but Bob's CA is not trusted here.
        assert studio.credential_service.stored(imported.id).state == "valid"

        studio.credential_service.export(imported.id, tmp_path / "out.png", signer="Alice", secrets=keys)
        report = _read(tmp_path / "out.png")
        assert report.kind == "imported" and report.actions == ("c2pa.opened",)
        [origin] = report.ingredients
        assert origin.has_credentials and origin.signer.common_name == "Bob Other"
        assert report.manifest_count == 2
        # What the imported file said stays recorded.
        assert studio.credential_service.stored(imported.id).source == "import"
    finally:
        forget_identity(keys, bob_dir)
