"""Hostile IPs for `studio import-ip` on a real devnet: IPs that claim the file of a work the library holds but
must not be linked to it. Each is refused in one line with the library exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.licensing.catalog import default_catalog
from studio.secrets import Secret
from studio.story.chain import ChainClient, MetadataRefs
from studio.story.devnet.contributors import (
    ContributedIp,
    Contribution,
    dev_keys,
    member_terms,
    pool_offer,
    publish_contributions,
)
from studio.story.metadata import EncodedJson
from studio.story.networks import NETWORKS
from studio.story.storage import LocalStore, Storage, cid_of
from studio.story.terms import terms_struct
from studio.story.wallet import address_of
from tests.helpers.hostile_library import Studio, png_with_chunks, snapshot

PCT = 1_000_000


@pytest.fixture
def world(devnet_url: str, tmp_path: Path) -> Iterator[tuple[Studio, ChainClient]]:
    studio = Studio(tmp_path / "lib")
    studio.ok("publish", "config", "rpc.devnet", devnet_url)
    client = ChainClient(NETWORKS["devnet"], devnet_url)
    yield studio, client
    client.close()


def imported(studio: Studio, tmp_path: Path, seed: int) -> dict:
    path = tmp_path / f"work-{seed}.png"
    path.write_bytes(png_with_chunks({}, seed=seed))
    return json.loads(studio.ok("import", str(path), "--json").stdout)


def register(studio: Studio, client: ChainClient, title: str, sha256: str, data: bytes | None,
             creator: str = "Copycat") -> ContributedIp:
    store = LocalStore(studio.library / "ipfs")
    terms = member_terms(default_catalog(), 10 * PCT)
    (ip,) = publish_contributions(client, Storage(store, store), [Contribution(title, creator, sha256, data,
                                                                               "image/png")], terms)
    return ip


def refused(studio: Studio, *args: str) -> str:
    before = snapshot(studio.library)
    result = studio(*args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output + result.stderr
    (line,) = result.stderr.splitlines()
    after = snapshot(studio.library)
    assert after.integrity == "ok" and after == before
    return line


def test_an_ip_carrying_a_file_already_on_the_network_as_another_ip(world, tmp_path) -> None:
    studio, client = world
    work = imported(studio, tmp_path, 1)
    data = (tmp_path / "work-1.png").read_bytes()
    first = register(studio, client, "Tide", work["sha256"], data, creator="Ana")
    studio.ok("import-ip", first.ip_id)
    second = register(studio, client, "Tide again", work["sha256"], data)
    line = refused(studio, "import-ip", second.ip_id, "--json")
    assert line == (f"error: IP {second.ip_id} carries the file of the library's “{work['title']}” ({work['id']}), "
                    f"which is already on devnet as IP {first.ip_id} (a work is one IP per network; remix or pay "
                    "that IP instead)")


def test_an_ip_whose_stored_media_is_not_the_file_its_hash_names(world, tmp_path) -> None:
    studio, client = world
    work = imported(studio, tmp_path, 2)
    ip = register(studio, client, "Swapped", work["sha256"], (tmp_path / "work-2.png").read_bytes())
    metadata = json.loads((studio.library / "ipfs" / cid_of(ip.metadata_uri)).read_text())
    (studio.library / "ipfs" / cid_of(metadata["mediaUrl"])).write_bytes(png_with_chunks({}, seed=99))
    line = refused(studio, "import-ip", ip.ip_id)
    assert line.startswith(f"error: the media of IP {ip.ip_id} at {metadata['mediaUrl']} is not the file its "
                           "mediaHash names")


def test_an_ip_whose_media_url_addresses_other_bytes_than_its_hash(world, tmp_path) -> None:
    studio, client = world
    work = imported(studio, tmp_path, 3)
    decoy = png_with_chunks({}, seed=97)
    store = LocalStore(studio.library / "ipfs")
    # Metadata whose mediaUrl is a raw CID of other bytes, paired with the library work's hash.
    metadata = EncodedJson.of({"title": "Lying", "mediaUrl": store.put(decoy, "decoy.png", "image/png"),
                               "mediaHash": "0x" + work["sha256"], "ipType": "image"})
    uri = store.put(metadata.data, "ip-metadata.json", "application/json")
    key = Secret(dev_keys()[-1])
    owner = address_of(key)
    client.fund(owner, 10**21)
    story = client.contracts
    spg = story.collection_created(client.transact(key, story.create_collection(owner, "Lies", "LIE")))
    terms = member_terms(default_catalog(), 10 * PCT)
    refs = MetadataRefs(uri, metadata.hash, "", "0x" + "00" * 32)
    ip = story.registered(client.transact(key, story.register_root(spg, owner, refs, [(terms_struct(terms),
                                                                                   pool_offer())]))).ip_id
    line = refused(studio, "import-ip", ip)
    assert line == (f"error: the media of IP {ip} at {json.loads(metadata.data)['mediaUrl']} is not the file its "
                    "mediaHash names: its CID addresses other bytes (the IP's metadata contradicts itself)")


def test_an_ip_claiming_a_training_sets_hash(world, tmp_path) -> None:
    studio, client = world
    work = imported(studio, tmp_path, 5)
    created = json.loads(studio.ok("collection", "create", "Set", work["id"], "--json").stdout)
    collection = json.loads(studio.ok("show", created["id"], "--json").stdout)
    ip = register(studio, client, "Set", collection["sha256"], None)
    line = refused(studio, "import-ip", ip.ip_id)
    assert line == (f"error: IP {ip.ip_id} claims the hash of the library's training set “Set” ({collection['id']}) "
                    "(a training set goes on Story as a group with `studio publish`, not by import-ip)")
