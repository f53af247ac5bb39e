"""Options and helpers the Story commands share: network, RPC, wallet and --json, the studio with the wallet a
command chose, and amounts as they print."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from studio.cli.params import HTTP_URL, WALLET_NAME
from studio.core import amounts
from studio.services import Studio
from studio.story.networks import NETWORKS

network_option = click.option("--network", type=click.Choice(list(NETWORKS)), help="Story network (default: devnet, "
                              "or the `network` setting).")
rpc_option = click.option("--rpc", "rpc_url", type=HTTP_URL,
                          help="RPC URL to use instead of the network's (or its setting).")
wallet_option = click.option("--wallet", "wallet_name", type=WALLET_NAME, envvar="STUDIO_WALLET",
                             help="Wallet name in the keyring (default: default; env STUDIO_WALLET).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


def studio_with_wallet(obj, wallet_name: str | None = None) -> Studio:
    """The command's studio, publishing with `wallet_name` when one was given (--wallet or STUDIO_WALLET)."""
    studio: Studio = obj.studio
    if wallet_name:
        studio.publish_setup.wallet_name = wallet_name
    return studio


def ip_text(wei: int | None) -> str:
    return "-" if wei is None else amounts.ip_text(wei)


def work_on_chain(*, wallet: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """WORK_ID, --network, --rpc, --wallet (when the command signs) and --json, for a command about one work on
    chain; the callback gets the context object first."""
    options = [click.argument("work_id"), network_option, rpc_option, *([wallet_option] if wallet else []), json_option]

    def apply(callback: Callable[..., Any]) -> Callable[..., Any]:
        callback = click.pass_obj(callback)
        for option in reversed(options):
            callback = option(callback)
        return callback

    return apply
