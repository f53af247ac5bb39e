"""The FileStore contract, the same tests against the library's local folder and a real S3 server (SeaweedFS):
files are named by their hash, kept once, read back only when they still hash to their name."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.store.file_store import StoredFileCorrupt, StoredFileMissing
from tests.helpers.file_stores import Backend, local_backend, s3_backend


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return local_backend(tmp_path / "lib")
    server = request.getfixturevalue("s3_server")
    return s3_backend(server, server.new_bucket(), tmp_path)


def _one_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_bytes_are_kept_under_their_hash_and_read_back(backend: Backend) -> None:
    data = os.urandom(5000)
    sha256 = backend.store.put_bytes(data, "png")
    assert sha256 == hashlib.sha256(data).hexdigest()
    assert backend.store.exists(sha256)
    assert backend.store.read(sha256) == data
    assert backend.store.local_path(sha256).read_bytes() == data
    assert backend.stored() == [sha256]


def test_another_machine_reads_what_one_wrote(backend: Backend) -> None:
    data = os.urandom(3 * (1 << 20) + 17)  # several chunks of streaming
    sha256 = backend.store.put_bytes(data, "png")
    other = backend.other()
    assert other.exists(sha256)
    assert other.read(sha256) == data


def test_a_file_is_copied_in_once_whatever_its_source(backend: Backend, tmp_path: Path) -> None:
    data = os.urandom(2 * (1 << 20) + 3)
    source = tmp_path / "source.png"
    source.write_bytes(data)
    from_path = backend.store.put_path(source, "png")
    from_bytes = backend.store.put_bytes(data, "png")
    again = backend.other().put_path(source, "png")
    assert from_path == from_bytes == again == hashlib.sha256(data).hexdigest()
    assert backend.stored() == [from_path]
    assert backend.other().read(from_path) == data


def test_an_empty_file_is_a_file(backend: Backend) -> None:
    sha256 = backend.store.put_bytes(b"", "txt")
    assert sha256 == hashlib.sha256(b"").hexdigest()
    assert backend.other().read(sha256) == b""


def test_a_hash_never_kept_is_missing_in_one_line(backend: Backend) -> None:
    absent = hashlib.sha256(b"never kept").hexdigest()
    assert not backend.store.exists(absent)
    with pytest.raises(StoredFileMissing) as caught:
        backend.store.read(absent)
    assert absent[:12] in _one_line(caught.value)
    with pytest.raises(StoredFileMissing):
        backend.store.local_path(absent)


@pytest.mark.parametrize("damage", ["changed", "truncated", "replaced"])
def test_a_damaged_file_is_refused_every_time_and_adding_it_again_repairs_it(backend: Backend, damage: str) -> None:
    data = os.urandom(4096)
    sha256 = backend.store.put_bytes(data, "png")
    bad = {"changed": data[:100] + bytes([data[100] ^ 1]) + data[101:], "truncated": data[:-10],
           "replaced": b"something else entirely"}[damage]
    backend.tamper(sha256, bad)
    reader = backend.other()
    for _ in range(2):  # a refused copy is never kept for the next read
        with pytest.raises(StoredFileCorrupt) as caught:
            reader.read(sha256)
        assert "does not match its hash" in _one_line(caught.value)
    with pytest.raises(StoredFileCorrupt):
        reader.local_path(sha256)
    assert reader.exists(sha256)  # present, but unusable: reads say so
    assert backend.other().put_bytes(data, "png") == sha256
    assert backend.other().read(sha256) == data
    assert reader.read(sha256) == data


@pytest.mark.parametrize("name", ["../../etc/passwd", "A" * 64, "abc", "", "0" * 63 + "/", "0" * 65])
def test_a_name_that_is_no_hash_is_refused_before_any_lookup(backend: Backend, name: str) -> None:
    for call in (backend.store.exists, backend.store.read, backend.store.local_path):
        with pytest.raises(InvalidInput) as caught:
            call(name)
        assert "is not a file hash" in _one_line(caught.value)


@pytest.mark.parametrize("ext", ["", "../x", "PNG", "toolongext", "p/g"])
def test_an_extension_that_could_escape_a_name_is_refused(backend: Backend, ext: str) -> None:
    with pytest.raises(InvalidInput):
        backend.store.put_bytes(b"data", ext)
    assert backend.stored() == []


def test_machines_adding_the_same_file_at_once_keep_it_once(backend: Backend) -> None:
    data = os.urandom(256 * 1024)
    stores = [backend.other() for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        keys = set(pool.map(lambda store: store.put_bytes(data, "png"), stores))
    assert keys == {hashlib.sha256(data).hexdigest()}
    assert backend.stored() == sorted(keys)
    assert backend.other().read(keys.pop()) == data
