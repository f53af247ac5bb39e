"""studio.store.migrations: one test per migration, plus the runner's guarantees."""

from __future__ import annotations

import sqlite3

import pytest

from studio.errors import LibraryError
from studio.store.db import Database
from studio.store.library import Library
from studio.store.migrations import MIGRATIONS, Migration, applied, m001_initial, migrate


def _columns(db: Database, table: str) -> set[str]:
    return {row[1] for row in db.query(f"PRAGMA table_info({table})")}


def test_m001_initial_creates_works_and_edges(tmp_path) -> None:
    db = Database(tmp_path / "a.db")
    with db.atomic():
        m001_initial(db)
    assert {"id", "kind", "sha256", "phash", "title", "creator", "license_id", "recipe", "flags"} <= _columns(
        db, "works"
    )
    assert {"child_id", "parent_id", "relation", "position", "weight"} <= _columns(db, "edges")
    db.execute(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
        "VALUES ('a', 'image', 'h', 't', 'imported', 'cc0-1.0', 'now', 'now')"
    )
    with pytest.raises(sqlite3.IntegrityError):  # foreign keys are enforced on edges
        db.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES ('a', 'missing', 'remix_of')")
    with pytest.raises(sqlite3.IntegrityError):  # relation kinds are a closed set
        db.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES ('a', 'a', 'copied_from')")


def test_every_migration_is_recorded_in_order(tmp_path) -> None:
    db = Database(tmp_path / "b.db")
    names = migrate(db)
    assert names == [m.name for m in MIGRATIONS]
    assert applied(db) == names
    assert db.one("PRAGMA user_version")[0] == len(MIGRATIONS)
    assert migrate(db) == []


def test_failed_migration_leaves_nothing_half_done(tmp_path) -> None:
    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half (x)")
        raise RuntimeError("disk on fire")

    db = Database(tmp_path / "c.db")
    migrate(db)
    with pytest.raises(RuntimeError):
        migrate(db, (*MIGRATIONS, Migration("m999_broken", broken)))
    assert "half" not in db.table_names()
    assert "m999_broken" not in applied(db)


def test_backup_is_taken_before_migrating_an_existing_library(tmp_path) -> None:
    lib = Library.open(tmp_path / "lib")
    lib.close()
    marker = Migration("m998_marker", lambda db: db.execute("CREATE TABLE marker (x)"))
    lib = Library.open(tmp_path / "lib", migrations=(*MIGRATIONS, marker))
    lib.close()
    backups = sorted((tmp_path / "lib").glob("library.db.backup-*-before-m998_marker"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert "marker" not in {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
    old.close()


def test_newer_library_is_refused_and_left_untouched(tmp_path) -> None:
    future = Migration("m500_from_the_future", lambda db: db.execute("CREATE TABLE future (x)"))
    lib = Library.open(tmp_path / "lib", migrations=(*MIGRATIONS, future))
    lib.close()
    db_file = tmp_path / "lib" / "library.db"
    before = db_file.read_bytes()
    with pytest.raises(LibraryError, match="newer version"):
        Library.open(tmp_path / "lib")
    assert db_file.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused(tmp_path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "library.db").write_text("hello, not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a usable"):
        Library.open(tmp_path / "lib")
