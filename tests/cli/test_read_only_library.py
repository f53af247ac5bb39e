"""A library on read-only media: every reading command works, every changing one says in one line why not.

The library is made truly read-only for this process: a read-only bind mount when the tests run as root (for whom
permissions do not stop writes), `chmod -R a-w` otherwise.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.helpers.signing_keys import keyring_store, use_for_cli


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()
    }


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot make a read-only bind mount as root (mount {' '.join(args)}): {done.stderr.strip()}")


@pytest.fixture
def read_only(run: Run, sample, tmp_path: Path) -> Iterator[tuple[Run, list[str]]]:
    parent = run.import_(sample(), "--license", "cc-by-4.0", "--creator", "Ana")
    child = run.import_(sample(), "--parent", parent, "--creator", "Ben")
    ids = [parent, child]
    if os.geteuid() == 0:
        view = tmp_path / "read-only-view"
        view.mkdir()
        _mount("--bind", str(run.library), str(view))
        try:
            _mount("-o", "remount,ro,bind", str(view))
            yield Run(view), ids
        finally:
            subprocess.run(["umount", str(view)], check=True)
    else:
        for path in [run.library, *run.library.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        try:
            yield run, ids
        finally:
            for path in [run.library, *run.library.rglob("*")]:
                path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_reading_commands_work_on_a_read_only_library(read_only, tmp_path: Path, monkeypatch) -> None:
    ro, (parent, child) = read_only
    with pytest.raises(OSError):
        (ro.library / "probe").write_text("x")  # the media really refuses writes
    before = _digests(ro.library)
    assert {w["id"] for w in ro.json("list")} == {parent, child}
    assert ro.json("show", child)["creator"] == "Ben"
    assert [a["id"] for a in ro.json("lineage", child)["ancestors"]] == [parent]
    assert ro("license", "check", child).exit_code == 0
    assert ro("royalty", child).exit_code == 0
    report = tmp_path / "out" / "report.html"
    ro("report", child, "--output", str(report))
    assert "<html" in report.read_text().lower()
    keys = keyring_store(tmp_path)
    use_for_cli(keys, tmp_path, monkeypatch)
    exported = tmp_path / "out" / "child.png"
    ro("export", child, str(exported), "--signer", "Ben")
    assert exported.read_bytes()[:4] == b"\x89PNG"
    assert ro("credentials", child).exit_code == 0
    assert _digests(ro.library) == before


def test_changing_commands_say_the_library_is_read_only(read_only, sample) -> None:
    ro, (parent, child) = read_only
    before = _digests(ro.library)
    for args in (
        ["import", str(sample())],
        ["link", parent, child],
        ["doctor"],
        ["review", "approve", child, "--reviewer", "Rita"],
        ["review", "require", "on"],
    ):
        result = ro(*args, ok=False)
        assert result.exit_code != 0, args
        assert result.stderr.count("\n") == 1 and "read-only" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output + result.stderr
    assert _digests(ro.library) == before
