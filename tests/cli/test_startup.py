"""The CLI starts light: a command loads only what it needs."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from studio.cli.command_index import COMMAND_INDEX
from studio.cli.main import cli
from tests.conftest import REPO

COMMAND_MODULES = {module for module, _summary in COMMAND_INDEX.values()}


def test_the_index_names_every_command_of_every_module_with_its_summary() -> None:
    modules = {name: importlib.import_module(f"studio.cli.{name}") for name in COMMAND_MODULES}
    defined = {
        cmd.name: (module_name, cmd.get_short_help_str(limit=10**6))
        for module_name, module in modules.items()
        for cmd in module.COMMANDS
    }
    assert defined == COMMAND_INDEX


@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_from_the_index_reads_as_click_writes_it_from_the_commands(width: int) -> None:
    commands = {name: cli.get_command(click.Context(cli), name) for name in COMMAND_INDEX}
    eager = click.Group("studio", commands=commands)  # click's own listing, every module loaded
    lazy = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert lazy.exit_code == 0
    listed = lazy.output[lazy.output.index("Commands:"):]
    eager_help = CliRunner().invoke(eager, ["--help"], terminal_width=width).output
    assert listed == eager_help[eager_help.index("Commands:"):]
    assert "  remix " in listed and len(listed.splitlines()) > len(COMMAND_INDEX)


def test_help_loads_no_command_module() -> None:
    probe = (
        "import sys\n"
        "from studio.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('studio.cli.') and m.endswith(('_cmds', '_cmd'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Commands:" in out.stdout and out.stdout.strip().splitlines()[-1] == "[]"


def test_library_commands_do_not_load_torch_web3_or_c2pa(tmp_path: Path) -> None:
    probe = (
        "import sys, json\n"
        "from studio.cli.main import main\n"
        "try:\n"
        "    main(['list', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['torch', 'diffusers', 'web3', 'story_protocol_python_sdk', 'c2pa', 'PySide6']\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    env = {**os.environ, "STUDIO_LIBRARY": str(tmp_path / "lib")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
