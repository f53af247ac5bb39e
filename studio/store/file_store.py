"""What a library needs from the place that keeps its content-addressed files, wherever that is.

A file is named by the sha256 of its bytes, so a name can always be checked against what it names: every read
is verified, and bytes that do not hash to their name are refused, never handed on. Two places keep files:
`LocalFileStore` (a folder beside the library's database, `studio.store.files`) and `S3FileStore` (any
S3-compatible bucket, with a local cache of verified copies, `studio.store.s3`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from studio.errors import InvalidInput, LibraryError, NotFound

_SHA256 = re.compile(r"[0-9a-f]{64}")


class FileStore(Protocol):
    def put_bytes(self, data: bytes, ext: str) -> str:
        """Keep `data`; returns its sha256. Idempotent: the same bytes twice are kept once."""
        ...

    def put_path(self, path: Path, ext: str) -> str:
        """Keep the file at `path` (read once, hashed while it is copied); returns its sha256."""
        ...

    def exists(self, sha256: str) -> bool:
        """Whether the store holds a file under this hash (not whether that file is sound: reads check that)."""
        ...

    def read(self, sha256: str) -> bytes:
        """The file's bytes, verified against the hash; StoredFileCorrupt when they do not match."""
        ...

    def local_path(self, sha256: str) -> Path:
        """A local path to a verified copy of the file (for thumbnails and generation); read it soon."""
        ...


class StoredFileMissing(NotFound):
    """No file is kept under the hash asked for."""


class StoredFileCorrupt(LibraryError):
    """The bytes kept under a hash do not hash to it: changed or truncated where they are kept."""


class FileStoreUnavailable(LibraryError):
    """The place the files are kept cannot be used right now (refused, unreachable, too slow, missing)."""


def checked_sha256(sha256: str) -> str:
    """`sha256` when it is 64 lowercase hex digits (a name that can never leave the store's folder or key space)."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise InvalidInput(f"{str(sha256)[:80]!r} is not a file hash", hint="give the 64 hex digits of a sha256")
    return sha256


def checked_ext(ext: str) -> str:
    """A file extension as the store may use it in a name: 1 to 8 lowercase letters or digits."""
    if not isinstance(ext, str) or not re.fullmatch(r"[a-z0-9]{1,8}", ext):
        raise InvalidInput(f"{str(ext)[:20]!r} is not a file extension", hint="give e.g. png")
    return ext
