"""A full disk, recognised wherever the library writes: one error that says where and how much room is needed.

A full disk reaches the store in several disguises: `OSError` ENOSPC (or EDQUOT) from a file write, SQLite's
SQLITE_FULL ("database or disk is full"), and, when SQLite cannot grow its write-ahead log or shared-memory
file, a plain "disk I/O error". The last one is read as a full disk only when the disk really is nearly full;
otherwise it stays what it was. Nothing was damaged in any of these cases (the file write or the transaction
is undone), so the advice is to make room, never to restore the library from a backup.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from studio.errors import LibraryError

# Room SQLite needs beside the bytes being written: its write-ahead log, shared memory and checkpoints.
DATABASE_HEADROOM = 1024 * 1024
# Below this much free space an SQLite "disk I/O error" is taken for a full disk.
LOW_SPACE = 4 * 1024 * 1024
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_SQLITE_FULL = 13
_SQLITE_IOERR = 10


class DiskFull(LibraryError):
    """The disk holding the library (or a file the studio writes) has no room left; nothing was changed."""

    def __init__(self, folder: Path, free: int | None, needed: int) -> None:
        free_text = "unknown space" if free is None else f"{human_size(free)}"
        super().__init__(
            f"the disk holding {folder} is full ({free_text} free, about {human_size(needed)} needed)",
            hint="free up that much space on it, or move the library folder to a larger disk, and try again; "
            "nothing was saved by this command and everything saved before is intact",
        )
        self.folder = folder
        self.free = free
        self.needed = needed


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def free_space(folder: Path) -> int | None:
    """Bytes an unprivileged writer may still use on the disk holding `folder` (its nearest existing parent)."""
    path = Path(folder)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        stat = os.statvfs(path)
    except OSError:
        try:
            return shutil.disk_usage(path).free
        except OSError:
            return None
    return stat.f_bavail * stat.f_frsize


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_disk_full(exc: BaseException, folder: Path) -> bool:
    """Whether `exc` means that the disk holding `folder` is full."""
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return True
    if not isinstance(exc, sqlite3.Error):
        return False
    text = str(exc).lower()
    if _sqlite_code(exc) == _SQLITE_FULL or "database or disk is full" in text:
        return True
    if _sqlite_code(exc) == _SQLITE_IOERR or "disk i/o error" in text:
        free = free_space(folder)
        return free is not None and free < LOW_SPACE
    return False


def disk_full_error(exc: BaseException, folder: Path, needed: int = 0) -> DiskFull | None:
    """The DiskFull that `exc` stands for, or None when it is another failure."""
    if isinstance(exc, DiskFull):
        return exc
    if not is_disk_full(exc, folder):
        return None
    return DiskFull(Path(folder), free_space(folder), needed + DATABASE_HEADROOM)


@contextmanager
def disk_space_checked(folder: Path, needed: int = 0) -> Iterator[None]:
    """Turn a full-disk failure inside the block into DiskFull (`needed`: the bytes the block writes). The
    outermost block names the folder: the library rather than the store's subfolder a file was going to."""
    try:
        yield
    except DiskFull as exc:
        raise DiskFull(Path(folder), exc.free, max(exc.needed, needed + DATABASE_HEADROOM)) from None
    except (OSError, sqlite3.Error) as exc:
        full = disk_full_error(exc, folder, needed)
        if full is None:
            raise
        raise full from None
