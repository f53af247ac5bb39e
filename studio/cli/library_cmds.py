"""Library commands: import, show, list, lineage, link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from studio.cli.output import emit_json, percent, table
from studio.cli.params import PERCENT, ROYALTY_POLICY, TEXT, IpAmount, Text, WholeNumber
from studio.cli.terminal import escape_controls
from studio.core.amounts import ip_text
from studio.core.types import Origin, Recipe, Relation, Work, WorkKind, percent_to_units, units_to_percent
from studio.errors import InvalidInput
from studio.report.registrations import registrations_of
from studio.services.importing import ImportRequest

# Tool use and training are recorded by the studio when it generates or trains, not typed by hand.
RELATIONS = [r.value for r in Relation if r.parent_kind is WorkKind.image]


def work_json(work: Work) -> dict[str, Any]:
    terms = work.terms
    data: dict[str, Any] = {
        "id": work.id,
        "kind": work.kind.value,
        "title": work.title,
        "creator": work.creator,
        "origin": work.origin.value,
        "license": work.license_id,
        "sha256": work.sha256,
        "phash": work.phash,
        "format": work.format,
        "width": work.width,
        "height": work.height,
        "size_bytes": work.size_bytes,
        "created_at": work.created_at,
        "file": work.file_path,
        "location": work.location,
        "rev_share": units_to_percent(terms.rev_share) if terms.rev_share is not None else None,
        "rev_share_override": (
            units_to_percent(terms.rev_share_override) if terms.rev_share_override is not None else None
        ),
        "minting_fee": terms.minting_fee,  # wei, exact
        "minting_fee_ip": ip_text(terms.minting_fee).removesuffix(" IP") if terms.minting_fee is not None else None,
        "royalty_policy": terms.royalty_policy,
        "recipe": work.recipe.to_dict() if work.recipe else None,
        "flags": list(work.flags),
    }
    return data


def parse_percent(value: float | None, option: str) -> int | None:
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise InvalidInput(f"{option} must be a percentage between 0 and 100, got {value}")
    return percent_to_units(value)


class FeeAmount(IpAmount):
    """A minting fee in IP ('0.5') or wei ('250wei'), returned in wei, small enough to store."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        wei = super().convert(value, param, ctx)
        if wei > 2**63 - 1:
            self.fail_value(value, "is larger than the studio can store (at most about 9.2 IP)", param, ctx)
        return wei


FEE_AMOUNT = FeeAmount()


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--title", type=TEXT, help="Title (default: from the file name).")
@click.option("--creator", type=TEXT, help="Who made it.")
@click.option("--license", "license_id", type=TEXT, help="License id (see `studio license list`).")
@click.option("--rev-share", type=PERCENT, help="Revenue share in percent for PIL commercial-remix terms.")
@click.option("--minting-fee", type=FEE_AMOUNT,
              help="Minting fee in IP (e.g. 0.5), or in wei when spelled so (e.g. 500000000000000000wei).")
@click.option("--royalty-policy", type=ROYALTY_POLICY, metavar="lap|lrp",
              help="Story royalty policy of a new root work: lap or lrp (default lap).")
@click.option("--parent", "parents", multiple=True, help="A parent work id (repeat for several).")
@click.option("--relation", type=click.Choice(RELATIONS), default="remix_of", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def import_cmd(
    obj,
    file: Path,
    title,
    creator,
    license_id,
    rev_share,
    minting_fee,
    royalty_policy,
    parents,
    relation,
    as_json: bool,
) -> None:
    """Import a PNG, JPEG or WebP image into the library."""
    request = ImportRequest(
        path=file,
        title=title,
        creator=creator,
        license_id=license_id,
        rev_share=parse_percent(rev_share, "--rev-share"),
        minting_fee=minting_fee,
        royalty_policy=royalty_policy,
        parents=tuple(parents),
        relation=Relation(relation),
    )
    outcome = obj.studio.importing.import_image(request)
    work = outcome.work
    unapplied = {} if outcome.created else _not_applied(request, work)
    if as_json:
        emit_json({**work_json(work), "created": outcome.created,
                   "notes": [*outcome.recipe_notes, *outcome.credential_notes],
                   "not_applied": sorted(unapplied)})
        return
    verb = "imported" if outcome.created else "already in the library"
    click.echo(f"{work.id}  {work.title}  ({verb}; license {work.license_id})")
    if unapplied:
        click.echo(f"  note: the same image is already work {work.id}, kept as it is: " + "; ".join(unapplied.values()))
    if outcome.created and work.recipe is not None:
        for line in recipe_lines(outcome.recipe_source, work.recipe):
            click.echo(f"  {line}")
    for note in (*outcome.recipe_notes, *outcome.credential_notes):
        click.echo(f"  note: {note}")
    for flag in work.flags:
        click.echo(f"  flagged: {flag.get('message', flag.get('code'))}")


_SOURCES = {"remix-studio": "Remix Studio", "a1111": "A1111/Forge", "comfyui": "ComfyUI", "invokeai": "InvokeAI"}


def recipe_lines(source: str | None, recipe: Recipe) -> list[str]:
    """What an imported image's embedded recipe says it was made with: tool, model family, model, LoRAs."""
    extra = recipe.extra
    family = _shown(extra.get("family") or extra.get("arch") or "unknown")
    lines = [f"recipe: from {_SOURCES.get(source or '', 'the file')}, model family {family} "
             "(a hint from names, not a license)"]
    if recipe.model:
        if extra.get("model_verified"):
            lines.append(f"model: {_shown(recipe.model)} (hash matches registered model {extra.get('model_work')})")
        else:
            lines.append(f"model: {_shown(recipe.model)} (by name, unverified)")
    if recipe.loras:
        shown = [f"{_shown(lora.name or lora.id)} {lora.weight:g}" for lora in recipe.loras[:_MAX_LORAS_SHOWN]]
        more = len(recipe.loras) - _MAX_LORAS_SHOWN
        lines.append("LoRAs: " + ", ".join(shown) + (f" and {more} more" if more > 0 else ""))
    if extra.get("family_note"):
        lines.append(f"note: {_shown(extra['family_note'], 200)}")
    return lines


_MAX_LORAS_SHOWN = 12


def _shown(value: object, limit: int = 120) -> str:
    """A name read from a file, on one line (newlines escaped too) and of bounded length."""
    text = escape_controls(str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _not_applied(request: ImportRequest, work: Work) -> dict[str, str]:
    """What a re-import of stored bytes asked for but did not change, each with the command that does it."""
    found: dict[str, str] = {}
    if request.title is not None and request.title != work.title:
        found["title"] = (
            f"--title {request.title!r} not applied (its title is {work.title!r}; "
            f"change it with `studio retitle {work.id} TITLE`)"
        )
    if request.creator is not None and request.creator != work.creator:
        found["creator"] = f"--creator not applied (its creator is {work.creator or 'not recorded'})"
    if request.license_id is not None and request.license_id != work.license_id:
        found["license"] = f"--license not applied (its license stays {work.license_id})"
    if request.parents:
        found["parents"] = f"--parent not applied (record parents with `studio link {work.id} PARENT`)"
    return found


@click.command("retitle")
@click.argument("work_id")
@click.argument("title", type=TEXT)
@click.pass_obj
def retitle_cmd(obj, work_id: str, title: str) -> None:
    """Change a work's title."""
    studio = obj.studio
    work = studio.work(work_id)
    if not title.strip():
        raise InvalidInput("the title cannot be empty", hint="give the new title in quotes")
    with studio.library.db.atomic():
        updated = studio.library.works.update(work.id, title=title.strip())
    click.echo(f"{updated.id}  {updated.title}  (was {work.title!r})")


@click.command("show")
@click.argument("work_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show_cmd(obj, work_id: str, as_json: bool) -> None:
    """Show one work: its details, recipe, parents and children."""
    studio = obj.studio
    work = studio.work(work_id)
    parents = studio.parents(work.id)
    children = studio.children(work.id)
    published = registrations_of(studio.library.publications, work.id)
    training = studio.collections.training_credits(work.id)
    if as_json:
        data = work_json(work)
        data["ip"] = published[-1].to_dict() if published else None
        data["registrations"] = [reg.to_dict() for reg in published]
        data["parents"] = [{"id": e.parent_id, "relation": e.relation.value, "weight": e.weight} for e in parents]
        data["children"] = [{"id": e.child_id, "relation": e.relation.value} for e in children]
        data["trained_on"] = [credit.to_dict() for credit in training]
        emit_json(data)
        return
    size = f"{work.width}x{work.height} {work.format}" if work.width else (work.location or "")
    terms = work.terms
    click.echo(f"{work.id}  {work.title}")
    click.echo(f"  kind      {work.kind.value} ({work.origin.value}) {size}")
    click.echo(f"  creator   {work.creator or '-'}")
    click.echo(
        f"  license   {work.license_id}"
        + (f", rev share {percent(units_to_percent(terms.rev_share))}" if terms.rev_share is not None else "")
        + (f", minting fee {ip_text(terms.minting_fee, exact=True)}" if terms.minting_fee else "")
    )
    click.echo(f"  created   {work.created_at}")
    click.echo(f"  sha256    {work.sha256}")
    for reg in published:
        click.echo(f"  story     {reg.text}")
        click.echo(f"            {reg.explorer_text}")
    if work.recipe:
        recipe = work.recipe.to_dict()
        click.echo("  recipe    " + ", ".join(f"{k}={v}" for k, v in recipe.items() if k != "extra"))
        made_on = engine_line(work.recipe.extra)
        if made_on:
            click.echo(f"  engine    {made_on}")
    for edge in parents:
        click.echo(f"  parent    {edge.parent_id} ({edge.relation.value})")
    for edge in children:
        click.echo(f"  child     {edge.child_id} ({edge.relation.value})")
    for credit in training:
        click.echo(f"  data      {credit.text()}")
    if work.kind is WorkKind.collection:
        click.echo(f"  members   {studio.collections.summary(work.id, limit=0).credit_line()} "
                   f"(`studio collection show {work.id}`)")
    for flag in work.flags:
        click.echo(f"  flagged   {flag.get('message', flag.get('code'))}")


def engine_line(extra: dict) -> str | None:
    """Which engine made a generated work, on which server, and how its model is known there (from the recipe's
    extra fields; an older or local recipe has none and says nothing)."""
    if not isinstance(extra, dict) or extra.get("engine") != "comfyui":
        return None
    known_by = extra.get("model_known_by")
    model = extra.get("server_model") or "?"
    how = {"hash": "proven the same file", "name": "by name, unverified"}.get(str(known_by), "how it is known unknown")
    return f"ComfyUI on server {extra.get('server') or '?'}, model file {model} ({how})"


@click.command("list")
@click.option("--kind", type=click.Choice([k.value for k in WorkKind]))
@click.option("--license", "license_id", type=TEXT)
@click.option("--origin", type=click.Choice([o.value for o in Origin]))
@click.option("--search", "text", type=Text(max_length=1000), help="Text in the title, creator or recipe.")
@click.option("--limit", type=WholeNumber(1, 1_000_000))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_cmd(obj, kind, license_id, origin, text, limit, as_json: bool) -> None:
    """List the works in the library."""
    works = obj.studio.works(
        kind=WorkKind(kind) if kind else None,
        license_id=license_id,
        origin=Origin(origin) if origin else None,
        text=text,
        limit=limit,
    )
    if as_json:
        emit_json([work_json(w) for w in works])
        return
    if not works:
        click.echo("The library is empty. Add a work with `studio import FILE`.")
        return
    rows = [(w.id, w.kind.value, w.title, w.creator or "", w.license_id, "flagged" if w.flags else "") for w in works]
    click.echo(table(rows, ["id", "kind", "title", "creator", "license", ""]))


@click.command("lineage")
@click.argument("work_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def lineage_cmd(obj, work_id: str, as_json: bool) -> None:
    """Show where a work came from (ancestors) and what came from it (descendants)."""
    lineage = obj.studio.lineage(work_id)
    works = lineage.works
    if as_json:
        emit_json(
            {
                "id": lineage.work.id,
                "ancestors": [
                    {
                        "id": n.id,
                        "depth": n.depth,
                        "path": list(n.path),
                        "relation": n.relation.value if n.relation else None,
                        "title": works[n.id].title,
                        "kind": works[n.id].kind.value,
                        "license": works[n.id].license_id,
                    }
                    for n in lineage.ancestors
                ],
                "descendants": [
                    {"id": n.id, "depth": n.depth, "path": list(n.path), "title": works[n.id].title}
                    for n in lineage.descendants
                ],
                "edges": [
                    {"child": e.child_id, "parent": e.parent_id, "relation": e.relation.value, "weight": e.weight}
                    for e in lineage.edges
                ],
                "trained_on": [credit.to_dict() for credit in obj.studio.collections.training_credits(lineage.work.id)],
            }
        )
        return
    click.echo(render_tree(lineage.work.id, lineage.edges, works))
    for credit in obj.studio.collections.training_credits(lineage.work.id):
        click.echo(f"data: {credit.text()}")
    if lineage.descendants:
        click.echo("descendants:")
        for node in lineage.descendants:
            click.echo(f"{'  ' * node.depth}{node.id}  {works[node.id].title}")


def render_tree(root: str, edges, works: dict[str, Work]) -> str:
    """The ancestry as an indented tree; a work reached twice (a diamond) is printed in full once."""
    parents: dict[str, list] = {}
    for edge in edges:
        parents.setdefault(edge.child_id, []).append(edge)
    lines: list[str] = []
    printed: set[str] = set()

    def describe(work_id: str) -> str:
        work = works[work_id]
        who = f" by {work.creator}" if work.creator else ""
        flag = "  [flagged]" if work.flags else ""
        # A collection's own license is not its members': theirs are summed up on the `data:` line.
        label = "collection" if work.kind is WorkKind.collection else work.license_id
        return f"{work.id}  {work.title}{who}  [{label}]{flag}"

    def visit(work_id: str, prefix: str, relation: str | None) -> None:
        label = f"{relation} " if relation else ""
        seen = work_id in printed
        lines.append(f"{prefix}{label}{describe(work_id)}" + ("  (see above)" if seen else ""))
        if seen:
            return
        printed.add(work_id)
        for edge in sorted(parents.get(work_id, []), key=lambda e: e.position):
            visit(edge.parent_id, prefix + "    ", f"<- {edge.relation.value}")

    visit(root, "", None)
    return "\n".join(lines)


@click.command("link")
@click.argument("child_id")
@click.argument("parent_ids", nargs=-1, required=True)
@click.option("--relation", type=click.Choice(RELATIONS), default="remix_of", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def link_cmd(obj, child_id: str, parent_ids: tuple[str, ...], relation: str, as_json: bool) -> None:
    """Record that an existing work came from other works."""
    edges = obj.studio.link(child_id, list(parent_ids), Relation(relation))
    if as_json:
        emit_json([{"child": e.child_id, "parent": e.parent_id, "relation": e.relation.value} for e in edges])
        return
    for edge in edges:
        click.echo(f"{edge.child_id} <- {edge.relation.value} {edge.parent_id}")


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def doctor_cmd(obj, as_json: bool) -> None:
    """Check the library database, delete crash leftovers, quarantine stored files no work refers to, and settle
    training jobs whose process was killed (they become resumable)."""
    library = obj.studio.library
    integrity = library.db.integrity_check()
    sweep = library.full_sweep()
    settled_jobs = obj.studio.training.settle()
    missing = [
        w.id
        for w in library.works.list() + library.works.list(trashed=True)
        if w.file_path and not library.has_file(w.file_path)
    ]
    if as_json:
        emit_json(
            {
                "integrity": integrity,
                "orphan_files_removed": sweep.orphan_files,
                "temp_files_removed": sweep.temp_files,
                "unreferenced_files_quarantined": sweep.quarantined,
                "quarantine_folder": str(sweep.quarantine_folder) if sweep.quarantine_folder else None,
                "works_missing_files": missing,
                "training_jobs_settled": [
                    {"id": j.id, "state": j.state, "step": j.step, "checkpoint_step": j.checkpoint_step}
                    for j in settled_jobs
                ],
            }
        )
        return
    click.echo(f"database integrity: {integrity}")
    click.echo(
        f"leftovers of interrupted imports removed: {sweep.orphan_files}, temporary files removed: {sweep.temp_files}"
    )
    if sweep.quarantine_folder is not None:
        click.echo(f"files no work refers to, moved (not deleted): {sweep.quarantined} to {sweep.quarantine_folder}")
        click.echo(
            f"  to restore them: move the contents of {sweep.quarantine_folder / 'files'} back into "
            f"{library.root / 'files'}; once sure they are not needed, delete the quarantine folder"
        )
    else:
        click.echo("files no work refers to: none")
    if missing:
        click.echo("works whose file is missing (restore the library folder from a backup): " + ", ".join(missing))
    for job in settled_jobs:
        click.echo(f"training job {job.id} was left {'running' if job.state == 'interrupted' else 'cancelling'} by a "
                   f"process that ended: now {job.state}; continue it with `studio train resume {job.id}`")
    if not settled_jobs:
        click.echo("training jobs left running by a process that ended: none")


COMMANDS = [import_cmd, show_cmd, list_cmd, lineage_cmd, link_cmd, doctor_cmd, retitle_cmd]
