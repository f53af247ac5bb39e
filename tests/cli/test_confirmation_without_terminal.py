"""A command that must ask, run without a terminal to ask on, says to pass --yes (not click's bare "Aborted!")."""

from __future__ import annotations

from click.testing import CliRunner

from studio.cli.main import cli
from tests.cli.conftest import Run


def test_revenue_pay_without_a_terminal_says_to_pass_yes(run: Run, sample) -> None:
    work = run.import_(sample(), "--license", "pil-commercial-remix", "--rev-share", "5")
    result = CliRunner().invoke(cli, ["--library", str(run.library), "revenue", "pay", work, "1"], input="")
    assert result.exit_code == 2, result.output
    assert "Aborted" not in result.output + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "--yes" in result.stderr and "no terminal" in result.stderr


def test_revenue_pay_answered_no_pays_nothing(run: Run, sample) -> None:
    work = run.import_(sample(), "--license", "pil-commercial-remix", "--rev-share", "5")
    result = CliRunner().invoke(cli, ["--library", str(run.library), "revenue", "pay", work, "1"], input="n\n")
    assert result.exit_code == 0 and "cancelled: nothing was paid" in result.stdout
