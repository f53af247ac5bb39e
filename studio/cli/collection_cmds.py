"""Collection commands: create a named set of works (a training set), add to it, show it with its credits."""

from __future__ import annotations

import click

from studio.cli.output import emit_json, table
from studio.cli.params import TEXT, WholeNumber


@click.group("collection")
def collection_group() -> None:
    """Named sets of works, e.g. the works a model is trained on."""


@collection_group.command("create")
@click.argument("title", type=TEXT)
@click.argument("work_ids", nargs=-1)
@click.option("--creator", type=TEXT, help="Who put the set together.")
@click.option("--description", type=TEXT)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def create_cmd(obj, title: str, work_ids: tuple[str, ...], creator, description, as_json: bool) -> None:
    """Create a collection, optionally with its first works."""
    studio = obj.studio
    work = studio.collections.create(title, creator=creator, description=description, work_refs=list(work_ids))
    summary = studio.collections.summary(work.id, limit=0)
    if as_json:
        emit_json(summary.to_dict())
        return
    click.echo(f"{work.id}  {work.title}  (collection of {summary.count} works)")


@collection_group.command("add")
@click.argument("collection_id")
@click.argument("work_ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def add_cmd(obj, collection_id: str, work_ids: tuple[str, ...], as_json: bool) -> None:
    """Add works to a collection (works already in it stay once)."""
    studio = obj.studio
    added = studio.collections.add(collection_id, list(work_ids))
    summary = studio.collections.summary(collection_id, limit=0)
    if as_json:
        emit_json({**summary.to_dict(), "added": added})
        return
    click.echo(f"{summary.work.id}  {summary.work.title}: added {added}, now {summary.count} works")


@collection_group.command("show")
@click.argument("collection_id")
@click.option("--limit", type=WholeNumber(0, 1_000_000), default=20, show_default=True,
              help="How many members to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def show_cmd(obj, collection_id: str, limit: int, as_json: bool) -> None:
    """Show a collection: its credits by license and creator count, and its first members."""
    summary = obj.studio.collections.summary(collection_id, limit=limit)
    if as_json:
        emit_json(summary.to_dict())
        return
    work = summary.work
    click.echo(f"{work.id}  {work.title}")
    click.echo(f"  works     {summary.count:,} by {summary.creators:,} creators")
    click.echo(f"  credits   {summary.credit_line()}")
    click.echo(f"  sha256    {summary.members_sha256}  (training-set hash over the members)")
    if summary.members:
        rows = [(w.id, w.title, w.creator or "", w.license_id) for w in summary.members]
        click.echo(table(rows, ["id", "title", "creator", "license"]))
        if summary.count > len(summary.members):
            click.echo(f"... and {summary.count - len(summary.members):,} more (--limit to list more)")


COMMANDS = [collection_group]
