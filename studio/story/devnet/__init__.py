"""The local Story-compatible devnet: anvil on chain id 1315 with the project's own contracts placed at Story's
canonical addresses, so the same client code runs here and on Story."""

from __future__ import annotations

from studio.story.devnet.addresses import CANONICAL, DEVNET_CHAIN_ID
from studio.story.devnet.errors import DevnetError, DevnetNotInstalled, RpcError
from studio.story.devnet.install import fund, install_contracts
from studio.story.devnet.node import Devnet, DevnetStatus

__all__ = [
    "CANONICAL",
    "DEVNET_CHAIN_ID",
    "Devnet",
    "DevnetError",
    "DevnetNotInstalled",
    "DevnetStatus",
    "RpcError",
    "fund",
    "install_contracts",
]
