"""The CLI starts light: a command loads only what it needs."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from studio.cli.main import COMMAND_MODULES
from tests.conftest import REPO


def test_every_command_is_registered_with_its_module() -> None:
    modules = {name: importlib.import_module(f"studio.cli.{name}") for name in set(COMMAND_MODULES.values())}
    defined = {cmd.name: module_name for module_name, module in modules.items() for cmd in module.COMMANDS}
    assert defined == COMMAND_MODULES


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
