"""License and royalty commands: `license list`, `license check`, `royalty`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import click

from studio.cli.output import emit_json, percent, table
from studio.core.amounts import ip_text
from studio.core.reasons import distinct
from studio.core.types import Work, units_to_percent
from studio.licensing import LicenseCatalog, Verdict, WorkTerms, default_catalog, effective_pil, royalty_percent
from studio.report.registrations import Registration, registrations_of
from studio.royalty import RoyaltySplit


def terms_json(terms: WorkTerms | None) -> dict[str, Any] | None:
    if terms is None:
        return None
    pil = effective_pil(terms)
    return {
        "id": terms.license_id,
        "name": terms.license.name,
        "commercial_use": pil.commercial_use,
        "derivatives_allowed": pil.derivatives_allowed,
        "rev_share": units_to_percent(pil.commercial_rev_share),
        "rev_share_override": units_to_percent(terms.rev_share_override) if terms.rev_share_override else None,
        "royalty_percent": units_to_percent(royalty_percent(terms)),
        "minting_fee": pil.default_minting_fee,  # wei, exact
        "minting_fee_ip": ip_text(pil.default_minting_fee).removesuffix(" IP"),
        "royalty_policy": pil.royalty_policy,
    }


def verdict_json(verdict: Verdict, registrations: Sequence[Registration] = ()) -> dict[str, Any]:
    return {
        "id": verdict.work_id,
        "can_remix": verdict.can_remix,
        "can_use_commercially": verdict.can_use_commercially,
        "can_publish": verdict.can_publish,
        "can_train": verdict.can_train,
        "others_may_train": verdict.others_may_train,
        "published": [reg.to_dict() for reg in registrations],
        "verdicts": [line.to_dict() for line in verdict.lines],
        "inherited_license": terms_json(verdict.inherited_license),
        "story_terms": terms_json(verdict.story_terms),
        "attribution": [
            {
                "id": a.work_id,
                "title": a.title,
                "creator": a.creator,
                "license": a.license_id,
                "required_for": a.required_for,
                "text": a.text,
            }
            for a in verdict.attribution
        ],
        "obligations": [{"code": o.code, "text": o.text, "id": o.work_id} for o in verdict.obligations],
        "conditions": [c.to_dict() for c in verdict.conditions],
        "reasons": [r.to_dict() for r in verdict.reasons],
    }


def split_json(split: RoyaltySplit) -> dict[str, Any]:
    return {
        "id": split.work_id,
        "policy": split.policy,
        "stack": units_to_percent(split.stack),
        "creator_share": units_to_percent(float(split.creator_share)),
        "ancestors": [
            {"id": a.id, "share": units_to_percent(float(a.share)), "depth": a.depth, "units": a.units}
            for a in split.ancestors
        ],
    }


@click.group("license")
def license_group() -> None:
    """Licenses: the catalogue, and what a work's license allows."""


@license_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def license_list(as_json: bool) -> None:
    """List the licenses the studio knows."""
    catalog: LicenseCatalog = default_catalog()
    if as_json:
        emit_json(
            [
                {
                    "id": lic.id,
                    "name": lic.name,
                    "family": lic.family.value,
                    "legal_url": lic.legal_url,
                    "summary": lic.summary,
                    "on_story": lic.on_story,
                    "share_alike": lic.share_alike,
                    "parameters": list(lic.parameters),
                    "pil": lic.pil.story_fields(),
                    # A model license's own terms for the images made with it, and what the creator confirms.
                    "outputs": dataclasses.asdict(lic.outputs) if lic.outputs is not None else None,
                    "conditions": [dataclasses.asdict(c) for c in lic.conditions],
                }
                for lic in catalog.all()
            ]
        )
        return
    rows = [
        (
            lic.id,
            lic.name,
            "yes" if lic.pil.commercial_use else "no",
            "yes" if lic.pil.derivatives_allowed else "no",
            lic.on_story or "-",
        )
        for lic in catalog.all()
    ]
    click.echo(table(rows, ["id", "name", "commercial", "remixes", "on Story as"]))


ANSWERS = {"yes": "yes", "no": "no", "done": "done", "if": "if"}


def print_verdict(verdict: Verdict, work: Work, registrations: Sequence[Registration] = ()) -> None:
    """Each answer with its reason (code and sentence); the work's Story registrations in place of a refusal."""
    click.echo(f"{verdict.work_id}  {work.title}")
    for line in verdict.lines:
        if line.answer == "done" and registrations:
            for reg in registrations:
                click.echo(f"  {reg.text}")
                click.echo(f"    {reg.explorer_text}")
            continue
        click.echo(f"  {line.label:<31} {ANSWERS[line.answer]:<4} {line.reason.message}  ({line.reason.code})")
    if verdict.inherited_license is not None:
        terms = verdict.inherited_license
        pil = effective_pil(terms)
        extra = f" ({percent(units_to_percent(pil.commercial_rev_share))} rev share)" if pil.commercial_use else ""
        click.echo(f"  {'remixes inherit':<31} {terms.license.name}{extra}")
        if pil.commercial_use and pil.royalty_policy and work.terms.rev_share_override:
            paid = percent(units_to_percent(work.terms.rev_share_override))
            click.echo(f"  {'remixes pay this work':<31} {paid} (raised by its creator)")
    if verdict.attribution:
        click.echo("  credit:")
        for credit in verdict.attribution:
            click.echo(f"    - {credit.text}")
    if verdict.obligations:
        click.echo("  obligations:")
        for duty in verdict.obligations:
            click.echo(f"    - {duty.text}")
    if verdict.conditions:
        click.echo("  conditions you confirm:")
        for c in verdict.conditions:
            state = "confirmed" if c.confirmed else f"not confirmed: `studio license confirm {verdict.work_id} {c.id}`"
            click.echo(f"    - {c.id}: {c.statement} ({c.license_name}, {c.legal_url}) [{state}]")
    stated = {line.reason.message for line in verdict.lines}
    rest = [r for r in distinct(verdict.reasons) if r.message not in stated]
    if rest:
        click.echo("  also:")
        for r in rest:
            mark = {"block": "x", "warn": "!", "info": "i"}[r.severity]
            click.echo(f"    [{mark}] {r.message}  ({r.code})")


@license_group.command("check")
@click.argument("work_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def license_check(obj, work_id: str, as_json: bool) -> None:
    """What may be done with a work, and why."""
    studio = obj.studio
    work = studio.work(work_id)
    verdict = studio.license_check(work.id)
    published = registrations_of(studio.library.publications, work.id)
    if as_json:
        emit_json(verdict_json(verdict, published))
        return
    print_verdict(verdict, work, published)


@license_group.command("confirm")
@click.argument("work_id")
@click.argument("condition")
@click.option("--withdraw", is_flag=True, help="Withdraw an earlier confirmation.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def license_confirm(obj, work_id: str, condition: str, withdraw: bool, as_json: bool) -> None:
    """Confirm a condition a license of the work's lineage sets on a use (e.g. revenue-under-1m: your annual
    revenue is under US$1,000,000, for the Stability AI Community License), stored with the work."""
    studio = obj.studio
    verdict = studio.confirm_condition(work_id, condition, withdraw=withdraw)
    work = studio.work(verdict.work_id)
    if as_json:
        emit_json(verdict_json(verdict))
        return
    print_verdict(verdict, work)


def print_split(split: RoyaltySplit, titles: dict[str, str]) -> None:
    click.echo(
        f"Royalty split of {split.work_id} under {split.policy.upper()} (royalty stack "
        f"{percent(units_to_percent(split.stack))}):"
    )
    rows = [(a.id, titles.get(a.id, ""), a.depth, percent(units_to_percent(float(a.share)))) for a in split.ancestors]
    rows.append(
        (
            split.work_id,
            titles.get(split.work_id, "") + " (creator keeps)",
            0,
            percent(units_to_percent(float(split.creator_share))),
        )
    )
    click.echo(table(rows, ["id", "title", "depth", "share"]))


@click.command("royalty")
@click.argument("work_id")
@click.option("--policy", type=click.Choice(["lap", "lrp"]), help="Royalty policy (default: the work's own).")
@click.option("--network", help="The split as on this Story network: the models the work links to there, and "
              "through them their training sets' groups, count under their Story terms; under the policy its "
              "links do not use, Story pays its ancestors nothing.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def royalty_cmd(obj, work_id: str, policy: str | None, network: str | None, as_json: bool) -> None:
    """Who receives what share of a work's revenue."""
    studio = obj.studio
    split = studio.publish_planner.royalty_on(work_id, network, policy) if network else studio.royalty(work_id, policy)
    if as_json:
        emit_json(split_json(split))
        return
    ids = [a.id for a in split.ancestors] + [split.work_id]
    print_split(split, {i: w.title for i, w in studio.library.works.get_many(ids).items()})


CHOICES = {"allow": "allow", "deny": "deny", "clear": None}


@click.command("train-permission")
@click.argument("work_id")
@click.argument("choice", type=click.Choice(sorted(CHOICES)))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def train_permission_cmd(obj, work_id: str, choice: str, as_json: bool) -> None:
    """Mark a work "do not train" (deny), allow training on a work you made (allow), or clear the choice.

    The choice joins the work's license and what its file states; a single "not allowed" wins. Exports (Content
    Credentials and XMP) and published Story metadata state the result.
    """
    verdict = obj.studio.set_training_choice(work_id, CHOICES[choice])
    if as_json:
        emit_json(verdict.to_dict())
        return
    for line in verdict.lines:
        click.echo(f"  {line.label:<31} {ANSWERS[line.answer]:<4} {line.reason.message}  ({line.reason.code})")


COMMANDS = [license_group, royalty_cmd, train_permission_cmd]
