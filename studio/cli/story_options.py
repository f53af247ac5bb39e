"""Options and helpers the Story commands share: network, RPC, wallet and --json, the library's publishing
service, and amounts as they print."""

from __future__ import annotations

import click

from studio.cli.params import HTTP_URL, WALLET_NAME
from studio.core import amounts
from studio.publish.networks import NETWORKS
from studio.services.publishing import PublishingService

network_option = click.option("--network", type=click.Choice(list(NETWORKS)), help="Story network (default: devnet, "
                              "or the `network` setting).")
rpc_option = click.option("--rpc", "rpc_url", type=HTTP_URL,
                          help="RPC URL to use instead of the network's (or its setting).")
wallet_option = click.option("--wallet", "wallet_name", type=WALLET_NAME, envvar="STUDIO_WALLET",
                             help="Wallet name in the keyring (default: default; env STUDIO_WALLET).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def publishing_service(obj, wallet_name: str | None = None) -> PublishingService:
    service = obj.studio.publishing
    if wallet_name:
        service.wallet_name = wallet_name
    return service


def ip_text(wei: int | None) -> str:
    return "-" if wei is None else amounts.ip_text(wei)
