"""The one devnet of a test run: a real anvil with the project's contracts installed, started on first use and
stopped at the end of the session. Tests take `fresh_devnet`, which snapshots the chain and reverts it afterwards,
so every test starts from the freshly installed chain whichever folder it lives in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.story.devnet import Devnet, install_contracts


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    node = Devnet(tmp_path_factory.mktemp("devnet"))
    node.start()
    try:
        install_contracts(node.rpc)
        yield node
    finally:
        node.stop()


@pytest.fixture
def fresh_devnet(devnet: Devnet) -> Iterator[Devnet]:
    """The session devnet, reverted to the state it had before the test once the test is over."""
    snapshot = devnet.rpc("evm_snapshot", [])
    try:
        yield devnet
    finally:
        assert devnet.rpc("evm_revert", [snapshot]) is True


@pytest.fixture
def devnet_url(fresh_devnet: Devnet) -> str:
    url = fresh_devnet.status().rpc_url
    assert url is not None
    return url
