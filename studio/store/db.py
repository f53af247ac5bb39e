"""The library's database, on either engine: SQLite (a local library, one file) or PostgreSQL (a team library).

Record classes write one portable SQL text for both: `?` and `:name` placeholders, `ON CONFLICT ... DO NOTHING`
and `DO UPDATE SET x = excluded.x` upserts, `RETURNING` for new ids, SQLite's column types in DDL (INTEGER, REAL,
TEXT, `INTEGER PRIMARY KEY` for an id the database assigns, `WITHOUT ROWID`). What still differs between the
engines is named by the `Database` itself (`engine`, `json_field`), and PostgreSQL's `Database` translates the
rest (placeholders, column types) in `studio.store.postgres`, the one module that imports its driver.

Transactions nest on both: the outermost `atomic()` is a transaction, an inner one a SAVEPOINT, and an exception
rolls back to where it started.
"""

from __future__ import annotations

import itertools
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from studio.errors import LibraryError
from studio.store.disk_space import disk_space_checked

BUSY_TIMEOUT_MS = 10_000

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class ConstraintViolation(Exception):
    """A statement refused by a constraint of the schema (unique, foreign key, check, not null), on either engine.
    The statement changed nothing; an open transaction stays usable."""


@dataclass(frozen=True)
class Change:
    """A row another connection changed in a team library, as announced by the server when it committed:
    the table, the row's id, the work it belongs to, and insert, update or delete. `resync` (no table) says that
    announcements may have been missed (the connection dropped and came back): re-read what is shown."""

    table: str
    id: str
    work_id: str | None
    kind: str

    RESYNC = "resync"
    LISTENING = "listening"

    @property
    def is_resync(self) -> bool:
        return self.kind == self.RESYNC


class ChangeFeed(Protocol):
    """A team library's announced changes, read on a thread of its own until `stop()`."""

    def changes(self) -> Iterator[Change]: ...

    def stop(self) -> None: ...


class Row(Protocol):
    """A result row: by position or by column name (sqlite3.Row, or PostgreSQL's rows in the same shape)."""

    def __getitem__(self, key: int | str | slice) -> Any: ...

    def keys(self) -> list[str]: ...


class Result(Protocol):
    """What `execute` returns: its rows (for `RETURNING` and queries) and how many rows it changed."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Database(ABC):
    """What every record class needs from a library database, whichever engine holds it."""

    engine: str
    readonly: bool = False
    path: Path | None = None

    @abstractmethod
    def atomic(self) -> AbstractContextManager[Database]:
        """A transaction (a savepoint when nested) as a context manager."""

    @abstractmethod
    def execute(self, sql: str, params: Any = ()) -> Result:
        ...

    @abstractmethod
    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        ...

    def query(self, sql: str, params: Any = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> Any:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def change_feed(self) -> ChangeFeed | None:
        """The changes other connections commit, as they commit (a team library); None where only this process
        writes (a local library)."""
        return None

    @abstractmethod
    def table_names(self) -> list[str]:
        ...

    @abstractmethod
    def column_names(self, table: str) -> list[str]:
        ...

    @abstractmethod
    def json_field(self, column: str, key: str) -> str:
        """An SQL expression: the text of `key` in the JSON object held as text in `column`."""

    @abstractmethod
    def lock_schema(self) -> None:
        """Inside a transaction: wait until no other connection changes the schema (migrations from two machines
        at once)."""

    @abstractmethod
    def integrity_check(self) -> str:
        ...

    @abstractmethod
    def enable_wal(self) -> None:
        """SQLite's write-ahead log (a server keeps its own)."""

    @abstractmethod
    def close(self) -> None:
        ...


class StudioConnection(sqlite3.Connection):
    """A connection whose `with conn:` blocks join an open `Database.atomic()` instead of committing it.

    sqlite3's `with conn:` commits on exit; inside our own transaction that would commit half of a logical
    change, so the context manager defers to the outer transaction.
    """

    atomic_depth = 0

    def __enter__(self) -> StudioConnection:
        if self.atomic_depth:
            return self
        return super().__enter__()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if self.atomic_depth:
            return False
        return bool(super().__exit__(exc_type, exc, tb))


class SqliteDatabase(Database):
    """A local library's database: one SQLite connection.

    `atomic()` opens `BEGIN IMMEDIATE` at the outermost level (so writers queue on the busy timeout rather
    than fail on lock upgrade) and a SAVEPOINT when nested; an exception rolls back to where it started.
    """

    engine = SQLITE

    def __init__(self, path: Path | str, *, readonly: bool = False, immutable: bool = False) -> None:
        """`readonly` opens without write access; `immutable` also tells SQLite that nobody changes the file, so it
        reads it without journal or shared-memory files (the only way to read a WAL database on read-only media)."""
        self.path = Path(path) if path != ":memory:" else None
        self.readonly = readonly or immutable
        uri = str(path)
        if self.readonly:
            uri = Path(path).resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
        self.conn: StudioConnection = sqlite3.connect(  # type: ignore[assignment]
            uri,
            uri=self.readonly,
            factory=StudioConnection,
            isolation_level=None,
            check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self._savepoints = itertools.count()

    def enable_wal(self) -> None:
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "wal":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # WAL + NORMAL stays consistent after a crash; only the last commits may be lost on power failure.
        self.conn.execute("PRAGMA synchronous = NORMAL")

    def _read_only(self) -> LibraryError:
        folder = self.path.parent if self.path else Path(":memory:")
        return LibraryError(
            f"the library {folder} is read-only and this needs to change it",
            hint="copy the library folder somewhere writable, or make it writable, and try again",
        )

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @contextmanager
    def atomic(self) -> Iterator[SqliteDatabase]:
        """A transaction (a savepoint when nested); a full disk during it or at its commit is DiskFull, with the
        transaction rolled back."""
        if self.readonly:
            raise self._read_only()
        with disk_space_checked(self.folder), self._transaction():
            yield self

    @contextmanager
    def _transaction(self) -> Iterator[StudioConnection]:
        conn = self.conn
        if conn.atomic_depth == 0:
            conn.execute("BEGIN IMMEDIATE")
            conn.atomic_depth = 1
            try:
                yield conn
            except BaseException:
                conn.atomic_depth = 0
                if conn.in_transaction:  # SQLite ends it on its own after some failures (a full disk)
                    conn.execute("ROLLBACK")
                raise
            conn.atomic_depth = 0
            try:
                conn.execute("COMMIT")
            except BaseException:
                # A COMMIT that failed (a full disk) may leave the transaction open: end it, nothing half-saved.
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return
        name = f"sp_{next(self._savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        conn.atomic_depth += 1
        try:
            yield conn
        except BaseException:
            conn.atomic_depth -= 1
            if conn.in_transaction:  # else SQLite already rolled back the whole transaction (a full disk)
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            raise
        conn.atomic_depth -= 1
        conn.execute(f"RELEASE {name}")

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            with disk_space_checked(self.folder):
                return self.conn.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise ConstraintViolation(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            if self.readonly and "readonly" in str(exc):
                raise self._read_only() from None
            raise

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with disk_space_checked(self.folder):
                self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise ConstraintViolation(str(exc)) from exc

    def query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        # fetchall also finishes an `INSERT ... RETURNING`, which SQLite completes only when its rows are read.
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Any = ()) -> sqlite3.Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def table_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]

    def column_names(self, table: str) -> list[str]:
        return [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]

    def json_field(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}')"

    def lock_schema(self) -> None:
        """Nothing to wait for: the transaction's `BEGIN IMMEDIATE` already holds SQLite's only write lock."""

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self.conn.close()
