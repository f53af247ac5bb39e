"""A team library's bucket misbehaving: a key that may not write, a wrong secret, a missing bucket, a server gone
before or during a write, an object replaced by a huge one, a server that hangs or trickles. Each is one line
that says what to do; nothing is half written on the server and nothing unverified reaches the local cache."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.errors import InvalidInput, StudioError
from studio.secrets import Secret
from studio.store.disk_space import DiskFull
from studio.store.file_store import FileStoreUnavailable
from studio.store.s3 import S3FileStore, S3Limits
from studio.store.s3_location import S3Credentials, S3Location
from tests.helpers.file_stores import s3_store
from tests.helpers.s3 import ACCESS_KEY, READ_ONLY_KEY, READ_ONLY_SECRET, FaultyLink, WeedServer, free_ports


def _one_line(error: StudioError) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text and len(text) < 400, text
    return text


def _objects(server: WeedServer, bucket: str) -> list[str]:
    return [item["Key"] for item in server.client().list_objects_v2(Bucket=bucket).get("Contents", [])]


def _cached(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*") if p.is_file()]


def _store_as(server: WeedServer, bucket: str, key: str, secret: str, cache: Path) -> S3FileStore:
    return S3FileStore(S3Location.parse(server.endpoint, bucket), S3Credentials(key, Secret(secret)), cache,
                       S3Limits(attempts=2, backoff=0.05))


def test_a_key_that_may_only_read_is_refused_a_write(s3_server: WeedServer, s3_bucket: str, tmp_path: Path) -> None:
    store = _store_as(s3_server, s3_bucket, READ_ONLY_KEY, READ_ONLY_SECRET, tmp_path / "cache")
    with pytest.raises(FileStoreUnavailable) as caught:
        store.put_bytes(os.urandom(1000), "png")
    line = _one_line(caught.value)
    assert "refused to let this access key write" in line and "AccessDenied" in line and "grant" in line
    assert _objects(s3_server, s3_bucket) == [] and _cached(tmp_path / "cache") == []
    written = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer").put_bytes(b"readable", "png")
    assert store.read(written) == b"readable"  # reading is what this key may do


def test_a_wrong_secret_is_refused_without_showing_it(s3_server: WeedServer, s3_bucket: str, tmp_path: Path) -> None:
    secret = "wrong-" + os.urandom(12).hex()
    store = _store_as(s3_server, s3_bucket, ACCESS_KEY, secret, tmp_path / "cache")
    for call in (lambda: store.put_bytes(b"x", "png"), lambda: store.read(hashlib.sha256(b"x").hexdigest()),
                 lambda: store.exists(hashlib.sha256(b"x").hexdigest())):
        with pytest.raises(FileStoreUnavailable) as caught:
            call()
        line = _one_line(caught.value)
        assert ("did not accept the access key" in line or "refused" in line) and "keyring" in line
        assert secret not in line and ACCESS_KEY not in line
    assert _objects(s3_server, s3_bucket) == []


def test_a_missing_bucket_is_named_and_never_created(s3_server: WeedServer, tmp_path: Path) -> None:
    store = s3_store(s3_server.endpoint, "no-such-bucket-here", tmp_path / "cache", attempts=1)
    absent = hashlib.sha256(b"x").hexdigest()
    for call in (lambda: store.put_bytes(b"x", "png"), lambda: store.exists(absent), lambda: store.read(absent)):
        with pytest.raises(FileStoreUnavailable) as caught:
            call()
        assert "the bucket 'no-such-bucket-here' does not exist" in _one_line(caught.value)
    names = [b["Name"] for b in s3_server.client().list_buckets()["Buckets"]]
    assert "no-such-bucket-here" not in names


def test_a_server_that_is_not_there_is_named_after_a_few_quick_tries(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    store = s3_store(f"http://127.0.0.1:{port}", "bucket", tmp_path / "cache", attempts=3, backoff=0.05,
                     connect_timeout=1)
    started = time.monotonic()
    with pytest.raises(FileStoreUnavailable) as caught:
        store.put_bytes(b"x", "png")
    assert time.monotonic() - started < 10
    line = _one_line(caught.value)
    assert "cannot be reached" in line and "3 tries" in line and "nothing was half written" in line


def test_a_server_gone_mid_write_leaves_no_object_and_the_next_try_completes(
        s3_server: WeedServer, s3_bucket: str, faulty_link: FaultyLink, tmp_path: Path) -> None:
    data = os.urandom(2 * (1 << 20))
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", attempts=2, backoff=0.05)
    faulty_link.cut_after = 1 << 20  # half the body reaches the server, then the link and the server are gone
    with pytest.raises(FileStoreUnavailable) as caught:
        store.put_bytes(data, "png")
    assert "nothing was half written" in _one_line(caught.value)
    assert _objects(s3_server, s3_bucket) == [] and _cached(tmp_path / "cache") == []
    faulty_link.cut_after, faulty_link.down = None, False  # the server is back
    sha256 = store.put_bytes(data, "png")
    assert s3_store(s3_server.endpoint, s3_bucket, tmp_path / "other").read(sha256) == data


def test_a_file_over_the_size_limit_is_refused_before_anything_is_sent(
        s3_bucket: str, faulty_link: FaultyLink, tmp_path: Path) -> None:
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", max_object_bytes=100_000)
    big = tmp_path / "big.png"
    big.write_bytes(os.urandom(100_001))
    for call in (lambda: store.put_bytes(big.read_bytes(), "png"), lambda: store.put_path(big, "png")):
        with pytest.raises(InvalidInput) as caught:
            call()
        assert "over the 100.0 KB limit" in _one_line(caught.value)
    assert faulty_link.requests == 0 and _cached(tmp_path / "cache") == []


def test_an_object_swapped_for_a_huge_one_is_refused_and_not_cached(s3_server: WeedServer, s3_bucket: str,
                                                                   tmp_path: Path) -> None:
    data = b"a small work"
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer")
    sha256 = store.put_bytes(data, "png")
    s3_server.client().put_object(Bucket=s3_bucket, Key=store.key(sha256), Body=os.urandom(300_000))
    reader = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "reader", max_object_bytes=200_000)
    with pytest.raises(InvalidInput) as caught:
        reader.read(sha256)
    assert "over the 200.0 KB limit" in _one_line(caught.value)
    assert _cached(tmp_path / "reader") == []


def test_a_server_that_never_answers_is_given_up_on_in_time(s3_bucket: str, faulty_link: FaultyLink,
                                                           tmp_path: Path) -> None:
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", attempts=2, backoff=0.05,
                     read_timeout=1)
    faulty_link.stall = True
    started = time.monotonic()
    with pytest.raises(FileStoreUnavailable) as caught:
        store.read(hashlib.sha256(b"x").hexdigest())
    assert time.monotonic() - started < 8
    assert "no answer within 1 s" in _one_line(caught.value)


def test_a_server_that_trickles_an_object_is_cut_off_at_the_transfer_limit(
        s3_server: WeedServer, s3_bucket: str, faulty_link: FaultyLink, tmp_path: Path) -> None:
    sha256 = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer").put_bytes(os.urandom(200_000), "png")
    reader = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "reader", attempts=2, backoff=0.05,
                      read_timeout=2, transfer_timeout=1.5)
    faulty_link.drip_after, faulty_link.drip = 2000, 0.01  # headers arrive, then one byte every 10 ms
    started = time.monotonic()
    with pytest.raises(FileStoreUnavailable) as caught:
        reader.read(sha256)
    assert time.monotonic() - started < 10
    assert "a download took over 1.5 s" in _one_line(caught.value)
    assert _cached(tmp_path / "reader") == []


@pytest.fixture
def full_cache_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs for the cache, filled but for a few KB (unmounted afterwards)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.fail(f"this test needs to mount a small tmpfs (run it as root): {done.stderr.strip()}")
    try:
        (mount / "cache").mkdir()
        stat = os.statvfs(mount)
        (mount / "filler").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 8192))
        yield mount / "cache"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_a_full_cache_disk_is_named_in_one_line_and_keeps_no_partial_copy(
        s3_server: WeedServer, s3_bucket: str, full_cache_disk: Path, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    sha256 = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer").put_bytes(data, "png")
    reader = s3_store(s3_server.endpoint, s3_bucket, full_cache_disk)
    with pytest.raises(DiskFull) as caught:
        reader.read(sha256)
    assert "is full" in _one_line(caught.value)
    with pytest.raises(DiskFull):
        reader.put_bytes(os.urandom(300_000), "png")
    assert _cached(full_cache_disk) == []


def test_an_endpoint_that_does_not_speak_tls_is_one_line_without_retries(s3_server: WeedServer,
                                                                          tmp_path: Path) -> None:
    plain = s3_server.endpoint.replace("http://", "https://")
    store = s3_store(plain, "bucket", tmp_path / "cache", attempts=4, backoff=2)
    started = time.monotonic()
    with pytest.raises(FileStoreUnavailable) as caught:
        store.put_bytes(b"x", "png")
    assert time.monotonic() - started < 2  # no backoff: another try cannot mend it
    assert "TLS connection" in _one_line(caught.value)


def test_adding_a_file_again_replaces_a_huge_object_under_its_key(s3_server: WeedServer, s3_bucket: str,
                                                                  tmp_path: Path) -> None:
    data = b"a small work"
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer", max_object_bytes=200_000)
    sha256 = store.put_bytes(data, "png")
    s3_server.client().put_object(Bucket=s3_bucket, Key=store.key(sha256), Body=os.urandom(300_000))
    assert s3_store(s3_server.endpoint, s3_bucket, tmp_path / "again", max_object_bytes=200_000).put_bytes(
        data, "png") == sha256
    assert s3_store(s3_server.endpoint, s3_bucket, tmp_path / "reader").read(sha256) == data


def test_a_cache_folder_that_cannot_be_made_is_one_line(s3_server: WeedServer, s3_bucket: str,
                                                        tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(StudioError) as caught:
        s3_store(s3_server.endpoint, s3_bucket, blocker / "cache")
    assert "the cache folder" in _one_line(caught.value) and "cannot be used" in str(caught.value)
