from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli


class Run:
    """Runs `studio` in-process against one library folder and returns the CliRunner result."""

    def __init__(self, library: Path) -> None:
        self.library = library
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True):
        result = self.runner.invoke(cli, ["--library", str(self.library), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)

    def import_(self, path: Path, *args: str) -> str:
        return self.json("import", str(path), *args)["id"]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path / "lib")


@pytest.fixture
def sample(make_image: Callable[..., Path]) -> Callable[..., Path]:
    return make_image
