"""Both kinds of file store under one face, so the same contract tests run against each: the library's local
folder and an S3 bucket on the session's real SeaweedFS server.

`Backend.other()` is the same stored files seen from another machine (for S3: its own, empty cache);
`tamper()` and `stored()` reach the storage behind the store's back, as a damaged disk or a server would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.secrets import Secret
from studio.store.file_store import FileStore
from studio.store.files import LocalFileStore
from studio.store.s3 import S3FileStore, S3Limits
from studio.store.s3_location import S3Credentials, S3Location
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, WeedServer


@dataclass
class Backend:
    name: str
    store: FileStore
    other: Callable[[], FileStore]
    tamper: Callable[[str, bytes], None]
    stored: Callable[[], list[str]]


def local_backend(root: Path) -> Backend:
    store = LocalFileStore(root)

    def tamper(sha256: str, data: bytes) -> None:
        (path,) = (root / "files" / sha256[:2]).glob(f"{sha256[2:]}.*")
        path.write_bytes(data)

    return Backend("local", store, lambda: LocalFileStore(root), tamper, lambda: sorted(store.stored_hashes()))


def s3_store(endpoint: str, bucket: str, cache: Path, **limits) -> S3FileStore:
    return S3FileStore(S3Location.parse(endpoint, bucket), S3Credentials(ACCESS_KEY, Secret(SECRET_KEY)), cache,
                       S3Limits(**limits))


def s3_backend(server: WeedServer, bucket: str, tmp: Path) -> Backend:
    caches = iter(range(1000))
    store = s3_store(server.endpoint, bucket, tmp / "cache-0")
    client = server.client()

    def tamper(sha256: str, data: bytes) -> None:
        client.put_object(Bucket=bucket, Key=store.key(sha256), Body=data)

    def stored() -> list[str]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"].rsplit("/", 1)[-1] for page in pages for item in page.get("Contents", []))

    return Backend("s3", store, lambda: s3_store(server.endpoint, bucket, tmp / f"cache-{next(caches) + 1}"),
                   tamper, stored)
