"""The S3 file store against a real S3 server (SeaweedFS): its keys, its bounded cache of verified copies, its
retries, and what it keeps out of logs."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.secrets import Secret
from studio.store.file_cache import VerifiedFileCache
from studio.store.file_store import FileStoreUnavailable
from studio.store.s3 import S3FileStore, S3Limits
from studio.store.s3_location import S3Credentials, S3Location
from tests.helpers.file_stores import s3_store
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, FaultyLink, WeedServer


def test_keys_are_content_addresses_under_the_libraries_folder(s3_server: WeedServer, s3_bucket: str,
                                                               tmp_path: Path) -> None:
    location = S3Location.parse(s3_server.endpoint, s3_bucket, prefix="studio-a/")
    store = S3FileStore(location, S3Credentials(ACCESS_KEY, Secret(SECRET_KEY)), tmp_path / "cache")
    sha256 = store.put_bytes(b"a work", "png")
    listed = s3_server.client().list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [item["Key"] for item in listed] == [f"studio-a/sha256/{sha256[:2]}/{sha256}"]
    assert store.cache.get(sha256) is not None  # the writer keeps a verified copy for its thumbnails


def test_the_cache_keeps_to_its_size_by_dropping_the_least_recently_used(s3_server: WeedServer, s3_bucket: str,
                                                                         tmp_path: Path) -> None:
    writer = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "writer")
    files = [os.urandom(100_000) for _ in range(5)]
    keys = [writer.put_bytes(data, "png") for data in files]
    reader = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "reader", cache_bytes=250_000)
    for key in keys[:2]:
        reader.read(key)
    time.sleep(0.05)
    reader.read(keys[0])  # used again: now the most recent of the two
    time.sleep(0.05)
    for key in keys[2:]:
        reader.read(key)
        assert reader.cache.size() <= 250_000
    assert reader.cache.get(keys[4]) is not None and reader.cache.get(keys[1]) is None
    assert reader.read(keys[1]) == files[1]  # dropped from the cache, fetched and verified again


def test_an_abandoned_temporary_is_removed_only_when_its_writer_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    dead = folder / ".tmp-999999999-abc"
    alive = folder / f".tmp-{os.getppid()}-def"
    dead.write_bytes(b"half")
    alive.write_bytes(b"being written")
    VerifiedFileCache(folder, 1000)
    assert not dead.exists() and alive.exists()


def test_server_errors_are_retried_with_backoff_until_one_succeeds(s3_bucket: str, faulty_link: FaultyLink,
                                                                   tmp_path: Path) -> None:
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", attempts=4, backoff=0.05)
    faulty_link.fail_next = 2
    sha256 = store.put_bytes(b"after two 503s", "png")
    assert faulty_link.requests == 3
    faulty_link.fail_next = 2
    assert s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "other", backoff=0.05).read(sha256) == \
        b"after two 503s"


def test_a_server_that_keeps_failing_is_given_up_on_in_one_line(s3_bucket: str, faulty_link: FaultyLink,
                                                                 tmp_path: Path) -> None:
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", attempts=3, backoff=0.05)
    faulty_link.fail_next = 100
    with pytest.raises(FileStoreUnavailable) as caught:
        store.put_bytes(b"never", "png")
    line = str(caught.value)
    assert "\n" not in line and "HTTP 503" in line and "3 tries" in line and "nothing was half written" in line
    assert faulty_link.requests == 3


def test_neither_the_key_nor_its_secret_reaches_logs_or_reprs(s3_server: WeedServer, s3_bucket: str,
                                                              tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "cache")
    sha256 = store.put_bytes(b"logged?", "png")
    s3_store(s3_server.endpoint, s3_bucket, tmp_path / "other").read(sha256)
    wrong = S3FileStore(S3Location.parse(s3_server.endpoint, s3_bucket),
                        S3Credentials(ACCESS_KEY, Secret("a-wrong-secret-value")), tmp_path / "wrong",
                        S3Limits(attempts=1))
    with pytest.raises(FileStoreUnavailable) as caught:
        wrong.put_bytes(b"x", "png")
    shown = caplog.text + repr(store) + repr(wrong) + str(caught.value) + repr(S3Credentials(ACCESS_KEY,
                                                                                            Secret(SECRET_KEY)))
    for secret in (ACCESS_KEY, SECRET_KEY, "a-wrong-secret-value"):
        assert secret not in shown


@pytest.mark.parametrize(("endpoint", "bucket", "says"), [
    ("http://key:secret@127.0.0.1:9000", "b-1", "user name or password"),
    ("http://127.0.0.1:9000/?X-Amz-Signature=abc&token=x", "b-1", "query parameter"),
    ("ftp://127.0.0.1", "b-1", "is not an http(s) S3 endpoint"),
    ("http://127.0.0.1:9000/some/path", "b-1", "must not carry a path"),
    ("http://127.0.0.1:70000", "b-1", "port"),
    ("http://127.0.0.1:9000", "Bad_Bucket", "is not an S3 bucket name"),
    ("http://127.0.0.1:9000", "192.168.0.1", "is not an S3 bucket name"),
    ("http://127.0.0.1:9000", "a..b", "is not an S3 bucket name"),
])
def test_an_unusable_location_is_refused_in_one_line_without_its_secret(endpoint: str, bucket: str,
                                                                        says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        S3Location.parse(endpoint, bucket)
    line = str(caught.value)
    assert says in line and "\n" not in line and "secret@" not in line


@pytest.mark.parametrize("prefix", ["../", "a/../", "/abs/", "no-slash", "a//"])
def test_a_folder_inside_the_bucket_cannot_climb_out(prefix: str) -> None:
    with pytest.raises(InvalidInput):
        S3Location.parse("http://127.0.0.1:9000", "bucket", prefix=prefix)


def test_a_hash_of_the_key_is_what_is_checked_not_what_the_server_says(s3_server: WeedServer, s3_bucket: str,
                                                                       tmp_path: Path) -> None:
    """The server's ETag and checksum headers describe whatever it holds; only the bytes' own hash counts."""
    data = b"the real bytes"
    sha256 = hashlib.sha256(data).hexdigest()
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "cache")
    s3_server.client().put_object(Bucket=s3_bucket, Key=store.key(sha256), Body=b"other bytes")  # sound ETag
    assert store.exists(sha256)
    with pytest.raises(Exception, match="does not match its hash"):
        store.read(sha256)
    assert store.cache.get(sha256) is None


def test_a_file_already_in_the_bucket_is_never_rewritten(s3_server: WeedServer, s3_bucket: str,
                                                         tmp_path: Path) -> None:
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "cache")
    sha256 = store.put_bytes(b"kept once", "png")
    client = s3_server.client()
    first = client.head_object(Bucket=s3_bucket, Key=store.key(sha256))["LastModified"]
    time.sleep(1.1)  # the server's clock counts whole seconds
    assert s3_store(s3_server.endpoint, s3_bucket, tmp_path / "other").put_bytes(b"kept once", "png") == sha256
    assert client.head_object(Bucket=s3_bucket, Key=store.key(sha256))["LastModified"] == first


def test_a_cached_copy_damaged_on_disk_is_dropped_and_fetched_again(s3_server: WeedServer, s3_bucket: str,
                                                                    tmp_path: Path) -> None:
    store = s3_store(s3_server.endpoint, s3_bucket, tmp_path / "cache")
    data = os.urandom(20_000)
    sha256 = store.put_bytes(data, "png")
    cached = store.cache.path(sha256)
    cached.write_bytes(data[:5000])  # what a power loss before the disk caught up can leave
    assert store.read(sha256) == data
    assert cached.read_bytes() == data
    cached.write_bytes(b"")
    assert store.local_path(sha256).read_bytes() == data


def test_a_connection_dropped_mid_upload_is_retried_and_the_file_arrives_whole(
        s3_server: WeedServer, s3_bucket: str, faulty_link: FaultyLink, tmp_path: Path) -> None:
    data = os.urandom(2 * (1 << 20))
    store = s3_store(faulty_link.endpoint, s3_bucket, tmp_path / "cache", attempts=3, backoff=0.05)
    faulty_link.cut_after, faulty_link.stay_down = 1 << 20, False
    sha256 = store.put_bytes(data, "png")
    assert faulty_link.requests == 2 and faulty_link.cut_after is None  # cut once, then sent again in full
    stored = s3_server.client().get_object(Bucket=s3_bucket, Key=store.key(sha256))["Body"].read()
    assert stored == data


def test_the_cache_evicts_in_batches_and_never_the_copy_just_made(tmp_path: Path) -> None:
    cache = VerifiedFileCache(tmp_path / "cache", 1000)
    paths = []
    for i in range(12):
        data = bytes([i]) * 100
        with cache.temporary() as (tmp, handle):
            handle.write(data)
            paths.append(cache.commit(tmp, handle, hashlib.sha256(data).hexdigest()))
        os.utime(paths[-1], (i, i))  # a clear order of use, whatever the clock's resolution
        assert cache.size() <= 1000 and paths[-1].exists()
    assert cache.size() <= 1000 and [p.exists() for p in paths][-2:] == [True, True]
    big = os.urandom(5000)  # over the whole limit: kept (it is in use), everything else goes
    with cache.temporary() as (tmp, handle):
        handle.write(big)
        kept = cache.commit(tmp, handle, hashlib.sha256(big).hexdigest())
    assert kept.read_bytes() == big and [p for p in paths if p.exists()] == []
