"""Installing the contracts: every canonical address gets this build's code, initialisation runs once, and a
second install changes nothing."""

from __future__ import annotations

import pytest

from studio.story.devnet import install_contracts
from studio.story.devnet.addresses import CANONICAL, INITIALIZED_IN_ORDER
from studio.story.devnet.artifacts import load_artifacts
from studio.story.devnet.errors import DevnetError


def test_every_canonical_address_has_this_builds_code(devnet) -> None:
    artifacts = load_artifacts()
    for name, address in CANONICAL.items():
        code = devnet.rpc("eth_getCode", [address, "latest"])
        assert code == artifacts.contract(name).deployed_bytecode, name


def test_initialize_runs_once(chain) -> None:
    for name in INITIALIZED_IN_ORDER:
        contract = chain.c(name)
        assert contract.functions.initialized().call() is True
        assert contract.functions.admin().call() == chain.alice
        assert chain.revert_name(contract.functions.initialize()) == "Initializable__AlreadyInitialized"


def test_a_second_install_sends_nothing(chain) -> None:
    block = chain.w3.eth.block_number
    install_contracts(chain.devnet.rpc)
    assert chain.w3.eth.block_number == block


def test_foreign_code_at_a_canonical_address_is_refused(chain) -> None:
    chain.devnet.rpc("anvil_setCode", [CANONICAL["Multicall3"], "0x6000"])
    with pytest.raises(DevnetError, match="another version of Multicall3"):
        install_contracts(chain.devnet.rpc)


def test_whitelists_after_install(chain) -> None:
    royalty = chain.c("RoyaltyModule")
    assert royalty.functions.isWhitelistedRoyaltyPolicy(CANONICAL["RoyaltyPolicyLAP"]).call()
    assert royalty.functions.isWhitelistedRoyaltyPolicy(CANONICAL["RoyaltyPolicyLRP"]).call()
    assert royalty.functions.isWhitelistedRoyaltyToken(CANONICAL["WIP"]).call()
    assert royalty.functions.royaltyFeePercent().call() == 0
    modules = chain.c("ModuleRegistry")
    for name in ("LicensingModule", "RoyaltyModule", "CoreMetadataModule"):
        assert modules.functions.isRegistered(CANONICAL[name]).call(), name


def test_wip_and_multicall(chain) -> None:
    wip = chain.c("WIP")
    chain.send(wip.functions.deposit(), chain.bob, value=10**18)
    assert wip.functions.balanceOf(chain.bob).call() == 10**18
    assert chain.revert_name(wip.functions.withdraw(2 * 10**18), chain.bob) == "ERC20InsufficientBalance"
    chain.send(wip.functions.withdraw(10**18), chain.bob)
    assert wip.functions.totalSupply().call() == 0
    multicall = chain.c("Multicall3")
    calls = [
        (wip.address, False, wip.encode_abi("balanceOf", [chain.bob])),
        (wip.address, True, wip.encode_abi("withdraw", [1])),
    ]
    results = multicall.functions.aggregate3(calls).call({"from": chain.bob})
    assert results[0][0] is True and int.from_bytes(results[0][1], "big") == 0
    assert results[1][0] is False
