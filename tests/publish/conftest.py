"""Devnet fixtures: one real anvil per session with the project's contracts installed, and a snapshot per test
that is reverted afterwards, so every test starts from the freshly installed chain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devnet_chain import Chain
from publish_helpers import Desk, desk_with_wallet
from web3 import Web3

from studio.publish.devnet import Devnet, install_contracts


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    node = Devnet(tmp_path_factory.mktemp("devnet"))
    node.start()
    try:
        install_contracts(node.rpc)
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def w3(devnet: Devnet) -> Web3:
    status = devnet.status()
    assert status.rpc_url is not None
    w3 = Web3(Web3.HTTPProvider(status.rpc_url))
    w3.provider.cache_allowed_requests = True
    return w3


@pytest.fixture
def chain(devnet: Devnet, w3: Web3) -> Iterator[Chain]:
    snapshot = devnet.rpc("evm_snapshot", [])
    try:
        yield Chain(w3, devnet)
    finally:
        assert devnet.rpc("evm_revert", [snapshot]) is True


@pytest.fixture
def desk(chain: Chain, devnet: Devnet, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """A studio on a fresh library publishing to the session devnet with a new wallet of its own."""
    with desk_with_wallet(tmp_path / "lib", devnet, tmp_path, monkeypatch) as d:
        yield d
