"""Content-addressed file store: `files/ab/cdef….ext`, named by the sha256 of the bytes.

A file is written to a temporary name, fsynced, renamed into place and its folder fsynced before any row
refers to it. A `pending/<sha256>` marker is created first and removed once the rows are committed, so that
after a process crash the next exclusive opener finds the few files that may have no row without scanning the
store. The marker is not fsynced: after a power loss it may be gone, leaving at worst an unreferenced file,
which `Library.full_sweep()` (`studio doctor`) removes.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from studio.store.disk_space import disk_space_checked
from studio.store.file_store import StoredFileCorrupt, StoredFileMissing, checked_ext, checked_sha256
from studio.store.readonly import read_only_error

CHUNK = 1 << 20
# Folders of a library that hold files written with `write_atomic` (the local IPFS store, exports, thumbnails).
TEMP_FOLDERS = ("files", "pending", "thumbs", "ipfs", "exports")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder (so the renames in it), to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to `target` so that `target` is either absent or complete, even after a crash.

    A full disk raises DiskFull and leaves no partial temporary behind."""
    with disk_space_checked(target.parent, len(data)):
        target.parent.mkdir(parents=True, exist_ok=True)
        # Unique per writer: two threads writing the same content must not share (and rename away) one temporary.
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
        try:
            with tmp.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_path(target.parent)


class LocalFileStore:
    """The library's own folder of files: `files/ab/cdef….ext`; implements `studio.store.file_store.FileStore`."""

    def __init__(self, root: Path, *, readonly: bool = False) -> None:
        self.root = root
        self.files = root / "files"
        self.pending = root / "pending"
        self.readonly = readonly

    def relative_path(self, sha256: str, ext: str) -> str:
        return f"files/{sha256[:2]}/{sha256[2:]}.{ext}"

    def absolute(self, relative: str) -> Path:
        return self.root / relative

    def mark_pending(self, sha256: str) -> None:
        if self.readonly:
            raise read_only_error(self.root)
        with disk_space_checked(self.root):
            self.pending.mkdir(parents=True, exist_ok=True)
            (self.pending / sha256).touch()

    def clear_pending(self, sha256: str) -> None:
        (self.pending / sha256).unlink(missing_ok=True)

    def put(self, data: bytes, sha256: str, ext: str) -> str:
        """Store bytes under their hash; returns the path relative to the library root. Idempotent."""
        relative = self.relative_path(sha256, ext)
        target = self.absolute(relative)
        if not target.exists() or target.stat().st_size != len(data):
            with disk_space_checked(self.root, len(data)):
                write_atomic(target, data)
        return relative

    # The `FileStore` side, shared with S3FileStore: files named by hash alone, every read verified.

    def put_bytes(self, data: bytes, ext: str) -> str:
        """Keep `data`; a file already kept under its hash is checked, and rewritten when it was damaged."""
        sha256 = sha256_bytes(data)
        target = self.absolute(self.relative_path(sha256, checked_ext(ext)))
        if not target.exists() or sha256_file(target) != sha256:
            with disk_space_checked(self.root, len(data)):
                write_atomic(target, data)
        return sha256

    def put_path(self, path: Path, ext: str) -> str:
        """Copy the file in while hashing it, so what is kept is exactly what was hashed, even if the source
        changes meanwhile."""
        checked_ext(ext)
        self.files.mkdir(parents=True, exist_ok=True)
        tmp = self.files / f".{uuid.uuid4().hex}.{os.getpid()}.tmp"
        digest = hashlib.sha256()
        try:
            with disk_space_checked(self.root, path.stat().st_size), path.open("rb") as src, tmp.open("wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.absolute(self.relative_path(sha256, ext))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        fsync_path(target.parent)
        return sha256

    def exists(self, sha256: str) -> bool:
        return self._stored(checked_sha256(sha256)) is not None

    def read(self, sha256: str) -> bytes:
        path = self._found(sha256)
        data = path.read_bytes()
        if sha256_bytes(data) != sha256:
            raise _corrupt(path)
        return data

    def local_path(self, sha256: str) -> Path:
        path = self._found(sha256)
        if sha256_file(path) != sha256:
            raise _corrupt(path)
        return path

    def _stored(self, sha256: str) -> Path | None:
        return next(iter(sorted((self.files / sha256[:2]).glob(f"{sha256[2:]}.*"))), None)

    def _found(self, sha256: str) -> Path:
        path = self._stored(checked_sha256(sha256))
        if path is None:
            raise StoredFileMissing(f"the library holds no file {sha256[:12]}…",
                                    hint="it was never added here, or was removed; add it again")
        return path

    def pending_hashes(self) -> list[str]:
        if not self.pending.is_dir():
            return []
        return [p.name for p in self.pending.iterdir() if not p.name.startswith(".")]

    def remove_hash(self, sha256: str) -> int:
        folder = self.files / sha256[:2]
        removed = 0
        if folder.is_dir():
            for path in folder.glob(f"{sha256[2:]}.*"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def stored_hashes(self) -> dict[str, list[Path]]:
        """Every stored file by hash (a full scan of the store)."""
        found: dict[str, list[Path]] = {}
        if self.files.is_dir():
            for path in self.files.glob("??/*.*"):
                if not path.name.startswith("."):
                    found.setdefault(path.parent.name + path.name.split(".")[0], []).append(path)
        return found

    def temp_files(self) -> list[Path]:
        """Half-written files a crash left (`write_atomic`'s temporaries) in the store and its side folders."""
        found: list[Path] = []
        for name in TEMP_FOLDERS:
            base = self.root / name
            if base.is_dir():
                found.extend(p for p in base.rglob("*.tmp") if p.is_file())
        return found

    def has_stored_files(self) -> bool:
        return self.files.is_dir() and any(p.is_file() for p in self.files.glob("??/*"))


def _corrupt(path: Path) -> StoredFileCorrupt:
    return StoredFileCorrupt(
        f"the stored file {path} does not match its hash: it was changed or damaged on disk",
        hint="restore it from a backup, or run `studio doctor` to find every such file",
    )
