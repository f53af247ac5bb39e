"""`studio import-ip` links an IP whose metadata names, as its media hash, a work the library already holds: the
publication is recorded for that work (nothing imported, no file kept), its media checked where storage can
fetch it and taken from the metadata where it cannot, and a work is linked to one IP per network."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from devnet_chain import PCT
from publish_helpers import desk_with_wallet, open_desk
from publish_ipfs import fake_ipfs

from studio.cli.main import cli
from studio.story.devnet.contributors import ContributedIp, Contribution, member_terms, publish_contributions
from studio.story.errors import AlreadyPublished
from studio.story.storage import cid_of


@pytest.fixture
def desk(chain, devnet, tmp_path, monkeypatch):
    d = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    yield d
    d.studio.close()


def register_copy(desk, work, *, creator: str = "Ana", with_file: bool = True) -> ContributedIp:
    """Someone registers the file of `work` as a root IP, its metadata stored where `desk` reads."""
    setup = desk.studio.publish_setup
    net = setup.network("devnet")
    data = desk.studio.file_of(work).read_bytes() if with_file else None
    item = Contribution(f"{work.title} on chain", creator, work.sha256, data, "image/png")
    (ip,) = publish_contributions(setup.client(net), setup.storage(net), [item],
                                  member_terms(desk.studio.catalog, 10 * PCT))
    return ip


def run(desk, *args: str):
    return CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), *args], catch_exceptions=False)


def test_import_ip_links_the_work_whose_file_the_ip_carries(desk) -> None:
    tide = desk.work("Tide", owned=False, license_id="cc-by-4.0")
    ip = register_copy(desk, tide)
    works = desk.studio.library.works.count()

    result = run(desk, "import-ip", ip.ip_id)
    assert result.exit_code == 0, result.output + result.stderr
    media = json.loads(desk.studio.library.root.joinpath("ipfs", cid_of(_metadata_uri(desk, ip))).read_text())
    assert result.stdout == (f"linked IP {ip.ip_id} to the library's “Tide” ({tide.id}): its media at "
                             f"{media['mediaUrl']} hashes to the work's sha256\n")
    pub = desk.studio.journal.confirmed(tide.id, "devnet")
    assert pub.ip_id == ip.ip_id and pub.origin == "imported" and pub.license_terms_ids == (ip.license_terms_id,)
    assert pub.readback["linked"] == {"sha256": tide.sha256, "uri": media["mediaUrl"], "verified": True, "note": None}
    linked = desk.studio.work(tide.id)
    assert desk.studio.library.works.count() == works
    assert (linked.title, linked.license_id, linked.file_path) == ("Tide", "cc-by-4.0", tide.file_path)

    # --json names the linked work; importing again finds the publication and links nothing new.
    dusk = desk.work("Dusk", owned=False)
    other = register_copy(desk, dusk, creator="Bo")
    shown = json.loads(run(desk, "import-ip", other.ip_id, "--json").stdout)
    assert shown["id"] == dusk.id and shown["ip_id"] == other.ip_id and shown["network"] == "devnet"
    assert shown["linked"]["work_id"] == dusk.id and shown["linked"]["verified"] is True
    again = json.loads(run(desk, "import-ip", other.ip_id, "--json").stdout)
    assert again["id"] == dusk.id and again["linked"] is None


def test_media_that_cannot_be_fetched_links_on_the_metadata_hash_and_says_so(desk) -> None:
    gone = desk.work("Gone", owned=False)
    ip = register_copy(desk, gone)
    media_uri = json.loads(desk.studio.library.root.joinpath("ipfs", cid_of(_metadata_uri(desk, ip))).read_text())[
        "mediaUrl"]
    desk.studio.library.root.joinpath("ipfs", cid_of(media_uri)).unlink()
    bare = desk.work("Bare", owned=False)
    no_url = register_copy(desk, bare, with_file=False)

    line = run(desk, "import-ip", ip.ip_id).stdout
    assert line.startswith(f"linked IP {ip.ip_id} to the library's “Gone” ({gone.id}) on its metadata's media hash "
                           f"alone (its media could not be fetched: {media_uri} is not in the local store")
    line = run(desk, "import-ip", no_url.ip_id).stdout
    assert line == (f"linked IP {no_url.ip_id} to the library's “Bare” ({bare.id}) on its metadata's media hash "
                    "alone (its metadata gives no media URL)\n")
    for work, contributed in ((gone, ip), (bare, no_url)):
        pub = desk.studio.journal.confirmed(work.id, "devnet")
        assert pub.ip_id == contributed.ip_id and pub.readback["linked"]["verified"] is False


def test_a_draft_left_by_a_failed_publish_gives_way_to_the_link(desk) -> None:
    work = desk.work("Draft", owned=False)
    draft = desk.studio.journal.records.insert_draft(work.id, "devnet", 1315, "0x" + "11" * 20, {})
    ip = register_copy(desk, work)
    result = desk.studio.ip_importer.import_or_link(ip.ip_id, "devnet")
    assert result.linked and result.work.id == work.id
    states = {p.id: (p.state, p.error) for p in desk.studio.journal.list(work_id=work.id)}
    assert states[draft.id] == ("failed", f"linked to IP {ip.ip_id}, which carries the same file")
    assert desk.studio.journal.confirmed(work.id, "devnet").ip_id == ip.ip_id


def test_a_work_on_the_network_as_another_ip_is_refused(desk) -> None:
    work = desk.work("Once", owned=False)
    first, second = register_copy(desk, work), register_copy(desk, work, creator="Copycat")
    desk.studio.ip_importer.import_or_link(first.ip_id, "devnet")
    with pytest.raises(AlreadyPublished, match=rf"IP {second.ip_id} carries the file of the library's “Once” "
                                               rf"\({work.id}\), which is already on devnet as IP {first.ip_id}"):
        desk.studio.ip_importer.import_or_link(second.ip_id, "devnet")
    assert [p.ip_id for p in desk.studio.journal.list(work_id=work.id)] == [first.ip_id]


def test_a_work_made_here_links_only_to_an_ip_of_this_librarys_wallet(chain, devnet, tmp_path, monkeypatch) -> None:
    with desk_with_wallet(tmp_path / "a", devnet, tmp_path, monkeypatch) as alice:
        mine = open_desk(tmp_path / "b", devnet, tmp_path, monkeypatch, wallet_name=alice.wallet_name)
        try:
            alice.images, mine.images = iter([777]), iter([777, 778])
            dawn = alice.work("Dawn")
            alice.publish(dawn)
            here = mine.work("Dawn, made here too")
            noon = mine.work("Noon")
            assert here.sha256 == dawn.sha256 and here.origin.value == "generated"

            copy = register_copy(mine, noon, creator="Copycat")
            with pytest.raises(AlreadyPublished, match=f"belongs to {copy.owner}, not to this library's wallet"):
                mine.studio.ip_importer.import_or_link(copy.ip_id, "devnet")
            assert mine.studio.journal.list(work_id=noon.id) == []

            with fake_ipfs() as ipfs:
                for path in (alice.studio.library.root / "ipfs").iterdir():
                    ipfs.files[path.name] = path.read_bytes()
                mine.studio.publish_setup.set_setting("ipfs.gateway", ipfs.url)
                result = mine.studio.ip_importer.import_or_link(alice.ip(dawn), "devnet")
            assert result.linked and result.work.id == here.id and result.link.verified
            assert mine.studio.journal.confirmed(here.id, "devnet").ip_id == alice.ip(dawn)
        finally:
            mine.studio.close()


def test_a_linked_remix_takes_the_chains_parents_when_the_library_gives_it_none(
        chain, devnet, tmp_path, monkeypatch) -> None:
    with desk_with_wallet(tmp_path / "a", devnet, tmp_path, monkeypatch) as alice:
        bob = open_desk(tmp_path / "b", devnet, tmp_path, monkeypatch)
        try:
            alice.images, bob.images = iter([31, 32]), iter([32])
            dawn = alice.work("Dawn", rev_share=7)
            noon = alice.work("Noon", parents=[dawn])
            alice.publish(noon)
            copy = bob.work("Noon as a file", owned=False)
            assert bob.studio.parents(copy.id) == []
            with fake_ipfs() as ipfs:
                for path in (alice.studio.library.root / "ipfs").iterdir():
                    ipfs.files[path.name] = path.read_bytes()
                bob.studio.publish_setup.set_setting("ipfs.gateway", ipfs.url)
                result = bob.studio.ip_importer.import_or_link(alice.ip(noon), "devnet")
            assert result.linked and result.work.id == copy.id
            (edge,) = bob.studio.parents(copy.id)
            parent = bob.studio.work(edge.parent_id)
            assert parent.title == "Dawn" and parent.origin.value == "imported"
            assert bob.studio.journal.confirmed(parent.id, "devnet").ip_id == alice.ip(dawn)
        finally:
            bob.studio.close()


def _metadata_uri(desk, ip: ContributedIp) -> str:
    client = desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet"))
    uri, _ = client.contracts.ip_metadata(ip.ip_id)
    assert uri == ip.metadata_uri
    return uri
