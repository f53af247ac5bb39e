"""The `studio` executable: the window when started with no arguments, the CLI otherwise.

This module sits above both front ends so that neither imports the other (Qt stays out of the CLI).
"""

from __future__ import annotations

import sys


def main() -> None:
    args = sys.argv[1:]
    if not args or (args[0] in ("--library",) and len(args) == 2):
        from studio.ui.launch import run

        library = args[1] if args else None
        raise SystemExit(run(library))
    from studio.cli.main import main as cli_main

    cli_main(args)
