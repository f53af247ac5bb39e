"""`studio demo`: the main job on the built-in defaults, as a list of steps that later features extend."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from studio.cli.library_cmds import render_tree
from studio.cli.license_cmds import distinct, print_split, print_verdict
from studio.core.types import Relation, Work, percent_to_units
from studio.errors import StudioError
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.store.library import data_dir

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MARKER = ".studio-demo"


@dataclass
class DemoState:
    studio: Studio
    samples: dict[str, Work] = field(default_factory=dict)
    chain: list[Work] = field(default_factory=list)


Step = Callable[[DemoState], None]


def heading(text: str) -> None:
    click.echo()
    click.secho(f"== {text}", bold=True)


def import_samples(state: DemoState) -> None:
    heading("Building the demo library from assets/samples")
    manifest = tomllib.loads((ASSETS / "samples.toml").read_text())
    for key, entry in manifest.items():
        parents = tuple(state.samples[p].id for p in entry.get("parent", []))
        outcome = state.studio.import_image(
            ImportRequest(
                path=ASSETS / entry["file"],
                title=entry["title"],
                creator=entry.get("creator"),
                license_id=entry.get("license"),
                rev_share=percent_to_units(entry["rev_share"]) if "rev_share" in entry else None,
                parents=parents,
                relation=Relation(entry.get("relation", "remix_of")),
                description=entry.get("description"),
            )
        )
        work = outcome.work
        state.samples[key] = work
        click.echo(f"  {work.id}  {work.title:<20} by {work.creator:<12} {work.license_id}")
    state.chain = [state.samples[k] for k in ("tidepool-dawn", "tidepool-noon", "tidepool-night")]


def show_lineage(state: DemoState) -> None:
    last = state.chain[-1]
    heading(f"Lineage of “{last.title}” (three generations)")
    lineage = state.studio.lineage(last.id)
    click.echo(render_tree(last.id, lineage.edges, lineage.works))


def show_verdicts(state: DemoState) -> None:
    heading("License verdicts")
    for work in state.chain:
        print_verdict(state.studio.license_check(work.id), state.studio.work(work.id))
        click.echo()
    heading("What the license engine refuses, and why")
    s = state.samples
    attempts = [
        ("Remix “Quiet Grid” (CC BY-ND)", [s["quiet-grid"].id], False),
        ("Sell a remix of “Street Poster” (CC BY-NC)", [s["street-poster"].id], True),
        (
            "Blend “Lantern Study” (CC BY-SA) with “Tidepool at Night” (PIL)",
            [s["lantern-study"].id, s["tidepool-night"].id],
            False,
        ),
        ("Remix “Brass Portrait” (all rights reserved)", [s["brass-portrait"].id], False),
        ("Remix “Moss Pattern” (CC0) commercially", [s["moss-pattern"].id], True),
    ]
    for label, parents, commercial in attempts:
        plan = state.studio.plan_derivative(parents, commercial=commercial)
        verdict = "allowed" if plan.allowed else "refused"
        click.echo(f"  {label}: {verdict}")
        for r in distinct(r for r in plan.reasons if r.blocks and r.scope in ("make", "commercial")):
            click.echo(f"      - {r.message}  ({r.code})")


def show_royalties(state: DemoState) -> None:
    last = state.chain[-1]
    titles = {w.id: w.title for w in state.chain}
    for policy in ("lap", "lrp"):
        heading(f"Royalty split under {policy.upper()}")
        print_split(state.studio.royalty(last.id, policy), titles)


STEPS: list[Step] = [import_samples, show_lineage, show_verdicts, show_royalties]


def prepare_library(path: Path | None) -> Path:
    if path is None:
        path = data_dir() / "demo-library"
        if path.exists() and (path / MARKER).exists():
            shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).touch()
    return path


@click.command("demo")
@click.option(
    "--library",
    "library_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build the demo in this folder (default: a fresh demo library in the data folder).",
)
def demo_cmd(library_dir: Path | None) -> None:
    """Build a demo library from the sample works and walk through lineage, licenses and royalties."""
    root = prepare_library(library_dir)
    studio = Studio.open(root)
    try:
        state = DemoState(studio)
        for step in STEPS:
            step(state)
    except StudioError:
        raise
    finally:
        studio.close()
    click.echo()
    click.echo(f"Demo library: {root}")
    click.echo(f"Explore it:   studio --library {root} list   (or `show`, `lineage`, `license check`, `royalty`)")


COMMANDS = [demo_cmd]
