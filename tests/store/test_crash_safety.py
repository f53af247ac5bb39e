"""A real process killed (SIGKILL) while importing must leave a library that opens cleanly, on either engine.

After the kill: the database's integrity check is ok, every row's file exists with the right hash, and files
without a row (written just before the kill) are swept when the library is next opened.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg

from studio.store.files import sha256_file
from studio.store.library import Library, team_cache_dir
from tests.conftest import REPO, image_bytes


def _assert_consistent(address: Path | str) -> int:
    library = Library.open(address)
    root = library.root
    try:
        assert library.db.integrity_check() == "ok"
        rows = library.db.query("SELECT id, sha256, file_path FROM works")
        for row in rows:
            path = root / row["file_path"]
            assert path.exists(), f"row {row['id']} has no file"
            assert sha256_file(path) == row["sha256"]
        known = {row["sha256"] for row in rows}
        stored = {p.parent.name + p.name.split(".")[0] for p in (root / "files").rglob("*.*")}
        assert stored <= known, f"orphan files left: {stored - known}"
        assert not list((root / "files").rglob(".*.tmp"))
        assert library.files.pending_hashes() == []
        orphan_edges = library.db.query(
            "SELECT * FROM edges WHERE child_id NOT IN (SELECT id FROM works) "
            "OR parent_id NOT IN (SELECT id FROM works)"
        )
        assert orphan_edges == []
        return len(rows)
    finally:
        library.close()


def _committed_works(address: Path | str) -> int:
    """How many works another process has committed, read without opening the library (0 before it exists)."""
    if isinstance(address, str):
        try:
            with psycopg.connect(address, connect_timeout=5) as conn:
                row = conn.execute("SELECT count(*) FROM works").fetchone()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InFailedSqlTransaction):
            return 0
        return int(row[0]) if row else 0
    db = address / "library.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM works").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def _wait_for_more_works(address: Path | str, count: int, proc: subprocess.Popen) -> None:
    """Until the importing process has committed more than `count` works (so each kill lands mid-stream)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "importer exited"
        if _committed_works(address) > count:
            return
        time.sleep(0.02)
    raise AssertionError("the importer made no progress")


def test_kill_between_file_and_rows_leaves_no_half_record(tmp_path: Path, library_address: Path | str) -> None:
    """The process dies exactly after the file is on disk and before its rows are committed."""
    source = tmp_path / "x.png"
    source.write_bytes(image_bytes(5, (48, 48)))
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from studio.store.library import Library, team_cache_dir
        from studio.store.files import sha256_bytes
        address = {str(library_address)!r}
        lib = Library.open(address if address.startswith("postgresql:") else Path(address))
        data = Path({str(source)!r}).read_bytes()
        with lib.staged_file(data, sha256_bytes(data), "png"), lib.db.atomic():
            lib.db.execute(
                "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                "VALUES ('half', 'image', ?, 't', 'imported', 'cc0-1.0', 'now', 'now')", (sha256_bytes(data),))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    root = library_address if isinstance(library_address, Path) else team_cache_dir(library_address)
    assert list((root / "files").rglob("*.png")), "the file should have reached disk before the kill"
    assert _assert_consistent(library_address) == 0
    library = Library.open(library_address)
    assert library.last_sweep.orphan_files == 0  # already swept by the previous open
    library.close()


def test_kill_at_random_moments_of_a_bulk_import(tmp_path: Path, library_address: Path | str) -> None:
    sources = tmp_path / "src"
    sources.mkdir()
    for n in range(300):
        (sources / f"{n:03}.png").write_bytes(image_bytes(1000 + n, (40, 40)))
    env = {**os.environ, "STUDIO_LIBRARY": str(library_address)}
    total = 0
    for delay in (0.0, 0.013, 0.05, 0.2):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                textwrap.dedent(f"""
                import sys
                from pathlib import Path
                from studio.cli.main import main
                for path in sorted(Path({str(sources)!r}).glob('*.png')):
                    try:
                        main(['import', str(path)])
                    except SystemExit as exit:
                        if exit.code:
                            raise
            """),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_for_more_works(library_address, total, proc)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        count = _assert_consistent(library_address)
        assert count >= total
        total = count
    assert total > 0


def test_full_sweep_quarantines_files_without_rows_even_without_a_marker(tmp_path: Path) -> None:
    """After a power loss a pending marker may be gone; `studio doctor` still finds the unreferenced file, and
    moves it out of the store without deleting it."""
    library = Library.open(tmp_path / "lib")
    data = image_bytes(9, (20, 20))
    kept = library.files.put(image_bytes(10, (20, 20)), "aa" * 32, "png")
    library.db.execute(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at, file_path) "
        "VALUES ('k', 'image', ?, 't', 'imported', 'cc0-1.0', 'n', 'n', ?)",
        ("aa" * 32, kept),
    )
    stray = library.files.put(data, "bb" * 32, "png")
    report = library.full_sweep()
    assert (report.orphan_files, report.quarantined) == (0, 1)
    assert not (tmp_path / "lib" / stray).exists() and (tmp_path / "lib" / kept).exists()
    assert report.quarantine_folder is not None and (report.quarantine_folder / stray).read_bytes() == data
    library.close()
