"""studio.store.migrations: one test per migration, plus the runner's guarantees."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from studio.errors import LibraryError
from studio.store.db import SQLITE, ConstraintViolation, Database
from studio.store.library import Library
from studio.store.migrations import MIGRATIONS, Migration, applied, m001_initial, migrate


def _columns(db: Database, table: str) -> set[str]:
    return set(db.column_names(table))


def test_m001_initial_creates_works_and_edges(make_db) -> None:
    db = make_db("a")
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
    with pytest.raises(ConstraintViolation):  # foreign keys are enforced on edges
        db.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES ('a', 'missing', 'remix_of')")
    with pytest.raises(ConstraintViolation):  # relation kinds are a closed set
        db.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES ('a', 'a', 'copied_from')")


def test_every_migration_is_recorded_in_order(make_db) -> None:
    db = make_db("b")
    names = migrate(db)
    assert names == [m.name for m in MIGRATIONS]
    assert applied(db) == names
    if db.engine == SQLITE:
        assert db.one("PRAGMA user_version")[0] == len(MIGRATIONS)
    assert migrate(db) == []


def test_failed_migration_leaves_nothing_half_done(make_db) -> None:
    def broken(db: Database) -> None:
        db.execute("CREATE TABLE half (x INTEGER)")
        raise RuntimeError("disk on fire")

    db = make_db("c")
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


def _snapshot(lib: Library) -> tuple[list[str], list[str], list[tuple]]:
    """What a refused open must leave as it was: tables, applied migrations and rows."""
    return lib.db.table_names(), applied(lib.db), [tuple(r) for r in lib.db.query("SELECT * FROM future")]


def test_newer_library_is_refused_and_left_untouched(library_address) -> None:
    future = Migration("m500_from_the_future", lambda db: db.execute("CREATE TABLE future (x INTEGER)"))
    lib = Library.open(library_address, migrations=(*MIGRATIONS, future))
    lib.db.execute("INSERT INTO future (x) VALUES (1)")
    before = _snapshot(lib)
    lib.close()
    db_file = library_address / "library.db" if isinstance(library_address, Path) else None
    file_before = db_file.read_bytes() if db_file else None
    with pytest.raises(LibraryError, match="newer version"):
        Library.open(library_address)
    if db_file:
        assert db_file.read_bytes() == file_before
    lib = Library.open(library_address, migrations=(*MIGRATIONS, future))
    assert _snapshot(lib) == before
    lib.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "library.db").write_text("hello, not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a usable"):
        Library.open(tmp_path / "lib")


def _migrated_until(make_db, name: str) -> Database:
    """A database with every migration before `name` applied, as an older library would be."""
    names = [m.name for m in MIGRATIONS]
    db = make_db(name)
    migrate(db, MIGRATIONS[: names.index(name)])
    db.execute(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
        "VALUES ('w1', 'image', 'h1', 'old work', 'imported', 'cc0-1.0', 'then', 'then')"
    )
    return db


def _apply(db: Database, name: str) -> None:
    migrate(db, MIGRATIONS[: [m.name for m in MIGRATIONS].index(name) + 1])


def test_m002_model_registry(make_db) -> None:
    db = _migrated_until(make_db, "m002_model_registry")
    _apply(db, "m002_model_registry")
    db.execute("INSERT INTO models (work_id, name, path, format, added_at) VALUES ('w1', 'm', '/x', 'diffusers', 'n')")
    with pytest.raises(ConstraintViolation):  # names are unique
        db.execute("INSERT INTO models (work_id, name, path, format, added_at) VALUES ('w1', 'm', '/y', 'x', 'n')")


def test_m003_publications_allows_one_live_publication_per_network(make_db) -> None:
    db = _migrated_until(make_db, "m003_publications")
    _apply(db, "m003_publications")
    insert = (
        "INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
        "VALUES ('w1', 'devnet', 1315, ?, 'n', 'n')"
    )
    db.execute(insert, ("failed",))
    db.execute(insert, ("sent",))
    with pytest.raises(ConstraintViolation):  # never sent twice
        db.execute(insert, ("draft",))
    with pytest.raises(ConstraintViolation):  # a work with a publication cannot vanish
        db.execute("DELETE FROM works WHERE id = 'w1'")


def test_m004_trash_keeps_existing_works_live(make_db) -> None:
    db = _migrated_until(make_db, "m004_trash")
    _apply(db, "m004_trash")
    assert db.one("SELECT deleted_at FROM works WHERE id = 'w1'")[0] is None


def test_m005_credentials(make_db) -> None:
    db = _migrated_until(make_db, "m005_credentials")
    _apply(db, "m005_credentials")
    db.execute("INSERT INTO credentials (work_id, state, checked_at) VALUES ('w1', 'trusted', 'n')")
    db.execute("DELETE FROM works WHERE id = 'w1'")
    assert db.one("SELECT count(*) FROM credentials")[0] == 0


def test_m006_reviews(make_db) -> None:
    db = _migrated_until(make_db, "m006_reviews")
    _apply(db, "m006_reviews")
    db.execute(
        "INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, decided_at) "
        "VALUES ('w1', 'approved', 'Rae', 'r', 'l', 'n')"
    )
    with pytest.raises(ConstraintViolation):
        db.execute(
            "INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, decided_at) "
            "VALUES ('w1', 'maybe', 'Rae', 'r', 'l', 'n')"
        )
    db.execute("INSERT INTO settings (key, value) VALUES ('require_approval', 'true')")


def test_m007_publication_nonces_are_never_reused(make_db) -> None:
    db = _migrated_until(make_db, "m007_publication_nonces")
    db.execute(
        "INSERT INTO publications (work_id, network, chain_id, state, wallet, created_at, updated_at) "
        "VALUES ('w1', 'devnet', 1315, 'failed', '0xabc', 'n', 'n')"
    )
    _apply(db, "m007_publication_nonces")
    assert db.one("SELECT nonce, raw_tx FROM publications")[:] == (None, None)
    insert = (
        "INSERT INTO publications (work_id, network, chain_id, state, wallet, nonce, raw_tx, created_at, "
        "updated_at) VALUES ('w1', ?, 1315, 'failed', '0xabc', 7, '0x02', 'n', 'n')"
    )
    db.execute(insert, ("devnet",))
    db.execute(insert, ("aeneid",))  # the same nonce on another network is another transaction
    with pytest.raises(ConstraintViolation):
        db.execute(insert, ("devnet",))
