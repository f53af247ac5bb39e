"""Where a team library keeps its files: the bucket it records, and this machine's verified copies of them.

A team library names its bucket in its own settings table (endpoint, bucket, region and folder; never a key),
so every member's machine finds the same bucket; the access key stays in each member's OS keyring
(`studio.store.s3_location`). Every file is uploaded to the bucket before any row refers to it and is read back
through the bucket's hash check into this machine's folder for the team library, where thumbnails and
generation read it as they read a local library's files.

A team library with no bucket recorded keeps its files in that folder of this machine only (how it worked
before, and what a single machine trying a team library out needs); a file another machine added is then missing
here, and reading it says in one line how to give the library a bucket.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from studio.errors import InvalidInput, LibraryError
from studio.secrets import SecretStore
from studio.store.file_store import StoredFileMissing
from studio.store.files import LocalFileStore, sha256_file
from studio.store.s3 import S3FileStore
from studio.store.s3_location import S3Location, s3_credentials
from studio.store.settings import SettingRecords

BUCKET_ENDPOINT = "team.files.endpoint"
BUCKET_NAME = "team.files.bucket"
BUCKET_REGION = "team.files.region"
BUCKET_PREFIX = "team.files.prefix"
CACHE_FOLDER = "bucket-cache"
_PROBE = "0" * 64  # a key no file has: asking for it checks the bucket and the key without reading a file
_STORED = re.compile(r"files/([0-9a-f]{2})/([0-9a-f]{62})\.[a-z0-9]{1,8}")


def recorded_bucket(settings: SettingRecords) -> S3Location | None:
    """The bucket a team library records, checked as when it was typed; None when it records none."""
    endpoint, bucket = settings.get(BUCKET_ENDPOINT), settings.get(BUCKET_NAME)
    if not endpoint or not bucket:
        return None
    return S3Location.parse(endpoint, bucket, region=settings.get(BUCKET_REGION) or "us-east-1",
                            prefix=settings.get(BUCKET_PREFIX) or "")


def record_bucket(settings: SettingRecords, location: S3Location) -> None:
    settings.set_many({BUCKET_ENDPOINT: location.endpoint, BUCKET_NAME: location.bucket,
                       BUCKET_REGION: location.region, BUCKET_PREFIX: location.prefix or None})


def recorded_team_files(settings: SettingRecords, local: LocalFileStore,
                        secrets: SecretStore | None) -> TeamFiles | None:
    """The team library's files as its settings record them; None when they record no bucket. A recorded bucket
    this Remix Studio cannot use (written by hand, or by a hostile server) does not stop the library opening:
    reading or writing a file says so in one line, and no request goes anywhere."""
    try:
        location = recorded_bucket(settings)
    except InvalidInput as exc:
        return TeamFiles(None, local, secrets, problem=LibraryError(
            f"the bucket the team library records for its files cannot be used: {exc.message}",
            hint="an admin records it again with `studio library bucket`"))
    return TeamFiles(location, local, secrets) if location is not None else None


def no_bucket_error(library_label: str = "") -> LibraryError:
    named = f"the team library {library_label}" if library_label else "this team library"
    return LibraryError(
        f"{named} records no bucket for its files",
        hint="give it one with `studio library bucket TEAM ENDPOINT BUCKET` (the access key goes to the OS keyring)",
    )


def sha256_of_stored(relative: str) -> str | None:
    """The hash a stored file's relative path (`files/ab/cdef….ext`) names; None for any other path."""
    match = _STORED.fullmatch(relative)
    return match.group(1) + match.group(2) if match else None


class TeamFiles:
    """A team library's bucket, opened on first use (so a library that only lists works needs no keyring), and
    the folder of this machine where its files are read from."""

    def __init__(self, location: S3Location | None, local: LocalFileStore, secrets: SecretStore | None, *,
                 problem: LibraryError | None = None) -> None:
        self.location = location
        self.local = local
        self._secrets = secrets
        self._problem = problem
        self._bucket: S3FileStore | None = None

    @property
    def bucket(self) -> S3FileStore:
        if self._problem is not None or self.location is None:
            raise self._problem or no_bucket_error()
        if self._bucket is None:
            secrets = self._secrets if self._secrets is not None else SecretStore()
            self._bucket = S3FileStore(self.location, s3_credentials(secrets, self.location),
                                       self.local.root / CACHE_FOLDER)
        return self._bucket

    def check(self) -> None:
        """The bucket exists and the key in the keyring opens it, or one line that says which is wrong."""
        self.bucket.exists(_PROBE)

    def upload(self, data: bytes, ext: str) -> str:
        """Put the bytes in the bucket (before any row names them); returns their sha256."""
        return self.bucket.put_bytes(data, ext)

    def has(self, relative: str) -> bool:
        sha256 = sha256_of_stored(relative)
        if sha256 is None:
            return self.local.absolute(relative).exists()
        return self.bucket.exists(sha256)

    def local_copy(self, relative: str) -> Path:
        """A verified copy of the stored file at `root/relative`: the one kept here when its hash still matches,
        else the bucket's (verified while it is downloaded), placed there for the readers that join paths."""
        target = self.local.absolute(relative)
        sha256 = sha256_of_stored(relative)
        if sha256 is None:
            return target  # not a content-addressed file (a model's own path): nothing to fetch
        if target.exists() and sha256_file(target) == sha256:
            return target
        try:
            bucket = self.bucket
            cached = bucket.local_path(sha256)
        except StoredFileMissing:
            raise StoredFileMissing(f"the team library's bucket {bucket.location.label} holds no file {sha256[:12]}…",
                                    hint="add the work's file again from a machine that has it (`studio library "
                                    "push`)") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            try:
                os.link(cached, tmp)  # the cache's copy, named twice: no second copy on disk
            except OSError:
                shutil.copyfile(cached, tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target
