"""A library whose database is missing, empty or foreign is refused by every command, and nothing stored is lost.

`doctor` never deletes a stored file the database does not account for: it moves it to a dated quarantine
folder inside the library and says how to put it back.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.cli.conftest import Run

DAMAGES = ["zero-bytes", "missing", "not-sqlite", "foreign-sqlite", "no-tables"]


def _stored(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "files").rglob("*"))
        if p.is_file()
    }


def _damage(db: Path, how: str) -> None:
    for side in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        side.unlink(missing_ok=True)
    if how == "zero-bytes":
        db.write_bytes(b"")
    elif how == "missing":
        db.unlink()
    elif how == "not-sqlite":
        db.write_text("<html>a report written over the database</html>")
    else:
        db.unlink()
        conn = sqlite3.connect(db)
        if how == "foreign-sqlite":
            conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
        else:
            conn.execute("PRAGMA user_version = 1")  # written, but without any table
        conn.commit()
        conn.close()


@pytest.fixture
def built(run: Run, sample) -> tuple[Run, list[str]]:
    first = run.import_(sample(), "--license", "cc-by-4.0")
    second = run.import_(sample(), "--parent", first)
    third = run.import_(sample())
    return run, [first, second, third]


@pytest.mark.parametrize("how", DAMAGES)
def test_every_command_refuses_a_library_its_database_cannot_vouch_for(built, how: str, tmp_path: Path, sample):
    run, ids = built
    before = _stored(run.library)
    assert len(before) == 3
    db = run.library / "library.db"
    _damage(db, how)
    damaged = db.read_bytes() if db.exists() else None
    work = ids[1]
    commands = [
        ["import", str(sample())],
        ["show", work],
        ["list"],
        ["lineage", work],
        ["link", ids[2], ids[0]],
        ["license", "check", work],
        ["royalty", work],
        ["generate", "a lighthouse", "--steps", "2"],
        ["remix", work, "a lighthouse"],
        ["report", work, "--output", str(tmp_path / "r.html")],
        ["export", work, str(tmp_path / "e.png"), "--signer", "Ana"],
        ["credentials", work],
        ["review", "list"],
        ["publish", "status"],
        ["revenue", "show", work],
        ["models", "list"],
        ["doctor"],
    ]
    for args in commands:
        result = run(*args, ok=False)
        assert result.exit_code != 0, (args, result.output)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, (args, result.stderr)
        assert "library database" in result.stderr or "not a Remix Studio library" in result.stderr, result.stderr
        assert "nothing was changed" in result.stderr
        assert _stored(run.library) == before, args
        assert (db.read_bytes() if db.exists() else None) == damaged, args
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "e.png").exists()


def test_a_new_or_empty_folder_still_becomes_a_library(tmp_path: Path, sample):
    fresh = Run(tmp_path / "does" / "not" / "exist")
    assert fresh.json("list") == []
    empty = tmp_path / "empty"
    empty.mkdir()
    Run(empty).import_(sample())
    assert (empty / "library.db").stat().st_size > 0


def test_doctor_quarantines_unreferenced_files_and_says_how_to_restore(built):
    run, _ids = built
    stored = _stored(run.library)
    stray_rel = "files/ee/" + "e" * 62 + ".png"
    (run.library / stray_rel).parent.mkdir(parents=True, exist_ok=True)
    (run.library / stray_rel).write_bytes(b"an image the database lost")
    (run.library / "ipfs").mkdir(exist_ok=True)
    (run.library / "ipfs" / ".bafkreiabc.123.tmp").write_bytes(b"half")
    (run.library / "thumbs").mkdir(exist_ok=True)
    (run.library / "thumbs" / ".x.png.9.tmp").write_bytes(b"half")

    result = run("doctor")
    assert "moved (not deleted): 1" in result.stdout and "to restore them" in result.stdout
    assert _stored(run.library) == stored
    kept = list((run.library / "quarantine").glob(f"*/{stray_rel}"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"an image the database lost"
    assert str(kept[0].parents[2]) in result.stdout
    assert not list((run.library / "ipfs").glob("*.tmp")) and not list((run.library / "thumbs").glob("*.tmp"))
    assert run.json("doctor")["unreferenced_files_quarantined"] == 0

    # Putting the files back as told makes them part of the store again.
    shutil.copytree(kept[0].parents[2] / "files", run.library / "files", dirs_exist_ok=True)
    assert (run.library / stray_rel).read_bytes() == b"an image the database lost"
