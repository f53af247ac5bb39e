"""Content addressing and IPFS storage: CIDs computed locally, the library's own store, a Kubo node's
`/api/v0/add` and `/api/v0/cat`, a pinning service with a bearer token, and bytes that do not match."""

from __future__ import annotations

import hashlib

import pytest
from publish_ipfs import fake_ipfs

from studio.secrets import Secret
from studio.story.errors import StorageError
from studio.story.storage import (
    Gateway,
    KuboStore,
    LocalStore,
    PinningStore,
    Storage,
    cid_v1_raw,
    raw_cid_digest,
    sha256_hex,
)


def test_cids_match_what_ipfs_gives_for_raw_leaves() -> None:
    # Reference CIDs of `ipfs add --cid-version 1 --raw-leaves` for "hello world" and for an empty file.
    assert cid_v1_raw(b"hello world") == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    assert cid_v1_raw(b"") == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
    assert raw_cid_digest(cid_v1_raw(b"abc")) == hashlib.sha256(b"abc").digest()
    assert raw_cid_digest("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG") is None  # CIDv0: not checked here
    assert sha256_hex(b"abc") == "0x" + hashlib.sha256(b"abc").hexdigest()


def test_local_store_is_content_addressed_and_checks_what_it_reads(tmp_path) -> None:
    store = LocalStore(tmp_path / "ipfs")
    uri = store.put(b"image bytes", "a.png", "image/png")
    assert uri == f"ipfs://{cid_v1_raw(b'image bytes')}"
    assert store.put(b"image bytes", "b.png", "image/png") == uri
    assert store.get(uri) == b"image bytes"
    (tmp_path / "ipfs" / uri.removeprefix("ipfs://")).write_bytes(b"changed")
    with pytest.raises(StorageError, match="do not match their CID"):
        store.get(uri)
    with pytest.raises(StorageError, match="not in the local store"):
        store.get("ipfs://" + cid_v1_raw(b"never stored"))
    with pytest.raises(StorageError, match="not an ipfs:// URI"):
        store.get("https://example.test/x")


def test_kubo_upload_and_read_back() -> None:
    with fake_ipfs() as ipfs:
        kubo = KuboStore(ipfs.url)
        uri = kubo.put(b'{"title":"x"}', "x.json", "application/json")
        assert ipfs.files == {uri.removeprefix("ipfs://"): b'{"title":"x"}'}
        assert kubo.get(uri) == b'{"title":"x"}'
        assert Gateway(ipfs.url).get(uri) == b'{"title":"x"}'
        ipfs.tampered[uri.removeprefix("ipfs://")] = b'{"title":"y"}'
        with pytest.raises(StorageError, match="do not match"):
            kubo.get(uri)


def test_pinning_service_needs_the_bearer_token() -> None:
    with fake_ipfs() as ipfs:
        good = PinningStore(f"{ipfs.url}/pinning/pinFileToIPFS", Secret(ipfs.token), ipfs.url)
        uri = good.put(b"pinned", "p.bin", "application/octet-stream")
        assert good.get(uri) == b"pinned"
        bad = PinningStore(f"{ipfs.url}/pinning/pinFileToIPFS", Secret("wrong-token"), ipfs.url)
        with pytest.raises(StorageError, match="HTTP 401") as err:
            bad.put(b"other", "o.bin", "application/octet-stream")
        assert "wrong-token" not in str(err.value)


def test_unreachable_service_is_a_clear_error() -> None:
    with fake_ipfs() as ipfs:
        url = ipfs.url
    with pytest.raises(StorageError, match="cannot be reached"):
        KuboStore(url).put(b"x", "x", "text/plain")


def test_storage_checks_recorded_hashes_and_falls_back(tmp_path) -> None:
    local = LocalStore(tmp_path / "ipfs")
    with fake_ipfs() as ipfs:
        uri = KuboStore(ipfs.url).put(b"elsewhere", "e", "text/plain")
        storage = Storage(local, local, Gateway(ipfs.url))
        assert storage.get(uri, sha256_hex(b"elsewhere")) == b"elsewhere"
        with pytest.raises(StorageError, match="recorded hash"):
            storage.get(uri, sha256_hex(b"something else"))
        with pytest.raises(StorageError):
            Storage(local, local).get(uri)
