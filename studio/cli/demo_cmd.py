"""`studio demo`: prints the story the demo service (`studio.services.demo`) tells as it builds the demo library."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from studio.cli.library_cmds import render_tree
from studio.cli.license_cmds import print_split, print_verdict
from studio.cli.output import ProgressPrinter, progress, table
from studio.services.demo import run_demo
from studio.services.demo_events import (
    DemoEvent,
    Heading,
    Line,
    LineageShown,
    SplitShown,
    Stepped,
    Table,
    VerdictShown,
    Worked,
    Working,
)

COMMANDLINE = ParameterSource.COMMANDLINE


class StoryPrinter:
    """Prints the demo's events; a long stage shows as the progress line on a terminal."""

    def __init__(self) -> None:
        self._working: ProgressPrinter | None = None

    def __call__(self, event: DemoEvent) -> None:
        match event:
            case Heading(text):
                click.echo()
                click.secho(f"== {text}", bold=True)
            case Line(text):
                click.echo(text)
            case Table(rows, headers):
                click.echo(table(rows, headers))
            case VerdictShown(verdict, work):
                print_verdict(verdict, work)
            case SplitShown(split, titles):
                print_split(split, dict(titles))
            case LineageShown(root, edges, works):
                click.echo(render_tree(root, edges, dict(works)))
            case Working(label):
                self._working = progress(label).__enter__()
            case Stepped(done, total, unit) if self._working is not None:
                self._working.step(done, total, unit)
            case Worked() if self._working is not None:
                self._working.close()
                self._working = None


@click.command("demo")
@click.option(
    "--library",
    "library_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Build the demo in this folder (default: `studio --library`'s folder when given there, else a fresh demo "
    "library in the data folder).",
)
@click.pass_context
def demo_cmd(ctx: click.Context, library_dir: Path | None) -> None:
    """Build a demo library from the sample works and walk through lineage, licenses and royalties."""
    parent = ctx.parent
    # `studio --library X demo` builds it in X; STUDIO_LIBRARY (the everyday library) is not a demo's place.
    if library_dir is None and parent is not None and parent.get_parameter_source("library_dir") is COMMANDLINE:
        library_dir = parent.params["library_dir"]
    root = run_demo(library_dir, StoryPrinter())
    click.echo()
    click.echo(f"Demo library: {root}")
    click.echo(f"Explore it:   studio --library {root} list   (or `show`, `lineage`, `license check`, `royalty`)")


COMMANDS = [demo_cmd]
