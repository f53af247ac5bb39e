"""Libraries on read-only media (a mounted archive, a write-protected share, a folder without write permission).

Such a library opens for reading: its database is read in place without journal files (SQLite's `immutable`
mode when no write-ahead log is left beside it), its lock is taken on a read-only descriptor, nothing is swept or
migrated, and every attempt to change it ends in one line saying the library is read-only.
"""

from __future__ import annotations

import os
from pathlib import Path

from studio.errors import LibraryError

LOCK_NAME = "library.lock"


def is_read_only(root: Path, db_path: Path) -> bool:
    """True when this process cannot write the library folder or its database (permissions or a read-only mount)."""
    if not os.access(root, os.W_OK):
        return True
    return db_path.exists() and not os.access(db_path, os.W_OK)


def read_only_error(root: Path) -> LibraryError:
    return LibraryError(
        f"the library {root} is read-only and this needs to change it",
        hint="copy the library folder somewhere writable, or make it writable, and try again",
    )


def open_lock(root: Path, readonly: bool) -> int:
    """The descriptor every opener holds a lock on; -1 on read-only media that has none (nobody can write there)."""
    path = root / LOCK_NAME
    if not readonly:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        return os.open(path, os.O_RDONLY)  # flock needs no write access
    except FileNotFoundError:
        return -1
    except PermissionError as exc:
        raise LibraryError(f"cannot read the library lock {path}: {exc.strerror}") from None


def has_write_ahead_log(db_path: Path) -> bool:
    """Whether commits may still sit in the WAL beside the database (it must then be read through it)."""
    wal = db_path.with_name(db_path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0
