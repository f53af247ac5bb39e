"""A bounded local folder of verified copies of remote files: `ab/abcdef…`, named by their sha256.

Only bytes already checked against their hash are committed, by an atomic rename of a temporary, so no reader
ever sees a half-written copy. A copy is hashed again on every hit, and one that no longer matches (damaged by a
power loss before the disk caught up, or by hand) is dropped and fetched anew: the cache is never trusted, so
its writes need no fsync, which would cost more than the upload of a small file. Each hit touches the file's
modification time, and when the folder grows past its size limit the least recently used copies are removed
first. Several processes may share the folder: commits are renames, and a temporary carries its writer's
process id, so the next opener removes only those whose writer is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from studio.core.processes import pid_alive
from studio.errors import LibraryError
from studio.store.disk_space import disk_space_checked
from studio.store.file_store import checked_sha256

log = logging.getLogger(__name__)
_TMP_PREFIX = ".tmp-"


class VerifiedFileCache:
    def __init__(self, folder: Path, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError("a cache needs room for at least one byte")
        self.folder = folder
        self.max_bytes = max_bytes
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not os.access(self.folder, os.W_OK | os.X_OK):
                raise PermissionError(f"no write permission on {self.folder}")
        except OSError as exc:
            raise LibraryError(
                f"the cache folder {self.folder} cannot be used ({exc.strerror or exc})",
                hint="make it writable for you, or choose another cache folder",
            ) from None
        self._remove_abandoned_temporaries()
        self._size = sum(size for _, size, _ in self._entries())
        self._folders: set[Path] = set()

    def path(self, sha256: str) -> Path:
        checked_sha256(sha256)
        return self.folder / sha256[:2] / sha256

    def get(self, sha256: str) -> Path | None:
        """The cached copy's path, checked and marked as just used; None when it is not cached (or was damaged,
        and is now removed)."""
        path = self.path(sha256)
        try:
            os.utime(path)
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            return None
        if digest != sha256:
            log.warning("dropped the damaged cached copy %s", path)
            path.unlink(missing_ok=True)
            return None
        return path

    def read(self, sha256: str) -> bytes | None:
        """The cached copy's bytes, checked and marked as just used; None as for `get`."""
        path = self.path(sha256)
        try:
            os.utime(path)
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha256(data).hexdigest() != sha256:
            log.warning("dropped the damaged cached copy %s", path)
            path.unlink(missing_ok=True)
            return None
        return data

    @contextlib.contextmanager
    def temporary(self) -> Iterator[tuple[Path, BinaryIO]]:
        """A temporary file in the cache folder (same disk, so committing it is a rename); removed unless
        committed."""
        tmp = self.folder / f"{_TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}"
        try:
            with disk_space_checked(self.folder), tmp.open("wb") as handle:  # a full disk: DiskFull, one line
                yield tmp, handle
        finally:
            tmp.unlink(missing_ok=True)

    def commit(self, tmp: Path, handle: BinaryIO, sha256: str) -> Path:
        """Move a temporary whose bytes were verified against `sha256` into the cache; returns its path."""
        handle.flush()
        target = self.path(sha256)
        if target.parent not in self._folders:  # a mkdir per file costs as much as hashing it
            target.parent.mkdir(exist_ok=True)
            self._folders.add(target.parent)
        size = os.fstat(handle.fileno()).st_size
        existed = target.exists()
        os.replace(tmp, target)
        if not existed:
            self._size += size
        if self._size > self.max_bytes:
            self.evict(keep=target)
        return target

    def evict(self, keep: Path | None = None) -> int:
        """Remove least recently used copies until the cache holds at most 90% of its limit (so the folder is not
        scanned again at the very next commit); returns how many were removed."""
        entries = sorted(self._entries(), key=lambda entry: entry[2])
        total = sum(size for _, size, _ in entries)
        goal = self.max_bytes * 9 // 10
        removed = 0
        for path, size, _ in entries:
            if total <= goal:
                break
            if path == keep:
                continue
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        self._size = total
        return removed

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def _entries(self) -> list[tuple[Path, int, float]]:
        found = []
        for path in self.folder.glob("??/*"):
            with contextlib.suppress(FileNotFoundError):  # another process evicted it meanwhile
                stat = path.stat()
                found.append((path, stat.st_size, stat.st_mtime))
        return found

    def _remove_abandoned_temporaries(self) -> None:
        for tmp in self.folder.glob(f"{_TMP_PREFIX}*"):
            pid = tmp.name[len(_TMP_PREFIX):].partition("-")[0]
            if not pid.isdigit() or not pid_alive(int(pid)):
                tmp.unlink(missing_ok=True)


