"""The networks a work can be published on: the local devnet (the default, offline), Aeneid and mainnet.

Story's contracts sit at the same addresses on all three; only the RPC endpoint and the chain id differ.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from studio.core.urls import check_http_url
from studio.errors import InvalidInput

DEFAULT_NETWORK = "devnet"


@dataclass(frozen=True)
class Network:
    name: str
    chain_id: int
    rpc_url: str | None  # None: the devnet the app runs itself
    explorer: str | None = None
    faucet: str | None = None
    testnet: bool = True

    @property
    def is_devnet(self) -> bool:
        return self.name == "devnet"

    def with_rpc(self, rpc_url: str | None) -> Network:
        return self if not rpc_url else replace(self, rpc_url=check_rpc_url(rpc_url))


NETWORKS: dict[str, Network] = {
    "devnet": Network("devnet", 1315, None),
    "aeneid": Network(
        "aeneid",
        1315,
        "https://aeneid.storyrpc.io",
        explorer="https://aeneid.storyscan.xyz",
        faucet="https://aeneid.faucet.story.foundation",
    ),
    "mainnet": Network("mainnet", 1514, "https://mainnet.storyrpc.io", explorer="https://www.storyscan.xyz",
                       testnet=False),
}


def network(name: str | None, rpc_url: str | None = None) -> Network:
    """The named network (default: devnet), with its RPC URL replaced when one is given."""
    key = (name or DEFAULT_NETWORK).strip().lower()
    if key not in NETWORKS:
        raise InvalidInput(f"unknown network {name!r}", hint=f"use one of {', '.join(NETWORKS)}")
    return NETWORKS[key].with_rpc(rpc_url)


def check_rpc_url(url: str) -> str:
    return check_http_url(url, "RPC URL", "https://aeneid.storyrpc.io")
