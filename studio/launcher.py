"""The `studio` executable: the window when started with no arguments, the CLI otherwise.

This module sits above both front ends so that neither imports the other (Qt stays out of the CLI).
"""

from __future__ import annotations

import sys

from studio.crash_log import EXIT_CODE, crash_line, install_excepthook
from studio.errors import StudioError


def main() -> None:
    args = sys.argv[1:]
    if not args or (args[0] in ("--library",) and len(args) == 2):
        install_excepthook()  # a fault in an event handler: logged, one line on stderr
        try:
            from studio.ui.launch import run

            library = args[1] if args else None
            code = run(library)
        except StudioError as exc:  # e.g. system libraries the window needs are missing
            print(f"error: {exc}", file=sys.stderr)
            code = exc.exit_code
        except Exception as exc:
            print(crash_line(exc, "window"), file=sys.stderr)
            code = EXIT_CODE
        raise SystemExit(code)
    from studio.cli.main import main as cli_main

    cli_main(args)
