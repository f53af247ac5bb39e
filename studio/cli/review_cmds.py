"""Review commands: `report`, `review approve|reject|list|status|require`, `credentials`, `export`."""

from __future__ import annotations

import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from studio.cli.output import emit_json, progress, table
from studio.cli.params import REGULAR_FILE
from studio.services import review


def status_json(status: review.ApprovalStatus) -> dict[str, Any]:
    return {
        "id": status.work_id,
        "state": status.state,
        "required": status.required,
        "allows_release": status.allows_release,
        "explanation": status.explanation,
        "lineage_sha256": status.lineage_sha256,
        "decision": asdict(status.decision) if status.decision else None,
    }


@click.command("report")
@click.argument("work_id")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), help="Default: --output's suffix, else html.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Write to FILE (`-` for stdout). Default: HTML to report-TITLE-ID.html in the current folder, "
    "JSON (--format json) to stdout.",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.pass_obj
def report_cmd(obj, work_id: str, fmt: str | None, output: Path | None, force: bool) -> None:
    """Lineage & compliance report of a work: ancestry, licenses, credits, royalties, problems."""
    studio = obj.studio
    # JSON is for programs and goes to stdout; a page of HTML on a terminal helps nobody, so it goes to a file.
    if (output is not None and str(output) == "-") or (output is None and fmt == "json"):
        rendered = studio.review.render_report(work_id, fmt or "html")  # type: ignore[arg-type]
        sys.stdout.write(rendered.text)
        return
    if output is None:
        work = studio.work(work_id)
        output = Path.cwd() / f"report-{_file_stem(work.title)}-{work.id}.html"
    with progress("writing the report"):
        rendered = studio.review.write_report(work_id, output, fmt, overwrite=force)  # type: ignore[arg-type]
    click.echo(f"{output}  ({rendered.format}, report fingerprint {rendered.fingerprint})")


def _file_stem(title: str) -> str:
    """A title as a portable file name part: letters, digits and dashes, at most 40 characters."""
    stem = re.sub(r"[^\w]+", "-", title, flags=re.ASCII).strip("-").lower()[:40].strip("-")
    return stem or "work"


@click.group("review")
def review_group() -> None:
    """Release review: approve or reject works after reading their report."""


def _decide(obj, work_id: str, decision: review.Decision, reviewer: str, comment: str | None, report: Path | None):
    reviewed = review.report_fingerprint_in(report) if report is not None else None
    status = obj.studio.review.record_decision(work_id, decision, reviewer, comment, reviewed_fingerprint=reviewed)
    assert status.decision is not None
    click.echo(f"{status.work_id}  {decision} by {status.decision.reviewer} at {status.decision.decided_at}")
    click.echo(f"  report fingerprint   {status.decision.report_sha256}")
    click.echo(f"  lineage fingerprint  {status.decision.lineage_sha256}")


_REVIEW_OPTIONS = [
    click.argument("work_id"),
    click.option("--reviewer", required=True, help="Who decides."),
    click.option("--comment", help="Why."),
    click.option(
        "--report",
        "report",
        type=REGULAR_FILE,
        help="The report you read; refused if the work's report no longer matches it.",
    ),
]


def _with_review_options(command):
    for option in reversed(_REVIEW_OPTIONS):
        command = option(command)
    return command


@review_group.command("approve")
@_with_review_options
@click.pass_obj
def approve_cmd(obj, work_id: str, reviewer: str, comment: str | None, report: Path | None) -> None:
    """Approve a work for release, bound to its report and lineage as they are now."""
    _decide(obj, work_id, "approved", reviewer, comment, report)


@review_group.command("reject")
@_with_review_options
@click.pass_obj
def reject_cmd(obj, work_id: str, reviewer: str, comment: str | None, report: Path | None) -> None:
    """Reject a work: it cannot be released while review is required."""
    _decide(obj, work_id, "rejected", reviewer, comment, report)


@review_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_cmd(obj, as_json: bool) -> None:
    """Works waiting for review: never approved, rejected, or with their approval voided."""
    studio = obj.studio
    waiting = studio.review.awaiting_review()
    if as_json:
        emit_json([status_json(s) for s in waiting])
        return
    if not waiting:
        click.echo("Nothing waits for review.")
        return
    works = studio.library.works.get_many(s.work_id for s in waiting)
    rows = [(s.work_id, works[s.work_id].title, s.state) for s in waiting]
    click.echo(table(rows, ["id", "title", "review"]))
    required = waiting[0].required
    click.echo(f"\nReview before release is {'required' if required else 'not required'} in this library.")


@review_group.command("status")
@click.argument("work_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status_cmd(obj, work_id: str, as_json: bool) -> None:
    """A work's approval state, and whether it may be released."""
    status = obj.studio.review.approval_status(work_id)
    if as_json:
        emit_json(status_json(status))
        return
    click.echo(f"{status.work_id}  {status.state}")
    click.echo(f"  {status.explanation}")
    if status.decision and status.decision.comment:
        click.echo(f"  comment: {status.decision.comment}")
    if status.decision:
        click.echo(f"  reviewed report fingerprint {status.decision.report_sha256}")
    release = "may be released" if status.allows_release else "may not be released until approved"
    click.echo(f"  review {'required' if status.required else 'not required'}: {release}")


@review_group.command("require")
@click.argument("state", required=False, type=click.Choice(["on", "off"]))
@click.pass_obj
def require_cmd(obj, state: str | None) -> None:
    """Require (on) or stop requiring (off) an approval before works are published or exported."""
    studio = obj.studio
    if state is not None:
        studio.review.set_review_required(state == "on")
    on = studio.review.review_required()
    click.echo(f"review before release: {'required' if on else 'not required'}")


@click.command("credentials")
@click.argument("work_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def credentials_cmd(obj, work_id: str, as_json: bool) -> None:
    """The Content Credentials verdict recorded for a work (on import, or on its first export)."""
    studio = obj.studio
    work = studio.work(work_id)
    stored = studio.credential_service.stored(work.id)
    if as_json:
        emit_json(asdict(stored) if stored else {"work_id": work.id, "state": None})
        return
    if stored is None:
        click.echo(f"{work.id}  {work.title}: Content Credentials never checked (made before checks, or not exported)")
        return
    click.echo(f"{work.id}  {work.title}")
    click.echo(f"  state      {stored.state}{' (tampered)' if stored.tampered else ''}")
    click.echo(f"  verdict    {stored.summary}")
    if stored.signer:
        click.echo(f"  signer     {stored.signer}")
    if stored.manifest_label:
        click.echo(f"  manifest   {stored.manifest_label}")
    click.echo(f"  checked    {stored.checked_at} ({stored.source})")
    for ingredient in stored.details.get("ingredients") or []:
        linked = ingredient.get("linked")
        known = f" -> work {linked['parent_id']} (by {linked['matched_by']})" if linked else " (not in this library)"
        click.echo(f"  ingredient {ingredient.get('relationship')} “{ingredient.get('title')}”{known}")
    for error in stored.details.get("errors") or []:
        click.echo(f"  problem    {error.get('explanation')} ({error.get('code')})")


@click.command("export")
@click.argument("work_id")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--signer", help="Creator name on the signing certificate (default: the existing signing identity).")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def export_cmd(obj, work_id: str, file: Path, signer: str | None, force: bool, as_json: bool) -> None:
    """Write a work's image signed with Content Credentials that state its lineage, recipe and license."""
    result = obj.studio.credential_service.export(work_id, file, signer=signer, overwrite=force)
    if as_json:
        emit_json({**asdict(result), "path": str(result.path)})
        return
    click.echo(f"{result.path}  signed by {result.signer} ({result.kind}; credentials {result.state})")
    for parent in result.ingredients:
        click.echo(f"  ingredient  {parent}")
    if result.story_ip_id:
        click.echo(f"  Story IP    {result.story_ip_id}")


COMMANDS = [report_cmd, review_group, credentials_cmd, export_cmd]
