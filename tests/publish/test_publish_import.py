"""Importing IP assets from Story by IP id: metadata and image checked against their hashes, the chain's
terms mirrored in the library, parents imported first, and the imported work used as a parent."""

from __future__ import annotations

import pytest
from publish_helpers import PCT, desk_with_wallet
from publish_ipfs import fake_ipfs

from studio.core.types import Origin
from studio.story.errors import ImportFailed
from studio.story.storage import cid_v1_raw


@pytest.fixture
def alice(chain, devnet, tmp_path, monkeypatch):
    with desk_with_wallet(tmp_path / "alice", devnet, tmp_path / "a", monkeypatch) as d:
        yield d


@pytest.fixture
def bob(alice, devnet, tmp_path, monkeypatch):
    with desk_with_wallet(tmp_path / "bob", devnet, tmp_path / "b", monkeypatch) as d:
        yield d


def _serve_alices_files(alice, ipfs) -> None:
    for path in (alice.studio.library.root / "ipfs").iterdir():
        ipfs.files[path.name] = path.read_bytes()


def test_import_mirrors_the_chain_and_brings_the_parents(alice, bob) -> None:
    dawn = alice.work("Dawn", rev_share=7)
    noon = alice.work("Noon", parents=[dawn], override=12)
    alice.publish(noon)
    with fake_ipfs() as ipfs:
        _serve_alices_files(alice, ipfs)
        bob.studio.publish_setup.set_setting("ipfs.gateway", ipfs.url)
        imported = bob.studio.ip_importer.import_ip(alice.ip(noon), "devnet")

    studio = bob.studio
    assert imported.title == "Noon" and imported.origin is Origin.imported and imported.creator == "Test Creator"
    assert (imported.license_id, imported.terms.rev_share, imported.terms.rev_share_override) == (
        "pil-commercial-remix", 7 * PCT, 12 * PCT)
    assert studio.file_of(imported).read_bytes() == alice.studio.file_of(noon).read_bytes()
    (edge,) = studio.parents(imported.id)
    parent = studio.work(edge.parent_id)
    assert parent.title == "Dawn" and (parent.license_id, parent.terms.rev_share) == ("pil-commercial-remix", 7 * PCT)
    for work, source in ((imported, noon), (parent, dawn)):
        pub = bob.studio.journal.confirmed(work.id, "devnet")
        assert pub.origin == "imported" and pub.ip_id == alice.ip(source)
    verdict = studio.license_check(imported.id)
    assert verdict.can_remix and [r.code for r in verdict.blocking("publish")] == ["already_on_chain"]

    # Importing again finds it; and Bob's remix of it links to Alice's IP, paying what the engine predicts.
    assert bob.studio.ip_importer.import_ip(alice.ip(noon), "devnet").id == imported.id
    remix = bob.work("Bob's dusk", parents=[imported])
    (result,) = bob.publish(remix)
    assert result.publication.readback["agrees"], result.publication.readback["differences"]
    assert result.publication.readback["royalty_stack"] == 19 * PCT
    assert result.publication.readback["parents"] == [alice.ip(noon)]


def test_an_image_that_does_not_match_its_hash_is_refused(alice, bob) -> None:
    work = alice.work("Dawn", rev_share=7)
    alice.publish(work)
    with fake_ipfs() as ipfs:
        _serve_alices_files(alice, ipfs)
        image_cid = cid_v1_raw(alice.studio.file_of(work).read_bytes())
        ipfs.tampered[image_cid] = b"\x89PNG not the same image"
        bob.studio.publish_setup.set_setting("ipfs.gateway", ipfs.url)
        with pytest.raises(ImportFailed, match=r"image of IP .* cannot be used"):
            bob.studio.ip_importer.import_ip(alice.ip(work), "devnet")
    assert bob.studio.works() == []
    assert bob.studio.journal.list() == []


def test_unknown_ip_and_unreadable_metadata(alice, bob) -> None:
    with pytest.raises(ImportFailed, match="there is no IP asset"):
        bob.studio.ip_importer.import_ip("0x" + "12" * 20, "devnet")
    work = alice.work("Dawn", rev_share=7)
    alice.publish(work)
    with pytest.raises(ImportFailed, match=r"metadata of IP .* cannot be used"):
        bob.studio.ip_importer.import_ip(alice.ip(work), "devnet")  # Bob has no way to read Alice's local files
