"""studio.store.db: PRAGMAs (SQLite), and transactions that nest on both engines."""

from __future__ import annotations

import pytest

from studio.store.db import Database, SqliteDatabase


@pytest.fixture
def sqlite_db(tmp_path):
    database = SqliteDatabase(tmp_path / "t.db")
    database.enable_wal()
    database.execute("CREATE TABLE t (x INTEGER)")
    yield database
    database.close()


@pytest.fixture
def db(make_db):
    database = make_db("t")
    database.enable_wal()
    database.execute("CREATE TABLE t (x INTEGER)")
    return database


def test_pragmas_are_set(sqlite_db: SqliteDatabase) -> None:
    db = sqlite_db
    assert db.one("PRAGMA foreign_keys")[0] == 1
    assert db.one("PRAGMA journal_mode")[0] == "wal"
    assert db.one("PRAGMA busy_timeout")[0] >= 5000


def test_atomic_commits_and_rolls_back(db: Database) -> None:
    with db.atomic():
        db.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError), db.atomic():
        db.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("boom")
    assert [r[0] for r in db.query("SELECT x FROM t")] == [1]


def test_nested_atomic_rolls_back_only_the_inner_part(db: Database) -> None:
    with db.atomic():
        db.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), db.atomic():
            db.execute("INSERT INTO t VALUES (2)")
            raise ValueError
        db.execute("INSERT INTO t VALUES (3)")
    assert sorted(r[0] for r in db.query("SELECT x FROM t")) == [1, 3]


def test_with_conn_blocks_join_the_open_transaction(sqlite_db: SqliteDatabase) -> None:
    """sqlite3's `with conn:` commits on exit; inside atomic() that must not end our transaction."""
    db = sqlite_db
    with pytest.raises(RuntimeError), db.atomic():
        with db.conn:
            db.conn.execute("INSERT INTO t VALUES (5)")
        with db.conn:
            db.conn.execute("INSERT INTO t VALUES (6)")
        raise RuntimeError
    assert db.query("SELECT x FROM t") == []
    with db.conn:
        db.conn.execute("INSERT INTO t VALUES (7)")
    assert [r[0] for r in db.query("SELECT x FROM t")] == [7]


def test_table_names_are_the_tables_only(sqlite_db: SqliteDatabase) -> None:
    db = sqlite_db
    db.execute("CREATE INDEX t_x ON t (x)")
    db.execute("CREATE VIEW v AS SELECT x FROM t")
    db.execute("CREATE TABLE s (id INTEGER PRIMARY KEY AUTOINCREMENT)")
    assert sorted(db.table_names()) == ["s", "sqlite_sequence", "t"]
