"""Entry point of the `studio` command: global options, error handling, and the command groups."""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

import click

from studio import __version__
from studio.cli.command_index import COMMAND_INDEX
from studio.cli.terminal import escaped_output, exit_with_usage_error
from studio.crash_log import EXIT_CODE, crash_line
from studio.errors import StudioError
from studio.store.team_address import is_postgres_url


class StudioContext:
    """Opens the library on first use, so `studio --help` and `studio license list` never touch it."""

    def __init__(self, library_dir: Path | str | None) -> None:
        self.library_dir = library_dir
        self._studio = None

    @property
    def studio(self):
        if self._studio is None:
            # Deferred: the engines load only for a command that opens the library (`studio --help` in 0.25 s
            # rather than 1 s).
            from studio.services.studio import Studio

            self._studio = Studio.open(self.library_dir)
        return self._studio

    def close(self) -> None:
        if self._studio is not None:
            self._studio.close()
            self._studio = None


class StudioGroup(click.Group):
    """Turns StudioError and usage errors into one clear line on stderr and a non-zero exit, never a traceback."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:  # the global options: `studio --bogus`
            with escaped_output():
                exit_with_usage_error(exc)

    def invoke(self, ctx: click.Context):
        with escaped_output():
            return self._invoke(ctx)

    def _invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exit_with_usage_error(exc)
        except StudioError as exc:
            # A cancel (exit 130, as Ctrl-C) is what the user asked for, not an error.
            click.echo(f"{exc}" if exc.exit_code == 130 else f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Abort, click.exceptions.Exit):
            raise  # click reports these itself
        except Exception as exc:  # a fault: one line here, the traceback in a log file
            click.echo(crash_line(exc, f"studio {ctx.invoked_subcommand or ''}".strip()), err=True)
            sys.exit(EXIT_CODE)


class LibraryLocation(click.ParamType):
    """A library folder, or the postgresql:// address of a team library (kept as text: a path would mangle it)."""

    name = "folder or address"
    _folder = click.Path(path_type=Path, file_okay=False)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path | str:
        if isinstance(value, str) and is_postgres_url(value):
            return value
        return self._folder.convert(value, param, ctx)


class LazyCommandGroup(StudioGroup):
    """The `studio` group: its commands come from `COMMAND_INDEX`, each module imported only when one of its
    commands runs, so `studio import` loads neither web3 nor c2pa, and `studio --help` loads no command module."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_INDEX)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMAND_INDEX.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"studio.cli.{entry[0]}")
        return next((c for c in module.COMMANDS if c.name == cmd_name), None)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `studio --help`, as click writes it, from the index's summaries."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # Shortened as click shortens a command's own help (a stand-in command carries the summary).
        rows = [(name, click.Command(name, help=COMMAND_INDEX[name][1]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyCommandGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--library",
    "library_dir",
    type=LibraryLocation(),
    envvar="STUDIO_LIBRARY",
    help="Library folder, or a team library's postgresql:// address (default: the per-user data folder; env "
    "STUDIO_LIBRARY).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens to stderr.")
@click.version_option(__version__, prog_name="studio")
@click.pass_context
def cli(ctx: click.Context, library_dir: Path | str | None, verbose: bool) -> None:
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


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="studio")
