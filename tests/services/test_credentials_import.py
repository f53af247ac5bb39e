"""Content Credentials on import: verdicts stored, ingredients turned into lineage, tampering and hostile files."""

from __future__ import annotations

import io
import json
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from studio.cli.main import cli
from studio.core.types import Recipe, Relation
from studio.errors import InvalidInput, StudioError
from studio.provenance import (
    IngredientSource,
    ProvenanceClaim,
    ProvenanceError,
    add_trust_anchor,
    c2pa_sdk,
    ensure_identity,
    sign_image,
)
from studio.provenance.container import MAX_MANIFEST_BYTES
from studio.secrets import SecretStore
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.store.library import data_dir

# Shared with the review and report tests: the keyring the signing keys live in, and the lineage builder.
from tests.helpers.report_lineage import Builder, drawing
from tests.helpers.signing_keys import forget_identity, keys_fixture  # noqa: F401


@pytest.fixture
def open_studio(tmp_path: Path) -> Iterator:
    opened: list[Studio] = []

    def open_(name: str) -> Studio:
        studio = Studio.open(tmp_path / name)
        opened.append(studio)
        return studio

    yield open_
    for studio in opened:
        studio.close()


@pytest.fixture
def bob(keys: SecretStore, tmp_path: Path):
    """A creator with a CA of their own, whom the user does not trust."""
    folder = tmp_path / "bob-data"
    yield ensure_identity(keys, folder, "Bob Other")
    forget_identity(keys, folder)


def _builder(studio: Studio, folder: Path) -> Builder:
    folder.mkdir(parents=True, exist_ok=True)
    return Builder(studio, folder)


def _import(studio: Studio, path: Path, **kwargs):
    return studio.importing.import_image(ImportRequest(path=path, **kwargs)).work


def _chunks(png: bytes) -> list[tuple[bytes, bytes, int]]:
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        chunks.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length], pos))
        pos += 12 + length
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _with_chunk(png: bytes, kind: bytes, body: bytes) -> bytes:
    """`png` with one more chunk right after IHDR, where C2PA puts its manifest store."""
    after_header = _chunks(png)[1][2]
    return png[:after_header] + _chunk(kind, body) + png[after_header:]


def _tampered(signed: bytes) -> bytes:
    """The signed image with one pixel changed, re-encoded with its original credentials kept in."""
    image = Image.open(io.BytesIO(signed)).convert("RGB")
    image.putpixel((3, 3), (255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    store = next(body for kind, body, _ in _chunks(signed) if kind == b"caBX")
    return _with_chunk(out.getvalue(), b"caBX", store)


def _nothing_written(studio: Studio) -> None:
    db = studio.library.db
    assert db.one("SELECT count(*) FROM works")[0] == 0
    assert db.one("SELECT count(*) FROM credentials")[0] == 0
    assert db.one("SELECT count(*) FROM edges")[0] == 0
    files = studio.library.root / "files"
    assert not files.exists() or not [p for p in files.rglob("*") if p.is_file()]
    assert not studio.library.files.pending_hashes()


def test_signed_exports_bring_their_lineage_into_another_library(keys, open_studio, tmp_path: Path):
    home = open_studio("home")
    make = _builder(home, tmp_path / "home-src")
    sketch = make.image("Harbour Sketch", "cc-by-4.0", creator="Ann")
    remix = make.image("Harbour Remix", creator="Alice", parents=[sketch])
    left, right = make.image("Left", "cc0-1.0"), make.image("Right", "cc0-1.0")
    collage = make.image("Collage", parents=[left, right], relation=Relation.composite_of)
    out = tmp_path / "exports"
    for work in (sketch, remix, left, right, collage):
        home.credential_service.export(work.id, out / f"{work.title}.png", signer="Alice Example", secrets=keys)

    # A library that knows none of the parents keeps the verdict and names the ingredient, unlinked.
    stranger = open_studio("stranger")
    alone = _import(stranger, out / "Harbour Remix.png")
    assert stranger.parents(alone.id) == []
    stored = stranger.credential_service.stored(alone.id)
    assert (stored.state, stored.source, stored.tampered) == ("trusted", "import", False)
    assert stored.signer == "Alice Example (Remix Studio)" and stored.details["work_id"] == remix.id
    [ingredient] = stored.details["ingredients"]
    assert ingredient["work_id"] == sketch.id and ingredient["linked"] is None

    # A library that imported the parents' signed copies first links the children to them.
    friend = open_studio("friend")
    parent = _import(friend, out / "Harbour Sketch.png", license_id="cc-by-4.0", creator="Ann")
    child = _import(friend, out / "Harbour Remix.png")
    assert [(e.parent_id, e.relation) for e in friend.parents(child.id)] == [(parent.id, Relation.remix_of)]
    [ingredient] = friend.credential_service.stored(child.id).details["ingredients"]
    assert ingredient["linked"] == {"parent_id": parent.id, "matched_by": "claimed_work_id"}
    assert friend.credential_service.stored(child.id).state == "trusted"

    parts = [_import(friend, out / f"{name}.png") for name in ("Left", "Right")]
    whole = _import(friend, out / "Collage.png")
    assert {(e.parent_id, e.relation) for e in friend.parents(whole.id)} == {
        (parts[0].id, Relation.composite_of),
        (parts[1].id, Relation.composite_of),
    }


def test_an_exported_copy_reimported_links_to_the_parent_by_its_work_id(keys, open_studio, tmp_path: Path):
    home = open_studio("home")
    make = _builder(home, tmp_path / "src")
    sketch = make.image("Harbour Sketch", "cc-by-4.0", creator="Ann")
    remix = make.image("Harbour Remix", creator="Alice", parents=[sketch])
    home.credential_service.export(remix.id, tmp_path / "remix.png", signer="Alice", secrets=keys)
    again = _import(home, tmp_path / "remix.png", title="Harbour Remix (signed copy)")
    assert again.id != remix.id
    assert [e.parent_id for e in home.parents(again.id)] == [sketch.id]
    linked = home.credential_service.stored(again.id).details["ingredients"][0]["linked"]
    assert linked == {"parent_id": sketch.id, "matched_by": "work_id"}


def test_changed_pixels_are_stored_flagged_unpublishable_and_unlinked(keys, open_studio, tmp_path: Path):
    home = open_studio("home")
    make = _builder(home, tmp_path / "src")
    sketch = make.image("Harbour Sketch", "cc-by-4.0", creator="Ann")
    remix = make.image("Harbour Remix", creator="Alice", parents=[sketch])
    home.credential_service.export(remix.id, tmp_path / "remix.png", signer="Alice", secrets=keys)
    edited = tmp_path / "edited.png"
    edited.write_bytes(_tampered((tmp_path / "remix.png").read_bytes()))

    work = _import(home, edited, title="Edited Remix")
    assert [f["code"] for f in work.flags] == ["credentials_tampered"]
    assert "changed after it was signed" in work.flags[0]["message"]
    stored = home.credential_service.stored(work.id)
    assert stored.tampered and stored.state == "invalid" and "changed after signing" in stored.summary
    assert home.parents(work.id) == []  # its claims describe other pixels

    verdict = home.license_check(work.id)
    assert not verdict.can_publish and "flagged" in {r.code for r in verdict.blocking("publish")}
    report = home.review.lineage_report(work.id)
    problem = next(p for p in report.problems if p.code == "credentials_tampered")
    assert problem.severity == "block" and problem.rule.startswith("C2PA")
    assert report.subject.credentials.tampered

    # A license re-audit (here: linking a parent by hand) keeps the flag.
    home.link(work.id, [sketch.id], Relation.remix_of)
    assert "credentials_tampered" in [f["code"] for f in home.work(work.id).flags]
    assert not home.license_check(work.id).can_publish


def test_an_altered_manifest_is_flagged_invalid_and_its_claims_ignored(keys, bob, open_studio, tmp_path: Path):
    home = open_studio("home")
    sketch = _builder(home, tmp_path / "src").image("Harbour Sketch", "cc0-1.0")
    claim = ProvenanceClaim(
        title="Remix",
        work_id="bob-remix",
        mime="image/png",
        kind="remix",
        recipe=Recipe(prompt="a quiet harbour"),
        ingredients=(
            IngredientSource("Sketch", "parentOf", data=home.file_of(sketch).read_bytes(), work_id=sketch.id),
        ),
    )
    signed = sign_image(drawing(70), "image/png", claim, bob)
    _, store, offset = next(c for c in _chunks(signed) if c[0] == b"caBX")
    forged_store = store.replace(b"a quiet harbour", b"a rough harbour")
    forged = signed[:offset] + _chunk(b"caBX", forged_store) + signed[offset + 12 + len(store) :]
    source = tmp_path / "forged.png"
    source.write_bytes(forged)

    work = _import(home, source)
    assert [f["code"] for f in work.flags] == ["credentials_invalid"]
    stored = home.credential_service.stored(work.id)
    assert (stored.state, stored.tampered) == ("invalid", False)
    assert "altered after signing" in work.flags[0]["message"]
    assert home.parents(work.id) == []  # a forged manifest's claims are not lineage
    assert not home.license_check(work.id).can_publish


def test_a_manifest_from_a_signer_the_user_does_not_trust(keys, bob, open_studio, tmp_path: Path):
    home = open_studio("home")
    make = _builder(home, tmp_path / "src")
    sketch = make.image("Harbour Sketch", "cc-by-4.0", creator="Ann")
    claim = ProvenanceClaim(
        title="Bob's Remix",
        work_id="bob-remix",
        mime="image/png",
        kind="remix",
        ingredients=(
            IngredientSource("Harbour Sketch", "parentOf", data=home.file_of(sketch).read_bytes(), work_id=sketch.id),
        ),
    )
    source = tmp_path / "bobs-remix.png"
    source.write_bytes(sign_image(drawing(50), "image/png", claim, bob))

    work = _import(home, source, creator="Bob")
    stored = home.credential_service.stored(work.id)
    assert (stored.state, stored.tampered, stored.signer) == ("valid", False, "Bob Other (Remix Studio)")
    assert "intact" in stored.summary and "not certified by a certificate authority you trust" in stored.summary
    assert work.flags == ()  # an unknown signer is shown, not held against the work
    # Work ids and hashes are public: an untrusted claim of a parent is shown, never turned into an edge.
    assert home.parents(work.id) == []
    [ingredient] = stored.details["ingredients"]
    assert ingredient["linked"] is None
    assert ingredient["claims"] == {"parent_id": sketch.id, "matched_by": "work_id", "linked": False,
                                    "why": "the signer is not trusted"}

    add_trust_anchor(data_dir(), bob.anchor_pem)
    second = tmp_path / "bobs-second.png"
    second.write_bytes(
        sign_image(drawing(51), "image/png", ProvenanceClaim("Second", "bob-2", "image/png", "generated"), bob)
    )
    assert home.credential_service.stored(_import(home, second).id).state == "trusted"


def test_another_tool_naming_the_ingredient_by_its_content_hash(keys, bob, open_studio, tmp_path: Path):
    home = open_studio("home")
    sketch = _builder(home, tmp_path / "src").image("Harbour Sketch", "cc0-1.0")
    manifest = {
        "claim_generator_info": [{"name": "Other Editor", "version": "2.0"}],
        "title": "collage.png",
        "format": "image/png",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/composite",
                        },
                        {"action": "c2pa.placed", "parameters": {"ingredientIds": ["p"]}},
                    ]
                },
            }
        ],
    }
    part = c2pa_sdk.IngredientInput(
        {"title": "part", "relationship": "componentOf", "label": "p", "metadata": {"studio:sha256": sketch.sha256}},
        "image/png",
        home.file_of(sketch).read_bytes(),
    )
    signed = c2pa_sdk.sign(
        manifest,
        [part],
        drawing(60),
        "image/png",
        chain_pem=bob.chain_pem,
        key_pem=bob.private_key.reveal(),
        alg=bob.alg,
        trust_anchors=[bob.anchor_pem],
    )
    source = tmp_path / "collage.png"
    source.write_bytes(signed)
    add_trust_anchor(data_dir(), bob.anchor_pem)  # a tool the user trusts
    work = _import(home, source)
    assert [(e.parent_id, e.relation) for e in home.parents(work.id)] == [(sketch.id, Relation.composite_of)]
    assert home.credential_service.stored(work.id).details["ingredients"][0]["linked"]["matched_by"] == "sha256"


@pytest.mark.parametrize(
    "store",
    [
        b"\0" * (MAX_MANIFEST_BYTES + 1),
        os.urandom(3000),
        struct.pack(">I", 0xFFFFFFF0) + b"jumb" + os.urandom(100),
    ],
    ids=["oversized", "random", "huge-box-length"],
)
def test_hostile_manifests_fail_the_import_and_write_nothing(open_studio, tmp_path: Path, store: bytes):
    home = open_studio("home")
    hostile = tmp_path / "hostile.png"
    hostile.write_bytes(_with_chunk(drawing(7), b"caBX", store))
    with pytest.raises(ProvenanceError) as caught:
        _import(home, hostile)
    message = str(caught.value)
    assert isinstance(caught.value, StudioError) and "\n" not in message
    assert message.startswith("hostile.png was not imported: its Content Credentials cannot be read safely")
    _nothing_written(home)

    result = CliRunner().invoke(cli, ["--library", str(home.library.root), "import", str(hostile)])
    assert result.exit_code == ProvenanceError.exit_code and result.stderr.count("\n") == 1
    _nothing_written(home)


def test_files_without_credentials_import_as_before(open_studio, tmp_path: Path):
    home = open_studio("home")
    plain = tmp_path / "plain.png"
    plain.write_bytes(drawing(8))
    work = _import(home, plain, license_id="cc0-1.0")
    assert work.flags == ()
    stored = home.credential_service.stored(work.id)
    assert (stored.state, stored.signer, stored.summary) == ("none", None, "No Content Credentials.")
    shown = CliRunner().invoke(cli, ["--library", str(home.library.root), "credentials", work.id, "--json"])
    assert json.loads(shown.stdout)["state"] == "none"

    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(drawing(9)[:-30])
    with pytest.raises(InvalidInput, match="truncated or corrupt"):  # the image check's words, as before
        _import(home, truncated)


def test_a_forged_claim_of_a_known_work_from_an_untrusted_signer_is_shown_not_linked(
    keys, bob, open_studio, tmp_path: Path
):
    """Bob signs his own picture and names a famous work of the library as its parent: by its public id, by the
    hash of its file, and by the manifest label of its signed copy. None of it becomes lineage."""
    home = open_studio("home")
    make = _builder(home, tmp_path / "src")
    famous = make.image("Famous Harbour", "cc-by-4.0", creator="Ann")
    famous_copy = tmp_path / "famous-signed.png"
    home.credential_service.export(famous.id, famous_copy, signer="Alice Example", secrets=keys)
    copy = _import(home, famous_copy, title="Famous Harbour (signed copy)")
    claim = ProvenanceClaim(
        title="Totally a remix", work_id="bob-forgery", mime="image/png", kind="remix",
        ingredients=(IngredientSource("Famous Harbour", "parentOf", data=famous_copy.read_bytes(), work_id=famous.id,
                                      original_sha256=famous.sha256),),
    )
    source = tmp_path / "forgery.png"
    source.write_bytes(sign_image(drawing(90), "image/png", claim, bob))

    result = CliRunner().invoke(cli, ["--library", str(home.library.root), "import", str(source)])
    assert result.exit_code == 0, result.output + result.stderr
    work_id = result.stdout.split()[0]
    assert home.parents(work_id) == []
    assert home.children(famous.id) == [] and home.children(copy.id) == []
    assert f"name work {famous.id} as its parent; not linked" in result.stdout
    assert f"studio link {work_id} {famous.id}" in result.stdout
    stored = home.credential_service.stored(work_id)
    assert stored.state == "valid"
    assert stored.details["ingredients"][0]["claims"]["parent_id"] == famous.id


def test_a_signed_export_links_to_the_parent_s_original_file_in_another_library(keys, open_studio, tmp_path: Path):
    """A library that holds the parent's original file (not a signed copy) links the export to it."""
    home = open_studio("home")
    make = _builder(home, tmp_path / "src")
    sketch = make.image("Harbour Sketch", "cc-by-4.0", creator="Ann")
    remix = make.image("Harbour Remix", creator="Alice", parents=[sketch])
    exported = tmp_path / "remix.png"
    home.credential_service.export(remix.id, exported, signer="Alice Example", secrets=keys)

    friend = open_studio("friend")
    original = _import(friend, home.file_of(sketch), title="My Sketch", license_id="cc-by-4.0")
    assert original.id != sketch.id and original.sha256 == sketch.sha256
    child = _import(friend, exported)
    assert [(e.parent_id, e.relation) for e in friend.parents(child.id)] == [(original.id, Relation.remix_of)]
    [ingredient] = friend.credential_service.stored(child.id).details["ingredients"]
    assert ingredient["linked"] == {"parent_id": original.id, "matched_by": "sha256"}
