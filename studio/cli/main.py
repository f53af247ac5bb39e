"""Entry point of the `studio` command: global options, error handling, and the command groups."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from studio import __version__
from studio.errors import StudioError


class StudioContext:
    """Opens the library on first use, so `studio --help` and `studio license list` never touch it."""

    def __init__(self, library_dir: Path | None) -> None:
        self.library_dir = library_dir
        self._studio = None

    @property
    def studio(self):
        if self._studio is None:
            from studio.services import Studio

            self._studio = Studio.open(self.library_dir)
        return self._studio

    def close(self) -> None:
        if self._studio is not None:
            self._studio.close()
            self._studio = None


class StudioGroup(click.Group):
    """Turns StudioError into one clear line on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except StudioError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=StudioGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--library",
    "library_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="STUDIO_LIBRARY",
    help="Library folder (default: the per-user data folder; env STUDIO_LIBRARY).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens to stderr.")
@click.version_option(__version__, prog_name="studio")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | None, verbose: bool) -> None:
    """Remix Studio: generate and remix images with lineage, licenses and royalties.

    `studio` with no arguments at all opens the window.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    state = StudioContext(library_dir)
    ctx.obj = state
    ctx.call_on_close(state.close)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


def _register() -> None:
    from studio.cli import demo_cmd, generate_cmds, library_cmds, license_cmds, publish_cmds, review_cmds

    for module in (library_cmds, license_cmds, generate_cmds, review_cmds, publish_cmds, demo_cmd):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="studio")
