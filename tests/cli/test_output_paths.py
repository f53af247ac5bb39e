"""Commands that write a file the user names never write into a library folder, nor over a file unasked."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from studio.store.output_paths import check_output_path
from studio.store.works import new_id
from tests.cli.conftest import Run
from tests.helpers.signing_keys import keyring_store, use_for_cli


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def _one_line_error(result) -> None:
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_report_over_the_library_database_is_refused_and_the_library_untouched(run: Run, sample) -> None:
    work = run.import_(sample())
    before = _digests(run.library)
    for target in (run.library / "library.db", run.library / "files" / "new.html", run.library / "r.html"):
        result = run("report", work, "--output", str(target), "--force", ok=False)
        _one_line_error(result)
        assert "inside the library folder" in result.stderr
    assert _digests(run.library) == before
    assert run.json("show", work)["id"] == work


def test_report_into_another_library_or_through_a_link_into_one_is_refused(run: Run, sample, tmp_path: Path) -> None:
    work = run.import_(sample())
    other = Run(tmp_path / "other")
    other.import_(sample())
    before = _digests(other.library)
    _one_line_error(run("report", work, "--output", str(other.library / "library.db"), "--force", ok=False))
    link = tmp_path / "innocent.html"
    link.symlink_to(other.library / "library.db")
    _one_line_error(run("report", work, "--output", str(link), "--force", ok=False))
    assert _digests(other.library) == before


def test_report_refuses_an_existing_file_unless_forced(run: Run, sample, tmp_path: Path) -> None:
    work = run.import_(sample())
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("keep me")
    result = run("report", work, "--output", str(target), ok=False)
    _one_line_error(result)
    assert "--force" in result.stderr and target.read_text() == "keep me"
    run("report", work, "--output", str(target), "--force")
    assert "<html" in target.read_text().lower()


def test_report_without_output_writes_a_file_named_for_the_work(
    run: Run, sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = run.import_(sample(), "--title", "Harbour at Dusk!")
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    result = run("report", work)
    written = here / f"report-harbour-at-dusk-{work}.html"
    assert written.is_file() and "<html" in written.read_text().lower()
    assert len(result.stdout) < 300 and str(written) in result.stdout
    _one_line_error(run("report", work, ok=False))  # a second run does not overwrite it
    assert "<html" in run("report", work, "--output", "-").stdout.lower()  # stdout when asked


def test_export_onto_another_works_stored_file_is_refused(
    run: Run, sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = keyring_store(tmp_path)
    use_for_cli(keys, tmp_path, monkeypatch)
    first = run.import_(sample())
    second = run.import_(sample())
    stored = run.library / run.json("show", second)["file"]
    before = _digests(run.library)
    result = run("export", first, str(stored), "--signer", "Ana", "--force", ok=False)
    _one_line_error(result)
    assert _digests(run.library) == before

    target = tmp_path / "signed.png"
    target.write_bytes(b"precious")
    _one_line_error(run("export", first, str(target), "--signer", "Ana", ok=False))
    assert target.read_bytes() == b"precious"
    run("export", first, str(target), "--signer", "Ana", "--force")
    assert target.read_bytes() != b"precious" and target.read_bytes()[:4] == b"\x89PNG"


def test_the_guard_recognises_a_library_by_its_layout(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    (library / "files" / "ab").mkdir(parents=True)
    (library / "thumbs").mkdir()
    with pytest.raises(Exception, match="inside the library folder"):
        check_output_path(library / "files" / "ab" / f"{new_id()}.png")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert check_output_path(plain / "x.html") == (plain / "x.html").resolve()
    os.mkfifo(plain / "pipe")
    with pytest.raises(Exception, match="not a regular file"):
        check_output_path(plain / "pipe", overwrite=True)
