"""A team library's files in any S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, SeaweedFS): the one module
that imports boto3.

Keys are content addresses, `<prefix>sha256/ab/abcdef…`. A write sends the bytes with their SHA-256 checksum
(the server refuses a body damaged on the way) and `If-None-Match: *`, so an object is created whole or not at
all and is never overwritten by a racing writer; a 412 answer means the key is already there, and that object is
then read back and verified like any other. Every read is streamed into a temporary in the local cache while it
is hashed and counted: bytes that do not hash to their key, or more bytes than the size limit, are refused in
one line and never cached. Nothing the server sends is trusted: not its sizes, ETags, checksums or texts (an
error is reported by its code alone).

Connection faults, 5xx answers and timeouts are retried with exponential backoff and jitter; a whole download is
also bounded in time by a watchdog that cuts the connection, since a server trickling one byte at a time never
trips a socket's read timeout.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
    SSLError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from studio.errors import InvalidInput
from studio.store.disk_space import human_size
from studio.store.file_cache import VerifiedFileCache
from studio.store.file_store import (
    FileStoreUnavailable,
    StoredFileCorrupt,
    StoredFileMissing,
    checked_ext,
    checked_sha256,
)
from studio.store.s3_location import S3Credentials, S3Location

log = logging.getLogger(__name__)
# botocore's debug log prints each signed request, access key id included: keep it out of the studio's logs even
# when they are turned up to debug (the studio logs its own line for every retry and refusal).
for _name in ("botocore", "boto3", "s3transfer"):
    if logging.getLogger(_name).level < logging.WARNING:
        logging.getLogger(_name).setLevel(logging.WARNING)

CHUNK = 1 << 20
_T = TypeVar("_T")
_RETRIED_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "BadDigest",
                  "XAmzContentSHA256Mismatch", "RequestTimeTooSkewed"}
_KEY_REFUSED = {"SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken"}
_TRANSIENT = (BotoConnectionError, HTTPClientError, IncompleteReadError)


@dataclass(frozen=True)
class S3Limits:
    max_object_bytes: int = 1 << 30  # one object sent or accepted; S3 takes up to 5 GiB in one PUT
    connect_timeout: float = 5.0
    read_timeout: float = 30.0  # silence on an open connection
    transfer_timeout: float = 600.0  # one whole download, however the server paces it
    attempts: int = 4
    backoff: float = 0.25  # first wait between attempts; doubled each time, with jitter
    cache_bytes: int = 2 << 30


class ObjectTooLarge(InvalidInput):
    """A file, or an object the server holds, over the size limit of one object."""


class _TransferTooSlow(Exception):
    """The watchdog cut a download that outran its time limit."""


class _Retry(Exception):
    """An answer worth another try (a 5xx, a damaged body); `reason` says which, for the final line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class S3FileStore:
    """`FileStore` on an S3-compatible bucket, with verified copies cached in `cache_dir`."""

    def __init__(self, location: S3Location, credentials: S3Credentials, cache_dir: Path,
                 limits: S3Limits | None = None) -> None:
        self.location = location
        self.limits = limits or S3Limits()
        self.cache = VerifiedFileCache(cache_dir, self.limits.cache_bytes)
        self._bucket_checked = False
        # Credentials, endpoint, region and settings are all given explicitly, so nothing is taken from the
        # environment or ~/.aws; botocore's own retries are off because every call here is retried as a whole.
        session = boto3.session.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key.reveal(),
            region_name=location.region,
        )
        self._client = session.client("s3", endpoint_url=location.endpoint, config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=self.limits.connect_timeout,
            read_timeout=self.limits.read_timeout,
            retries={"total_max_attempts": 1},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=16,
        ))

    def __repr__(self) -> str:
        return f"S3FileStore({self.location.label})"

    def key(self, sha256: str) -> str:
        sha256 = checked_sha256(sha256)
        return f"{self.location.prefix}sha256/{sha256[:2]}/{sha256}"

    # -- writing -------------------------------------------------------------------------------------------

    def put_bytes(self, data: bytes, ext: str) -> str:
        checked_ext(ext)
        self._check_size(len(data))
        sha256 = hashlib.sha256(data).hexdigest()
        if self._create(sha256, lambda: data):
            with self.cache.temporary() as (tmp, handle):
                handle.write(data)
                self.cache.commit(tmp, handle, sha256)
        return sha256

    def put_path(self, path: Path, ext: str) -> str:
        """Copy the file into a cache temporary while hashing it, then upload that copy: what is sent is what
        was hashed, even if the source changes meanwhile."""
        checked_ext(ext)
        self._check_size(path.stat().st_size)
        with self.cache.temporary() as (tmp, handle):
            digest = hashlib.sha256()
            size = 0
            with path.open("rb") as src:
                while chunk := src.read(CHUNK):
                    size += len(chunk)
                    self._check_size(size)
                    digest.update(chunk)
                    handle.write(chunk)
            handle.flush()
            sha256 = digest.hexdigest()
            if self._create(sha256, lambda: tmp.open("rb")):
                self.cache.commit(tmp, handle, sha256)
        return sha256

    def upload_once(self, path: Path, sha256: str) -> bool:
        """Upload a local file under `sha256` unless the bucket already holds that key; True when this call
        uploaded it. The file is hashed first and refused (StoredFileCorrupt) when it does not match. An object
        already there is not downloaded again: the only writes to these keys send the SHA-256 checksum the server
        checks before it keeps an object, and every read checks the hash once more."""
        sha256 = checked_sha256(sha256)
        size = path.stat().st_size
        self._check_size(size)
        small = size <= _IN_MEMORY
        data = path.read_bytes() if small else b""
        found = hashlib.sha256(data).hexdigest() if small else _file_sha256(path)
        if found != sha256:
            raise StoredFileCorrupt(
                f"the file {path} does not match its hash {sha256[:12]}…: it was changed or damaged on disk; it was "
                "not uploaded", hint="restore it from a backup, or run `studio doctor` on its library")
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()

        def put() -> None:
            payload: Any = data if small else path.open("rb")
            try:
                self._client.put_object(Bucket=self.location.bucket, Key=self.key(sha256), Body=payload,
                                        ChecksumSHA256=checksum, ContentType="application/octet-stream",
                                        IfNoneMatch="*")
            finally:
                if not small:
                    payload.close()

        try:
            self._retried("write", put, sha256, conditional=True)
        except _AlreadyThere:
            return False
        return True

    def _create(self, sha256: str, body: Callable[[], Any]) -> bool:
        """Upload under the hash's key unless an object is already there; True when this call created it, False
        when a sound object was already there (then verified, and cached by the check)."""
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()

        def put(condition: dict[str, str]) -> None:
            payload = body()
            try:
                self._client.put_object(
                    Bucket=self.location.bucket, Key=self.key(sha256), Body=payload, ChecksumSHA256=checksum,
                    ContentType="application/octet-stream", **condition,
                )
            finally:
                if hasattr(payload, "close"):
                    payload.close()

        try:
            self._retried("write", lambda: put({"IfNoneMatch": "*"}), sha256, conditional=True)
        except _AlreadyThere:
            try:
                self.local_path(sha256, use_cache=False)
                return False
            except (StoredFileCorrupt, ObjectTooLarge):
                # The object under this key is damaged; our bytes hash to the key, so writing them is a repair.
                log.warning("replacing the damaged object %s in %s", self.key(sha256), self.location.label)
                self._retried("write", lambda: put({}), sha256)
        return True

    def _check_size(self, size: int) -> None:
        if size > self.limits.max_object_bytes:
            raise ObjectTooLarge(
                f"the file is {human_size(size)}, over the {human_size(self.limits.max_object_bytes)} limit of one "
                f"object in the team library's storage",
                hint="keep files under that size, or raise the team library's object size limit",
            )

    # -- reading -------------------------------------------------------------------------------------------

    def exists(self, sha256: str) -> bool:
        key = self.key(sha256)
        try:
            self._retried("check", lambda: self._client.head_object(Bucket=self.location.bucket, Key=key), sha256)
        except StoredFileMissing:
            if not self._bucket_checked:  # a HEAD answers 404 alike for a missing key and a missing bucket
                self._retried("check", lambda: self._client.head_bucket(Bucket=self.location.bucket), None)
                self._bucket_checked = True
            return False
        return True

    def read(self, sha256: str) -> bytes:
        cached = self.cache.read(sha256)  # checks the hash's form first, as every call does
        return cached if cached is not None else self.local_path(sha256, use_cache=False).read_bytes()

    def local_path(self, sha256: str, *, use_cache: bool = True) -> Path:
        key = self.key(sha256)
        if use_cache and (hit := self.cache.get(sha256)) is not None:
            return hit
        return self._retried("read", lambda: self._download(key, sha256), sha256)

    def _download(self, key: str, sha256: str) -> Path:
        answer = self._client.get_object(Bucket=self.location.bucket, Key=key)
        body = answer["Body"]
        declared = answer.get("ContentLength")
        if isinstance(declared, int) and declared > self.limits.max_object_bytes:
            body.close()
            raise self._oversized(key)
        timed_out = threading.Event()
        watchdog = threading.Timer(self.limits.transfer_timeout, _cut, (body, timed_out))
        watchdog.daemon = True
        watchdog.start()
        try:
            with self.cache.temporary() as (tmp, handle):
                digest = hashlib.sha256()
                size = 0
                while chunk := body.read(CHUNK):
                    size += len(chunk)
                    if size > self.limits.max_object_bytes:
                        raise self._oversized(key)
                    digest.update(chunk)
                    handle.write(chunk)
                if digest.hexdigest() != sha256:
                    raise StoredFileCorrupt(
                        f"the object {key} in {self.location.label} does not match its hash ({human_size(size)} "
                        f"read): it was changed or truncated on the server; it was not used",
                        hint="write the file again from a sound copy (adding it again repairs the object), or "
                        "restore the bucket from a backup",
                    )
                return self.cache.commit(tmp, handle, sha256)
        except (BotoCoreError, OSError, ValueError) as exc:
            if timed_out.is_set():
                raise _TransferTooSlow() from exc
            raise
        finally:
            watchdog.cancel()
            body.close()

    def _oversized(self, key: str) -> ObjectTooLarge:
        return ObjectTooLarge(
            f"the object {key} in {self.location.label} is over the {human_size(self.limits.max_object_bytes)} "
            f"limit of one object; it was not used",
            hint="the object was replaced on the server, or the limit was lowered since it was written; restore the "
            "object from a backup, or raise the team library's object size limit",
        )

    # -- faults --------------------------------------------------------------------------------------------

    def _retried(self, what: str, call: Callable[[], _T], sha256: str | None, *, conditional: bool = False) -> _T:
        last = ""
        for attempt in range(self.limits.attempts):
            if attempt:
                time.sleep(self.limits.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
            try:
                return call()
            except ClientError as exc:
                try:
                    self._refuse(exc, what, sha256, conditional=conditional)
                except _Retry as retry:
                    last = retry.reason
            except _TransferTooSlow:
                last = f"a download took over {self.limits.transfer_timeout:g} s"
            except SSLError:  # no retry mends a certificate
                raise FileStoreUnavailable(
                    f"the TLS connection to the S3 server at {self.location.endpoint} failed (its certificate could "
                    "not be verified, or it does not speak TLS)",
                    hint="check the endpoint's address and scheme, and that the system trusts its certificate",
                ) from None
            except ReadTimeoutError:
                last = f"no answer within {self.limits.read_timeout:g} s"
            except ConnectTimeoutError:
                last = f"no connection within {self.limits.connect_timeout:g} s"
            except _TRANSIENT as exc:
                last = _fault_name(exc)
            except BotoCoreError as exc:  # anything else of the client's: not worth another try
                raise FileStoreUnavailable(
                    f"could not {what} a file in the S3 bucket {self.location.label} ({type(exc).__name__})",
                    hint="check the team library's storage settings and try again",
                ) from None
            log.info("S3 %s at %s failed (%s), attempt %d of %d", what, self.location.endpoint, last,
                     attempt + 1, self.limits.attempts)
        raise FileStoreUnavailable(
            f"could not {what} a file in the S3 bucket {self.location.label}: {last}, {self.limits.attempts} tries; "
            "nothing was half written",
            hint="check that the storage server is running and reachable, then try again",
        )

    def _refuse(self, exc: ClientError, what: str, sha256: str | None, *, conditional: bool) -> NoReturn:
        """Turn the server's refusal into one line of ours (its code only: its texts are not ours to show)."""
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(exc.response.get("Error", {}).get("Code", ""))
        code = code if re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,39}", code) else ""  # not a bare status number
        shown = code or f"HTTP {status}"
        where = self.location.label
        if conditional and (status == 412 or code == "PreconditionFailed"):
            raise _AlreadyThere()
        if (isinstance(status, int) and status >= 500) or code in _RETRIED_CODES:
            raise _Retry(f"the server answered {shown}")
        if code == "NoSuchBucket" or (sha256 is None and status == 404):
            raise FileStoreUnavailable(
                f"the bucket {self.location.bucket!r} does not exist at {self.location.endpoint}",
                hint="create it on the storage server, or check the bucket name of the team library",
            )
        if status == 404 or code == "NoSuchKey":
            raise StoredFileMissing(
                f"the S3 bucket {where} holds no file {str(sha256)[:12]}…",
                hint="it was never uploaded or was removed; add the file again from a copy",
            )
        if code in _KEY_REFUSED:
            raise FileStoreUnavailable(
                f"the S3 server at {self.location.endpoint} did not accept the access key for {where} ({code})",
                hint="store the bucket's right access key id and secret in the OS keyring",
            )
        if status == 403 or code == "AccessDenied":
            access = "write" if what == "write" else "read"
            raise FileStoreUnavailable(
                f"the S3 server refused to let this access key {what} files in {where} ({shown})",
                # A HEAD's refusal has no body, so a wrong secret and a missing grant look alike there.
                hint=f"ask the storage's administrator to grant this key {access} access to the bucket"
                if code else f"check the bucket's access key id and secret in the OS keyring, and that the key "
                f"may {access} the bucket",
            )
        raise FileStoreUnavailable(f"the S3 server refused to {what} a file in {where} ({shown})",
                                   hint="check the team library's storage settings and try again")


_IN_MEMORY = 64 << 20  # files up to this size are read once into memory for hashing and upload


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _AlreadyThere(Exception):
    """A conditional write found the key taken."""


def _fault_name(exc: Exception) -> str:
    if isinstance(exc, EndpointConnectionError):
        return "the server cannot be reached"
    if isinstance(exc, ConnectionClosedError | ResponseStreamingError | IncompleteReadError):
        return "the connection was dropped mid-transfer"
    return type(exc).__name__


def _cut(body: Any, timed_out: threading.Event) -> None:
    """Shut the download's socket from the watchdog thread: the only way to wake a read that a trickling server
    keeps alive (closing the stream from another thread would wait on the reader's lock)."""
    timed_out.set()
    sock = getattr(getattr(getattr(body, "_raw_stream", None), "connection", None), "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
