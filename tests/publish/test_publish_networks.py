"""One client path for every network, and its failures kept apart: an RPC that does not answer, a node on
another chain id, a chain without Story's contracts, a wallet with nothing to pay with. A Story network
(`aeneid`, pointed at a local node with its chain id) publishes with metadata uploaded to a Kubo node."""

from __future__ import annotations

import json

import pytest
from publish_helpers import serving_chain_id
from publish_ipfs import fake_ipfs

from studio.errors import InvalidInput
from studio.services.publishing import PublishOptions
from studio.story.chain import STORY_CONTRACTS, ChainClient
from studio.story.devnet.addresses import CANONICAL
from studio.story.devnet.node import free_port
from studio.story.errors import InsufficientFunds, MissingContract, RpcUnreachable, WrongChain
from studio.story.networks import network

IP = 10**18


def test_networks_and_their_overrides() -> None:
    assert (network("aeneid").chain_id, network("mainnet").chain_id, network("devnet").chain_id) == (1315, 1514, 1315)
    assert network("aeneid").rpc_url == "https://aeneid.storyrpc.io"
    assert network("mainnet").rpc_url == "https://mainnet.storyrpc.io"
    assert network(None).name == "devnet" and network("devnet").rpc_url is None
    assert network("aeneid", "http://127.0.0.1:9").rpc_url == "http://127.0.0.1:9"
    with pytest.raises(InvalidInput, match="unknown network"):
        network("goerli")
    with pytest.raises(InvalidInput, match="not an http"):
        network("aeneid", "ftp://x")


def test_an_rpc_that_does_not_answer(desk) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RpcUnreachable, match="cannot be reached") as err:
        ChainClient.connect(network("aeneid"), url)
    assert isinstance(err.value.__cause__, Exception)
    work = desk.work("Dawn", rev_share=5)
    with pytest.raises(RpcUnreachable, match="aeneid cannot be reached"):
        desk.studio.publish(work.id, PublishOptions(network="aeneid", rpc_url=url))
    assert desk.studio.journal.list(work_id=work.id) == []


def test_a_node_on_another_chain_id(desk, chain) -> None:
    url = chain.devnet.status().rpc_url
    with serving_chain_id(chain.devnet, 31337):
        with pytest.raises(WrongChain, match="serves chain id 31337, but devnet is chain id 1315"):
            ChainClient.connect(network("devnet"), url)
        work = desk.work("Dawn", rev_share=5)
        with pytest.raises(WrongChain):
            desk.studio.publish(work.id, PublishOptions(rpc_url=url))
    with pytest.raises(WrongChain, match="mainnet is chain id 1514"):
        ChainClient.connect(network("mainnet"), url)


def test_a_chain_without_storys_contracts_is_never_written_to(desk, chain) -> None:
    url = chain.devnet.status().rpc_url
    for name in STORY_CONTRACTS:  # the snapshot the chain fixture took puts the code back afterwards
        chain.devnet.rpc("anvil_setCode", [CANONICAL[name], "0x"])
    client = ChainClient.connect(network("aeneid"), url)
    with pytest.raises(MissingContract, match="no code at Story's canonical address of IPAssetRegistry") as err:
        client.require_code()
    assert "not a Story network" in str(err.value)
    work = desk.work("Dawn", rev_share=5)
    client.w3.provider.make_request("anvil_setBalance", [desk.address, hex(10 * IP)])
    nonce = client.nonce(desk.address)
    with pytest.raises(MissingContract):
        desk.studio.publish(work.id, PublishOptions(network="aeneid", rpc_url=url))
    assert client.nonce(desk.address) == nonce


def test_story_network_wallet_without_funds_is_told_where_to_get_them(desk, devnet) -> None:
    desk.studio.publish_setup.set_setting("rpc.aeneid", desk.rpc_url)
    status = desk.studio.publish_setup.wallet_status("aeneid")
    assert status.balance == 0 and not status.funded
    assert "https://aeneid.faucet.story.foundation" in status.note and desk.address in status.note
    with fake_ipfs() as ipfs:
        desk.studio.publish_setup.set_setting("ipfs.api", ipfs.url)
        work = desk.work("Dawn", rev_share=5)
        with pytest.raises(InsufficientFunds, match="cannot pay") as err:
            desk.studio.publish(work.id, PublishOptions(network="aeneid"))
        assert "faucet" in str(err.value)
    # Nothing was sent; the journal says why, and a later attempt may start afresh.
    (attempt,) = desk.studio.journal.list(work_id=work.id)
    assert attempt.state == "failed" and "cannot pay" in attempt.error and attempt.tx_hash is None


def test_publishing_on_a_story_network_uploads_metadata_to_kubo(desk, devnet, chain) -> None:
    desk.studio.publish_setup.set_setting("rpc.aeneid", desk.rpc_url)
    devnet.rpc("anvil_setBalance", [desk.address, hex(100 * IP)])
    with fake_ipfs() as ipfs:
        desk.studio.publish_setup.set_setting("ipfs.api", ipfs.url)
        root = desk.work("Dawn", rev_share=5)
        remix = desk.work("Noon", parents=[root])
        results = desk.studio.publish(remix.id, PublishOptions(network="aeneid"))
        pub = results[-1].publication
        assert pub.network == "aeneid" and pub.state == "confirmed"
        assert pub.readback["agrees"], pub.readback["differences"]
        cid = pub.metadata_uri.removeprefix("ipfs://")
        meta = json.loads(ipfs.files[cid])
        assert meta["relationships"][0]["parentIpId"] == results[0].publication.ip_id
        assert meta["image"].removeprefix("ipfs://") in ipfs.files
        assert not (desk.studio.library.root / "ipfs").exists()  # nothing went to the devnet's local store
        assert {path for _, path, _ in ipfs.requests} == {"/api/v0/add"}
        # The devnet knows nothing of it: each network has its own journal entries.
        runner = desk.studio.publish_runner
        assert not runner.on_chain(remix.id, "devnet") and runner.on_chain(remix.id, "aeneid")
