"""Devnet fixtures on the session devnet (tests/helpers/devnet.py): a web3 client and a snapshot per test that is
reverted afterwards, so every test starts from the freshly installed chain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from devnet_chain import Chain
from publish_helpers import Desk, desk_with_wallet
from web3 import Web3

from studio.story.devnet import Devnet


@pytest.fixture(scope="session")
def w3(devnet: Devnet) -> Web3:
    status = devnet.status()
    assert status.rpc_url is not None
    w3 = Web3(Web3.HTTPProvider(status.rpc_url))
    w3.provider.cache_allowed_requests = True
    return w3


@pytest.fixture
def chain(fresh_devnet: Devnet, w3: Web3) -> Chain:
    return Chain(w3, fresh_devnet)


@pytest.fixture
def desk(chain: Chain, devnet: Devnet, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """A studio on a fresh library publishing to the session devnet with a new wallet of its own."""
    with desk_with_wallet(tmp_path / "lib", devnet, tmp_path, monkeypatch) as d:
        yield d
