"""`studio --library X demo` builds the demo in X; it never adds its samples to someone's own library."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import studio.services.demo as demo
from studio.cli.main import cli
from tests.cli.conftest import Run


@pytest.fixture
def no_steps(monkeypatch: pytest.MonkeyPatch) -> list:
    """The demo's steps (generation, a devnet) are tested elsewhere; here only where it builds its library."""
    seen: list = []
    monkeypatch.setattr(demo, "STEPS", [lambda state: seen.append(state.studio.library.root)])
    return seen


def test_the_global_library_option_is_where_the_demo_is_built(no_steps: list, tmp_path: Path) -> None:
    target = tmp_path / "my-demo"
    result = CliRunner().invoke(cli, ["--library", str(target), "demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output + result.stderr
    assert no_steps == [target] and (target / "library.db").is_file() and (target / demo.MARKER).exists()
    assert f"Demo library: {target}" in result.stdout


def test_the_everyday_library_from_the_environment_is_not_used(no_steps: list, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_LIBRARY", str(tmp_path / "everyday"))
    assert CliRunner().invoke(cli, ["demo"], catch_exceptions=False).exit_code == 0
    assert no_steps and no_steps[0] != tmp_path / "everyday" and not (tmp_path / "everyday").exists()


def test_an_existing_library_is_refused(run: Run, sample, no_steps: list) -> None:
    run.import_(sample())
    result = run("demo", ok=False)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "not a demo library" in result.stderr
    assert no_steps == [] and len(run.json("list")) == 1
