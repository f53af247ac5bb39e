"""`studio report ID [--format html|json] [--output FILE]` against a real library."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from html_page import Page

from studio.cli.main import cli
from tests.helpers.report_lineage import MixedLineage


def _run(studio, *args: str):
    return CliRunner().invoke(cli, ["--library", str(studio.library.root), *args], catch_exceptions=False)


def test_json_to_stdout(studio, mixed: MixedLineage):
    result = _run(studio, "report", mixed.final.id[:6], "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["work_id"] == mixed.final.id and len(data["nodes"]) == 6 and len(data["fingerprint"]) == 64


def test_output_file_format_follows_the_suffix(studio, mixed: MixedLineage, tmp_path: Path):
    html_file, json_file = tmp_path / "r.html", tmp_path / "r.json"
    first = _run(studio, "report", mixed.final.id, "--output", str(html_file))
    second = _run(studio, "report", mixed.final.id, "--output", str(json_file))
    assert first.exit_code == 0 and second.exit_code == 0
    digest = json.loads(json_file.read_text())["fingerprint"]
    page = Page(html_file.read_text())
    assert page.one("meta", name="remix-studio-report-fingerprint").attrs["content"] == digest
    assert digest in first.stdout and str(html_file) in first.stdout
    forced = tmp_path / "forced.txt"
    assert _run(studio, "report", mixed.final.id, "--format", "json", "--output", str(forced)).exit_code == 0
    assert json.loads(forced.read_text())["fingerprint"] == digest


def test_bad_input_is_one_clear_line(studio, mixed: MixedLineage, tmp_path: Path):
    missing = _run(studio, "report", "ffffffffffff")
    assert missing.exit_code == 3 and missing.stderr.count("\n") == 1 and "no work with id" in missing.stderr
    folder = tmp_path / "a-folder.html"
    folder.mkdir()
    into_folder = _run(studio, "report", mixed.final.id, "--output", str(folder))
    assert into_folder.exit_code != 0 and "Traceback" not in into_folder.output
