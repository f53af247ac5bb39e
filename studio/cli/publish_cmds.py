"""Story commands: `devnet`, `wallet`, `publish` and `import-ip`, each with `--json` (`revenue` has its own module)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import click

from studio.cli.confirm import ask
from studio.cli.output import emit_json, percent, progress, table
from studio.cli.params import ADDRESS, IP_AMOUNT, PERCENT, TEXT
from studio.cli.story_options import ip_text, json_option, network_option, rpc_option, wallet_option, work_on_chain
from studio.cli.story_options import studio_with_wallet as _studio
from studio.core.reasons import distinct
from studio.core.types import percent_to_units, units_to_percent
from studio.licensing.wording import describe
from studio.services.publishing import SETTINGS, PublishOptions, PublishPlan
from studio.services.publishing.setup import PublishSetup
from studio.story.devnet import DevnetStatus
from studio.story.group_publisher import GroupStep
from studio.story.journal import Publication

# --- devnet -----------------------------------------------------------------------------------------------


def _devnet_json(status: DevnetStatus) -> dict[str, Any]:
    return {"running": status.running, "rpc_url": status.rpc_url, "pid": status.pid, "chain_id": status.chain_id,
            "block": status.block}


def _show_devnet(status: DevnetStatus, as_json: bool) -> None:
    if as_json:
        emit_json(_devnet_json(status))
    elif not status.running:
        click.echo("devnet: stopped")
    else:
        click.echo(f"devnet: running at {status.rpc_url} (chain id {status.chain_id}, block {status.block}, "
               f"pid {status.pid})")


@click.group("devnet")
def devnet_group() -> None:
    """The local Story devnet (anvil with Story-compatible contracts), kept in the library folder."""


def _devnet_command(name: str, help_text: str, action: Callable[[PublishSetup], DevnetStatus]) -> None:
    """`studio devnet NAME [--json]`: run `action` and show the devnet's status after it."""

    @devnet_group.command(name, help=help_text)
    @json_option
    @click.pass_obj
    def command(obj, as_json: bool) -> None:
        _show_devnet(action(_studio(obj).publish_setup), as_json)


def _stop(setup: PublishSetup) -> DevnetStatus:
    setup.devnet_stop()
    return setup.devnet_status()


_devnet_command("start", "Start the devnet (or find it running) with Story's contracts installed.",
                PublishSetup.devnet_start)
_devnet_command("stop", "Stop the devnet; its state (published works included) stays for the next start.", _stop)
_devnet_command("status", "Whether the devnet runs, where, and at which block.", PublishSetup.devnet_status)


# --- wallet -----------------------------------------------------------------------------------------------


@click.group("wallet")
def wallet_group() -> None:
    """The publishing wallet. Its key lives only in the OS keyring; only the address is ever shown."""


def _show_wallet(wallet: Any, as_json: bool) -> None:
    if as_json:
        emit_json({"name": wallet.name, "address": wallet.address})
    else:
        click.echo(f"wallet {wallet.name}: {wallet.address} (key stored in the OS keyring)")


@wallet_group.command("create")
@wallet_option
@json_option
@click.pass_obj
def wallet_create(obj, wallet_name: str | None, as_json: bool) -> None:
    """Create a new wallet key in the keyring."""
    _show_wallet(_studio(obj, wallet_name).publish_setup.create_wallet(), as_json)


@wallet_group.command("import")
@wallet_option
@json_option
@click.pass_obj
def wallet_import(obj, wallet_name: str | None, as_json: bool) -> None:
    """Import a private key, read from a hidden prompt (or from stdin when piped), never from arguments."""
    if sys.stdin.isatty():
        text = click.prompt("Private key (hidden)", hide_input=True, err=True)
    else:
        text = sys.stdin.readline()
    wallet = _studio(obj, wallet_name).publish_setup.import_wallet(text)
    del text
    _show_wallet(wallet, as_json)


@wallet_group.command("show")
@wallet_option
@network_option
@rpc_option
@click.option("--offline", is_flag=True, help="Only the address; do not ask the network for balances.")
@json_option
@click.pass_obj
def wallet_show(obj, wallet_name, network, rpc_url, offline: bool, as_json: bool) -> None:
    """The wallet's address and balances (a devnet wallet is topped up automatically)."""
    status = _studio(obj, wallet_name).publish_setup.wallet_status(network, rpc_url, offline=offline)
    if as_json:
        emit_json({"name": status.wallet.name, "address": status.wallet.address, "network": status.network.name,
                   "balance_wei": status.balance, "wip_wei": status.wip, "funded": status.funded,
                   "note": status.note})
        return
    click.echo(f"wallet {status.wallet.name}: {status.wallet.address}")
    if status.balance is not None:
        click.echo(f"  {status.network.name}: {ip_text(status.balance)}, {ip_text(status.wip)[:-3]} WIP"
                   + (" (just funded by the devnet)" if status.funded else ""))
    if status.note:
        click.echo(f"  {status.note}")


# --- publish ----------------------------------------------------------------------------------------------


class PublishGroup(click.Group):
    """`studio publish ID ...` publishes; `studio publish status|finish|config ...` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["work", *args]
        return super().parse_args(ctx, args)


@click.group("publish", cls=PublishGroup)
def publish_group() -> None:
    """Publish works on Story: `studio publish ID`, `studio publish status [ID]`."""


DATA_ROWS = 8  # creators listed per training set in the plan; the rest are counted


def _plan_text(plan: PublishPlan, err: bool = False) -> None:
    echo = partial(click.echo, err=err)
    echo(f"Publishing on {plan.network.name} (chain id {plan.network.chain_id}) with wallet {plan.wallet}:")
    for n, step in enumerate(plan.steps, 1):
        work, terms = step.work, step.terms
        kind = "training set, as a group" if isinstance(step, GroupStep) else (
            "remix" if step.is_derivative else "root")
        echo(f"  {n}. {work.id}  “{work.title}” ({kind}) under {describe(terms)}")
        if isinstance(step, GroupStep):
            joining = f"{len(step.joining):,} member{'s' if len(step.joining) != 1 else ''}"
            echo(f"     {joining} on {plan.network.name} join its reward pool; all {len(step.members):,} are "
                 "credited in its metadata")
        verdict = plan.verdicts.get(work.id)
        if verdict is not None:
            echo(f"     license engine: {'may be published' if verdict.can_publish else 'refused'}")
            for reason in distinct(r for r in verdict.reasons if not r.blocks):
                echo(f"       - {reason.message}")
        for parent in step.parents:
            echo(f"     parent “{parent.title}”: pays it {percent(units_to_percent(parent.royalty_percent))} "
                 f"of revenue, minting fee {ip_text(parent.minting_fee)}")
        if step.override:
            echo(f"     its remixes will pay {percent(units_to_percent(step.override))} (raised)")
        if step.split is not None:
            shares = ", ".join(f"{a.id} {percent(units_to_percent(float(a.share)))}" for a in step.split.ancestors)
            echo(f"     royalty split ({step.split.policy.upper()}): creator keeps "
                 f"{percent(units_to_percent(float(step.split.creator_share)))}, ancestors {shares}")
        for credit in step.credits:
            echo(f"     credited, not linked: “{credit.title}” ({credit.license_id})")
    for note in distinct(plan.notes):
        echo(f"  - {note.message}")
    for payout in plan.data_payouts:
        echo(f"  a payment of {ip_text(payout.payment)} to “{plan.target.title}” pays “{payout.group_title}” "
             f"{ip_text(payout.group_due)}, shared by its {payout.members} members on {plan.network.name}:")
        for row in payout.creators[:DATA_ROWS]:
            echo(f"     {row.creator or 'unknown creator'}: {ip_text(row.amount)} ({row.members} works)")
        if len(payout.creators) > DATA_ROWS:
            echo(f"     … and {len(payout.creators) - DATA_ROWS} more creators")
    if plan.minting_fee:
        echo(f"  minting fees: {ip_text(plan.minting_fee)}, wrapped into WIP and approved as needed")
    fee_line = plan.fee_line()
    if fee_line is not None:
        echo(f"  {fee_line}")


def _pub_json(pub: Publication) -> dict[str, Any]:
    return pub.to_dict()


@publish_group.command("work", hidden=True)
@click.argument("work_id")
@network_option
@rpc_option
@wallet_option
@click.option("--license", "license_id", type=TEXT, help="License to publish a root work under (default: its own).")
@click.option("--rev-share", type=PERCENT, help="Rev share in percent (a remix may only raise what its remixes pay).")
@click.option("--minting-fee", type=IP_AMOUNT, help="Minting fee per license, in IP (e.g. 0.5) or wei (e.g. 250wei).")
@click.option("--max-fee", type=IP_AMOUNT,
              help="Most the parents may charge in minting fees, in IP or wei (default: the fees shown).")
@click.option("--max-rev-share", type=PERCENT, help="Most the parents may take of revenue, in percent.")
@click.option("--no-ancestors", is_flag=True, help="Do not publish your own unpublished ancestors first.")
@click.option("--yes", is_flag=True, help="Sign without asking.")
@json_option
@click.pass_obj
def publish_work(obj, work_id, network, rpc_url, wallet_name, license_id, rev_share, minting_fee, max_fee,
                 max_rev_share, no_ancestors: bool, yes: bool, as_json: bool) -> None:
    """Publish a work (and your own ancestors it needs) on Story."""
    studio = _studio(obj, wallet_name)
    options = PublishOptions(
        network=network, rpc_url=rpc_url, license_id=license_id,
        rev_share=percent_to_units(rev_share) if rev_share is not None else None,
        minting_fee=minting_fee,
        max_minting_fee=max_fee,
        max_rev_share=percent_to_units(max_rev_share) if max_rev_share is not None else None,
        with_ancestors=not no_ancestors,
    )

    def confirm(plan: PublishPlan) -> bool:
        shown.pause()
        # With --json the plan goes to stderr, so that stdout stays one JSON document.
        if not (as_json and yes):
            _plan_text(plan, err=as_json)
        ok = yes or ask("Sign and send?")
        if ok:
            shown.resume(f"publishing {len(plan.steps)} work{'s' if len(plan.steps) != 1 else ''} on "
                         f"{plan.network.name}")
        return ok

    with progress("checking the publication", quiet=as_json) as shown:
        results = studio.publish(work_id, options, confirm)
    if as_json:
        emit_json([{**_pub_json(r.publication),
                    "transactions": [{"label": t.label, "tx_hash": t.tx_hash, "gas_used": t.gas_used}
                                     for t in r.transactions]} for r in results])
        return
    if not results:
        click.echo("cancelled: nothing was sent")
        return
    for result in results:
        _print_result(result.publication, result.gas_used)


def _print_result(pub: Publication, gas: int | None = None) -> None:
    agrees = (pub.readback or {}).get("agrees")
    check = {True: "chain agrees with the prediction", False: "chain DIFFERS from the prediction",
             None: "not read back yet"}[agrees]
    gas_text = f", gas {gas}" if gas else ""
    click.echo(f"{pub.work_id}: {pub.state} on {pub.network} as IP {pub.ip_id} (tx {pub.tx_hash}{gas_text}); {check}")
    for line in (pub.readback or {}).get("differences") or []:
        click.echo(f"  - {line}")


@publish_group.command("status")
@click.argument("work_id", required=False)
@network_option
@rpc_option
@json_option
@click.pass_obj
def publish_status(obj, work_id, network, rpc_url, as_json: bool) -> None:
    """The publishing journal, after settling transactions still waiting for their receipts."""
    runner = _studio(obj).publish_runner
    for problem in runner.settle(network, rpc_url):
        click.echo(f"warning: {problem}", err=True)
    pubs = runner.status(work_id, network, rpc_url, settle=False)
    if as_json:
        emit_json([_pub_json(p) for p in pubs])
        return
    if not pubs:
        click.echo("nothing published yet")
        return
    rows = [(p.id, p.work_id, p.network, p.state, p.origin, p.ip_id or "-", _agreement(p), p.error or "")
            for p in pubs]
    click.echo(table(rows, ["#", "work", "network", "state", "origin", "ip id", "chain", "error"]))


def _agreement(pub: Publication) -> str:
    if pub.readback is None:
        return "-"
    return {True: "agrees", False: "differs"}.get(pub.readback.get("agrees"), "read")


@publish_group.command("finish")
@work_on_chain(wallet=True)
def publish_finish(obj, work_id, network, rpc_url, wallet_name, as_json: bool) -> None:
    """Complete a confirmed publication whose follow-up was interrupted (rev-share raise, read-back)."""
    result = _studio(obj, wallet_name).publish_runner.finish(work_id, network, rpc_url)
    if as_json:
        emit_json(_pub_json(result.publication))
    else:
        _print_result(result.publication, result.gas_used)


@publish_group.command("config")
@click.argument("key", required=False, type=click.Choice(list(SETTINGS)))
@click.argument("value", required=False)
@click.option("--unset", is_flag=True, help="Remove the setting.")
@json_option
@click.pass_obj
def publish_config(obj, key, value, unset: bool, as_json: bool) -> None:
    """Show or change publishing settings of this library (networks' RPC URLs, IPFS service)."""
    setup = _studio(obj).publish_setup
    if key is not None and (value is not None or unset):
        setup.set_setting(key, None if unset else value)
        if key == "ipfs.pinning_url" and not unset:
            setup.set_pinning_token(click.prompt("Pinning service token (hidden)", hide_input=True, err=True))
    current = {k: setup.setting(k) for k in ([key] if key else SETTINGS)}
    if as_json:
        emit_json(current)
        return
    for k, v in current.items():
        click.echo(f"{k:<18} {v or '-':<40} {SETTINGS[k]}")


# --- import-ip --------------------------------------------------------------------------------------------


@click.command("import-ip")
@click.argument("ip_id", type=ADDRESS)
@network_option
@rpc_option
@json_option
@click.pass_obj
def import_ip_cmd(obj, ip_id: str, network, rpc_url, as_json: bool) -> None:
    """Import an IP asset from Story (with its parents) as a work whose terms mirror the chain's; an IP whose
    media hash is a work the library already holds is linked to that work."""
    studio = _studio(obj)
    result = studio.ip_importer.import_or_link(ip_id, network, rpc_url)
    work = result.work
    pub = studio.journal.confirmed(work.id, studio.publish_setup.network(network, rpc_url).name)
    if as_json:
        emit_json({"id": work.id, "title": work.title, "creator": work.creator, "license": work.license_id,
                   "rev_share": units_to_percent(work.terms.rev_share) if work.terms.rev_share is not None else None,
                   "rev_share_override": units_to_percent(work.terms.rev_share_override)
                   if work.terms.rev_share_override else None,
                   "ip_id": pub.ip_id if pub else ip_id, "network": pub.network if pub else network,
                   "linked": {"work_id": work.id, **result.link.to_dict()} if result.link else None})
        return
    if result.link is not None:
        click.echo(result.line())
        return
    click.echo(f"{work.id}  “{work.title}” by {work.creator or 'unknown'} under {work.license_id}, on chain as "
               f"{ip_id}")


COMMANDS = [devnet_group, wallet_group, publish_group, import_ip_cmd]
