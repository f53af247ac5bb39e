"""The training-and-data-mining assertion: read from Content Credentials in both its CAWG and older C2PA forms,
kept with a work on import, and written (with IPTC XMP) on export from the work's training verdict."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from studio.core.modes import Mode
from studio.metadata.xmp import read_data_mining
from studio.provenance import ProvenanceClaim, c2pa_sdk, ensure_identity, read_credentials, sign_image, trust_anchors
from studio.provenance.manifest import SOFTWARE_AGENT
from studio.secrets import SecretStore
from studio.services import Studio
from studio.services.generation import CreateRequest
from studio.services.importing import ImportRequest
from studio.store.library import data_dir
from tests.helpers.signing_keys import forget_identity, keyring_store, use_for_cli

DMI_DENIED = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretStore]:
    store = keyring_store(tmp_path)
    use_for_cli(store, tmp_path, monkeypatch)
    yield store
    forget_identity(store, data_dir())


@pytest.fixture
def dana(keys: SecretStore, tmp_path: Path):
    folder = tmp_path / "dana-data"
    yield ensure_identity(keys, folder, "Dana Photographer"), folder
    forget_identity(keys, folder)


def _png(colour=(10, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def _sign_with(assertion: dict, identity) -> bytes:
    """A file signed by another tool, carrying `assertion` as it wrote it."""
    manifest = {
        "claim_generator_info": [SOFTWARE_AGENT],
        "title": "photo.png",
        "format": "image/png",
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created",
             "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}},
            assertion,
        ],
    }
    return c2pa_sdk.sign(manifest, [], _png(), "image/png", chain_pem=identity.chain_pem,
                         key_pem=identity.private_key.reveal(), alg=identity.alg, trust_anchors=[])


@pytest.mark.parametrize("allowed", [True, False])
def test_the_studio_assertion_is_read_back(dana, allowed: bool) -> None:
    identity, folder = dana
    claim = ProvenanceClaim(title="t", work_id="w1", mime="image/png", kind="generated", training_allowed=allowed)
    report = read_credentials(sign_image(_png(), "image/png", claim, identity), "image/png",
                              trust_anchors=trust_anchors(folder, identity))
    assert report.state == "trusted"
    assert {s.entry for s in report.training} == {"cawg.ai_training", "cawg.ai_generative_training",
                                                  "cawg.data_mining"}
    assert {s.use for s in report.training} == {"allowed" if allowed else "notAllowed"}


def test_older_c2pa_form_with_constraints_info_is_read(dana) -> None:
    identity, _ = dana
    signed = _sign_with({"label": "c2pa.training-mining", "data": {"entries": {
        "c2pa.ai_generative_training": {"use": "constrained", "constraints_info": "license via example.com"},
        "c2pa.ai_inference": {"use": "allowed"},
    }}}, identity)
    report = read_credentials(signed, "image/png", trust_anchors=[])
    assert [(s.entry, s.use, s.value) for s in report.training] == [
        ("c2pa.ai_generative_training", "constrained", "license via example.com")
    ]


def test_import_keeps_the_file_s_refusal_and_the_verdict_needs_no_file(keys, dana, tmp_path: Path) -> None:
    identity, _ = dana
    path = tmp_path / "photo.png"
    path.write_bytes(_sign_with({"label": "cawg.training-mining", "data": {"entries": {
        "cawg.ai_training": {"use": "notAllowed"}}}}, identity))
    studio = Studio.open(tmp_path / "lib")
    try:
        work = studio.importing.import_image(ImportRequest(path=path, license_id="cc-by-4.0")).work
        path.unlink()
        verdict = studio.licenses.may_train(work.id)
        assert not verdict.allowed and verdict.lines[0].reason.code == "training_credentials_denied"
        assert studio.license_check(work.id).can_train is False
    finally:
        studio.close()


def test_export_of_a_do_not_train_work_states_it_in_credentials_and_xmp(keys, tmp_path: Path) -> None:
    source = tmp_path / "mine.png"
    source.write_bytes(_png((200, 10, 10)))
    studio = Studio.open(tmp_path / "lib")
    try:
        work = studio.importing.import_image(ImportRequest(path=source, license_id="cc-by-4.0")).work
        studio.set_training_choice(work.id, "deny")
        result = studio.credential_service.export(work.id, tmp_path / "out.png", signer="Ann Maker", secrets=keys)
        exported = (tmp_path / "out.png").read_bytes()
        assert read_data_mining(exported) == [DMI_DENIED]
        report = read_credentials(exported, "image/png", trust_anchors=None)
        assert report.state != "invalid" and result.state != "invalid"
        assert {s.use for s in report.training} == {"notAllowed"}
        with Image.open(io.BytesIO(exported)) as image, Image.open(source) as original:
            assert image.convert("RGB").tobytes() == original.convert("RGB").tobytes()
        studio.set_training_choice(work.id, None)  # a changed verdict makes a new signed copy
        studio.credential_service.export(work.id, tmp_path / "again.png", secrets=keys)
        again = (tmp_path / "again.png").read_bytes()
        assert read_data_mining(again) == ["http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"]
    finally:
        studio.close()


def test_export_of_an_image_made_with_flux_dev_states_no_training(keys, tmp_path: Path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        folder = tmp_path / "flux-dev-tiny"
        shutil.copytree(studio.models.builtin("studio-tiny").path, folder)
        (folder / "LICENSE.md").write_text("flux-1-dev-non-commercial", encoding="utf-8")
        model, _new = studio.models.add(folder, name="flux-dev-tiny", license_id="flux-1-dev-non-commercial")
        work = studio.generation.create(CreateRequest(Mode.txt2img, "a harbour", model=model.work.id, steps=2, width=64,
                                                      height=64, seed=1, license_id="cc0-1.0"))
        studio.credential_service.export(work.id, tmp_path / "out.png", signer="Ann Maker", secrets=keys)
        exported = (tmp_path / "out.png").read_bytes()
        assert read_data_mining(exported) == [DMI_DENIED]  # CC0 alone would state DMI-ALLOWED
        assert {s.use for s in read_credentials(exported, "image/png", trust_anchors=None).training} == {"notAllowed"}
    finally:
        studio.close()
