"""OpenMoji contributors publish their own emoji on the devnet (anvil's public dev accounts, one per creator):
root IPs naming the SVG's sha256, carrying a training-set group's terms offered to the even-split pool, which
`studio import-ip` then links to the library's existing OpenMoji works and a group accepts as members."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from devnet_chain import NO_CONFIG, PCT
from eth_account import Account
from publish_helpers import desk_with_wallet, open_desk

from studio.core.types import Origin
from studio.errors import InvalidInput
from studio.generate.training.openmoji_data import default_package_dir
from studio.secrets import Secret
from studio.services.builtin_works import ensure_openmoji_collection
from studio.story.chain import ChainClient
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL
from studio.story.devnet.contributors import (
    Contribution,
    dev_keys,
    member_terms,
    pick_contributions,
    publish_contributions,
)
from studio.story.errors import PublishError
from studio.story.networks import NETWORKS
from studio.story.terms import pil_from_struct, terms_struct
from studio.story.wallet import DEVNET_MNEMONIC

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


@pytest.fixture
def desk(chain, devnet, tmp_path, monkeypatch):
    d = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    yield d
    d.studio.close()


def test_the_contributors_are_anvils_public_accounts_one_to_eight() -> None:
    Account.enable_unaudited_hdwallet_features()
    for index, key in enumerate(dev_keys(), start=1):
        derived = Account.from_mnemonic(DEVNET_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        assert Account.from_key(key).address == derived.address


def test_openmoji_contributors_publish_and_their_emoji_link_to_the_librarys_works(desk) -> None:
    library = desk.studio.library
    collection = ensure_openmoji_collection(library.works, library.members, library.db)
    works_before, files_before = library.works.count(), sorted((library.root / "files").rglob("*"))
    picked = pick_contributions(library, collection.id, creators=2, each=2, package_dir=default_package_dir())
    assert len(picked) == 4 and len({c.creator for c in picked}) == 2
    assert [c.creator for c in picked] == [picked[0].creator] * 2 + [picked[2].creator] * 2
    for item in picked:
        assert item.svg is not None and hashlib.sha256(item.svg).hexdigest() == item.sha256
        assert library.works.by_sha256(item.sha256).creator == item.creator
    # Three emoji from two creators; the last one published without its SVG (metadata hash only).
    chosen = [picked[0], picked[1], replace(picked[2], svg=None)]

    setup = desk.studio.publish_setup
    net = setup.network("devnet")
    client, storage = setup.client(net), setup.storage(net)
    terms = member_terms(desk.studio.catalog, 10 * PCT)
    published = publish_contributions(client, storage, chosen, terms)

    owners = [p.owner for p in published]
    assert owners[0] == owners[1] == Account.from_key(dev_keys()[0]).address
    assert owners[2] == Account.from_key(dev_keys()[1]).address
    terms_id = client.contracts.terms_id(terms_struct(terms))
    assert terms_id and pil_from_struct(client.contracts.license_terms(terms_id)) == terms
    for p in published:
        assert client.contracts.ip_owner(p.ip_id) == p.owner and client.contracts.parents(p.ip_id) == []
        assert client.contracts.attached_terms(p.ip_id) == [terms_id] == [p.license_terms_id]
        config = client.contracts.licensing_config(p.ip_id, terms_id)
        assert config["isSet"] and config["expectGroupRewardPool"] == EVEN_SPLIT_GROUP_POOL
        assert config["mintingFee"] == 0 and config["commercialRevShare"] == 0

    # A group on the same terms accepts them as members: the pool config is what Story checks.
    group_key = Secret(ANVIL_KEY_0)
    ips = [p.ip_id for p in published]
    group = client.groups.registered(client.transact(group_key, client.groups.register(terms_id, NO_CONFIG, ips)))
    assert client.groups.members(group) == ips

    results = [desk.studio.ip_importer.import_or_link(ip, "devnet") for ip in ips]
    for item, contributed, result in zip(chosen, published, results, strict=True):
        work = library.works.by_sha256(item.sha256)
        assert result.linked and result.work.id == work.id and result.ip_id == contributed.ip_id
        assert work.origin is Origin.builtin and work.license_id == "cc-by-sa-4.0" and work.file_path is None
        pub = desk.studio.journal.confirmed(work.id, "devnet")
        assert pub.ip_id == contributed.ip_id and pub.license_terms_ids == (terms_id,) and pub.origin == "imported"
        assert pub.readback["linked"]["verified"] is (item.svg is not None)
        assert pub.readback["license_id"] == "pil-commercial-remix"
    assert results[0].link.uri.startswith("ipfs://") and results[0].line().endswith("hashes to the work's sha256")
    assert results[2].link.uri is None and "metadata's media hash alone" in results[2].line()
    # Nothing was imported or copied: the OpenMoji works stay rows without files.
    assert library.works.count() == works_before
    assert sorted((library.root / "files").rglob("*")) == files_before
    again = desk.studio.ip_importer.import_or_link(ips[0], "devnet")
    assert again.work.id == results[0].work.id and not again.linked


def test_contributors_publish_on_the_devnet_only(desk) -> None:
    setup = desk.studio.publish_setup
    devnet = setup.client(setup.network("devnet"))
    contributor = Account.from_key(dev_keys()[0]).address
    nonce = devnet.nonce(contributor)
    aeneid = ChainClient(NETWORKS["aeneid"], desk.rpc_url)
    item = Contribution("grinning face", "Someone", "ab" * 32)
    try:
        with pytest.raises(PublishError, match="devnet only, not on aeneid"):
            publish_contributions(aeneid, setup.storage(NETWORKS["aeneid"]), [item],
                                  member_terms(desk.studio.catalog, 10 * PCT))
    finally:
        aeneid.close()
    assert devnet.nonce(contributor) == nonce


def test_contributions_whose_file_is_not_their_hash_are_refused_before_anything_is_sent(desk) -> None:
    setup = desk.studio.publish_setup
    client = setup.client(setup.network("devnet"))
    contributor = Account.from_key(dev_keys()[0]).address
    nonce = client.nonce(contributor)
    terms = member_terms(desk.studio.catalog, 10 * PCT)
    lying = Contribution("grinning face", "Someone", "ab" * 32, svg=b"<svg/>")
    with pytest.raises(InvalidInput, match="is not the file of sha256"):
        publish_contributions(client, setup.storage(client.network), [lying], terms)
    lap = replace(terms, royalty_policy="lap")
    with pytest.raises(InvalidInput, match="LRP policy"):
        publish_contributions(client, setup.storage(client.network), [replace(lying, svg=None)], lap)
    many = [Contribution(f"emoji {i}", f"creator {i}", f"{i:064x}") for i in range(len(dev_keys()) + 1)]
    with pytest.raises(InvalidInput, match="development accounts"):
        publish_contributions(client, setup.storage(client.network), many, terms)
    assert client.nonce(contributor) == nonce


def test_the_linked_emoji_join_the_openmoji_training_sets_group(chain, devnet, tmp_path, monkeypatch) -> None:
    with desk_with_wallet(tmp_path / "lib", devnet, tmp_path, monkeypatch) as desk:
        library = desk.studio.library
        collection = ensure_openmoji_collection(library.works, library.members, library.db)
        chosen = pick_contributions(library, collection.id, creators=2, each=2)[:3]
        setup = desk.studio.publish_setup
        net = setup.network("devnet")
        client = setup.client(net)
        published = publish_contributions(client, setup.storage(net), chosen, member_terms(desk.studio.catalog,
                                                                                           10 * PCT))
        for p in published:
            assert desk.studio.ip_importer.import_or_link(p.ip_id, "devnet").linked
        (result,) = desk.publish(collection)
        group = result.publication.ip_id
        assert client.groups.is_group(group)
        assert {m.lower() for m in client.groups.members(group)} == {p.ip_id.lower() for p in published}
        rows = library.group_members.members_of(collection.id, "devnet")
        assert {r.member_work_id for r in rows} == {library.works.by_sha256(c.sha256).id for c in chosen}
