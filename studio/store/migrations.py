"""Named schema migrations, applied in order, each recorded in the same transaction as its changes.

A database that records a migration this version does not know was written by a newer Remix Studio: it is
refused untouched. Before any pending migration runs on an existing database, a backup copy is taken next to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studio.errors import LibraryError
from studio.store.db import Database

MIGRATIONS_TABLE = "_migrations"


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Database], None]


def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE works (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'model', 'lora')),
            sha256 TEXT NOT NULL UNIQUE,
            phash TEXT,
            file_path TEXT,
            location TEXT,
            format TEXT,
            width INTEGER,
            height INTEGER,
            size_bytes INTEGER,
            title TEXT NOT NULL,
            creator TEXT,
            description TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('imported', 'generated', 'builtin')),
            license_id TEXT NOT NULL,
            rev_share INTEGER,
            rev_share_override INTEGER,
            minting_fee TEXT,
            royalty_policy TEXT CHECK (royalty_policy IN ('lap', 'lrp') OR royalty_policy IS NULL),
            recipe TEXT,
            flags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX works_kind_created ON works (kind, created_at)")
    db.execute("CREATE INDEX works_license ON works (license_id)")
    db.execute(
        """
        CREATE TABLE edges (
            child_id TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
            parent_id TEXT NOT NULL REFERENCES works (id) ON DELETE RESTRICT,
            relation TEXT NOT NULL CHECK (relation IN
                ('remix_of', 'inpaint_of', 'composite_of', 'generated_with', 'styled_with')),
            position INTEGER NOT NULL DEFAULT 0,
            weight REAL,
            PRIMARY KEY (child_id, parent_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX edges_parent ON edges (parent_id, child_id)")


MIGRATIONS: tuple[Migration, ...] = (Migration("m001_initial", m001_initial),)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def applied(db: Database) -> list[str]:
    if MIGRATIONS_TABLE not in db.table_names():
        return []
    return [row[0] for row in db.query(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]


def pending(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[Migration]:
    done = set(applied(db))
    return [m for m in migrations if m.name not in done]


def check_not_newer(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
    known = {m.name for m in migrations}
    unknown = [name for name in applied(db) if name not in known]
    if unknown:
        raise LibraryError(
            f"this library was written by a newer version of Remix Studio (it has schema step {unknown[-1]!r})",
            hint="update Remix Studio to open it; the library was not modified",
        )


def backup(db: Database, before: str) -> Path | None:
    if db.path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = db.path.with_name(f"{db.path.name}.backup-{stamp}-before-{before}")
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply pending migrations; returns their names. Raises LibraryError for a newer database."""
    check_not_newer(db, migrations)
    todo = pending(db, migrations)
    if not todo:
        return []
    if applied(db):
        backup(db, todo[0].name)
    with db.atomic():
        db.execute(f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for migration in todo:
        with db.atomic():
            migration.apply(db)
            db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)", (migration.name, _now()))
            db.execute(f"PRAGMA user_version = {len(applied(db))}")
    return [m.name for m in todo]
