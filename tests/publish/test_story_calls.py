"""The Story contract objects beside the chain client: each call is built offline, against Story's canonical contract
and function, and a read goes through the client's own error handling (no node here: the endpoint is closed)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from studio.story.chain import ChainClient
from studio.story.devnet.addresses import CANONICAL, EVEN_SPLIT_GROUP_POOL
from studio.story.errors import RpcUnreachable
from studio.story.networks import NETWORKS
from studio.story.terms import licensing_config

OWNER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
IP = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"


@pytest.fixture
def client() -> Iterator[ChainClient]:
    client = ChainClient(NETWORKS["devnet"], "http://127.0.0.1:9")
    yield client
    client.close()


def test_each_client_holds_its_own_contract_objects(client: ChainClient) -> None:
    other = ChainClient(NETWORKS["devnet"], "http://127.0.0.1:9")
    try:
        assert client.contracts is not other.contracts and client.groups is not other.groups
    finally:
        other.close()


def test_calls_are_built_offline_against_storys_contracts(client: ChainClient) -> None:
    deposit = client.contracts.wip_deposit(5)
    assert (deposit.to, deposit.fn.fn_name, deposit.value) == (CANONICAL["WIP"], "deposit", 5)
    approve = client.contracts.wip_approve(OWNER, 7)
    assert approve.to == CANONICAL["WIP"] and approve.fn.args == (client.address(OWNER), 7)
    collection = client.contracts.create_collection(OWNER, "Remixes", "RMX")
    assert (collection.to, collection.fn.fn_name) == (CANONICAL["RegistrationWorkflows"], "createCollection")
    vault = client.contracts.transfer_to_vault("lrp", IP, OWNER)
    assert (vault.to, vault.fn.fn_name) == (CANONICAL["RoyaltyPolicyLRP"], "transferToVault")


def test_group_calls_go_to_the_grouping_contracts(client: ChainClient) -> None:
    alone = client.groups.register(1, licensing_config(None, 0))
    assert (alone.to, alone.fn.fn_name) == (CANONICAL["GroupingWorkflows"], "registerGroupAndAttachLicense")
    assert alone.fn.args[0] == EVEN_SPLIT_GROUP_POOL
    with_members = client.groups.register(1, licensing_config(None, 0), [IP])
    assert with_members.fn.fn_name == "registerGroupAndAttachLicenseAndAddIps"
    assert with_members.fn.args[1] == [client.address(IP)]
    add = client.groups.add(IP, [OWNER, IP])
    assert (add.to, add.fn.fn_name) == (CANONICAL["GroupingModule"], "addIp")
    assert add.fn.args[1] == [client.address(OWNER), client.address(IP)]


def test_a_read_without_a_node_is_one_clear_error(client: ChainClient) -> None:
    with pytest.raises(RpcUnreachable, match=re.escape("at http://127.0.0.1:9 while checking a group")):
        client.groups.is_group(IP)
    with pytest.raises(RpcUnreachable, match="while reading the WIP balance"):
        client.contracts.wip_balance(OWNER)
