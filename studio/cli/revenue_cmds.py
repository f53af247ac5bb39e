"""`studio revenue`: pay a published work, show what it and its ancestors can claim, and claim it."""

from __future__ import annotations

import click

from studio.cli.confirm import ask
from studio.cli.output import emit_json, table
from studio.cli.params import IP_AMOUNT
from studio.cli.story_options import ip_text, work_on_chain
from studio.cli.story_options import studio_with_wallet as _studio
from studio.errors import InvalidInput
from studio.services.publishing.revenue import GroupShare


@click.group("revenue")
def revenue_group() -> None:
    """Revenue of published works: pay a tip, show what can be claimed, claim it."""


@revenue_group.command("show")
@work_on_chain(wallet=False)
def revenue_show(obj, work_id, network, rpc_url, as_json: bool) -> None:
    """Claimable revenue of the work and of its ancestors, per currency, and what training sets' groups hold
    for those that are members."""
    lines = _studio(obj).revenue.revenue(work_id, network, rpc_url)
    own = [c for c in lines if not isinstance(c, GroupShare)]
    groups = [c for c in lines if isinstance(c, GroupShare)]
    if as_json:
        emit_json([{"id": c.work_id, "ip_id": c.ip_id, "currency": c.currency, "in_vault_wei": c.in_vault,
                    "from_remixes_wei": c.pending, "claimable_wei": c.total} for c in own]
                  + [{"id": c.work_id, "ip_id": c.ip_id, "currency": c.currency, "group_id": c.group_work_id,
                      "group_ip_id": c.group_ip, "in_pool_wei": c.in_pool, "uncollected_share_wei": c.share,
                      "claimable_wei": c.total} for c in groups])
        return
    rows = [(c.work_id, c.ip_id, c.currency, ip_text(c.in_vault)[:-3], ip_text(c.pending)[:-3],
             ip_text(c.total)[:-3]) for c in own]
    click.echo(table(rows, ["work", "ip id", "currency", "in vault", "from remixes", "claimable"]))
    if groups:
        # What the training sets' groups hold for their member works, claimed with them by `revenue claim`.
        rows = [(c.work_id, c.group_work_id, c.group_ip, c.currency, ip_text(c.in_pool)[:-3],
                 ip_text(c.share)[:-3], ip_text(c.total)[:-3]) for c in groups]
        click.echo(table(rows, ["work", "in group", "group ip id", "currency", "in pool", "not collected",
                                "claimable"]))


@revenue_group.command("pay")
@work_on_chain(wallet=True)
@click.argument("amount", type=IP_AMOUNT)
@click.option("--yes", is_flag=True, help="Pay without asking.")
def revenue_pay(obj, work_id, amount, network, rpc_url, wallet_name, yes: bool, as_json: bool) -> None:
    """Pay a work AMOUNT (IP, e.g. 1.5, or wei, e.g. 250wei) as WIP; its ancestors get their shares."""
    wei = amount
    if wei == 0:
        raise InvalidInput("a payment of 0 pays nobody", hint="give an amount above 0, e.g. 1.5")
    revenue = _studio(obj, wallet_name).revenue
    if not yes and not ask(f"Pay {ip_text(wei)} to {work_id}?"):
        click.echo("cancelled: nothing was paid")
        return
    sent = revenue.pay(work_id, wei, network, rpc_url)
    if as_json:
        emit_json({"id": work_id, "amount_wei": wei,
                   "transactions": [{"label": t.label, "tx_hash": t.tx_hash, "gas_used": t.gas_used} for t in sent]})
        return
    click.echo(f"paid {ip_text(wei)} to {work_id} (tx {sent[-1].tx_hash})")


@revenue_group.command("claim")
@work_on_chain(wallet=True)
def revenue_claim(obj, work_id, network, rpc_url, wallet_name, as_json: bool) -> None:
    """Move what the work's remixes and its training sets' groups owe it into its vault, claim it, and unwrap it
    into the wallet."""
    result = _studio(obj, wallet_name).revenue.claim(work_id, network, rpc_url)
    if as_json:
        emit_json({"id": work_id, **result})
        return
    total = sum(amount for _, amount in result["claimed"])
    collected = [g for g in result.get("from_groups", []) if g["tx_hashes"]]
    sent = len(result["tx_hashes"]) + sum(len(g["tx_hashes"]) for g in collected)
    via = f", collected from {len(collected)} training-set group(s)" if collected else ""
    click.echo(f"claimed {ip_text(total)} for {work_id} ({sent} transactions{via})")


COMMANDS = [revenue_group]
