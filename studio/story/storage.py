"""Where a work's image and metadata live off chain, addressed by IPFS CIDs.

On the devnet the store is a folder of the library (`<library>/ipfs/<cid>`), with CIDs computed here; for
Story networks the bytes are uploaded to a Kubo node (`/api/v0/add`) or a pinning service (bearer token in the
keyring) and read back through Kubo or an HTTP gateway. Bytes read back are checked against their CID when
it is a raw-leaf CID, and against the hash recorded next to the URI by the caller otherwise.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from studio.core import bounded_json
from studio.secrets import Secret
from studio.store.files import write_atomic
from studio.story.errors import StorageError

log = logging.getLogger(__name__)

_CID_V1 = 0x01
_RAW = 0x55
_SHA2_256 = 0x12
MAX_FETCH_BYTES = 64 << 20
TIMEOUT_S = 60.0


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def cid_v1_raw(data: bytes) -> str:
    """The CIDv1 (raw codec, sha2-256) of `data` in base32: what `ipfs add --cid-version 1 --raw-leaves`
    gives for a file that fits one block."""
    multihash = bytes([_SHA2_256, 32]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(_varint(_CID_V1) + _varint(_RAW) + multihash).decode().lower().rstrip("=")


def raw_cid_digest(cid: str) -> bytes | None:
    """The sha-256 digest inside a CIDv1 raw/sha2-256 base32 CID, or None for any other kind of CID."""
    if not cid.startswith("b") or len(cid) < 2:
        return None
    body = cid[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError:
        return None
    prefix = _varint(_CID_V1) + _varint(_RAW) + bytes([_SHA2_256, 32])
    if len(raw) != len(prefix) + 32 or not raw.startswith(prefix):
        return None
    return raw[len(prefix):]


def sha256_hex(data: bytes) -> str:
    """The hash convention of Story metadata: 0x + sha-256 of the exact bytes."""
    return "0x" + hashlib.sha256(data).hexdigest()


def ipfs_uri(cid: str) -> str:
    return f"ipfs://{cid}"


def cid_of(uri: str) -> str:
    if not uri.startswith("ipfs://") or len(uri) <= len("ipfs://"):
        raise StorageError(f"{uri!r} is not an ipfs:// URI", hint="only IPFS metadata can be read")
    cid = uri[len("ipfs://"):].split("/", 1)[0]
    if not cid.isalnum():
        raise StorageError(f"{uri!r} does not hold a valid CID")
    return cid


def verify_cid(cid: str, data: bytes) -> None:
    digest = raw_cid_digest(cid)
    if digest is not None and hashlib.sha256(data).digest() != digest:
        raise StorageError(f"the bytes fetched for {cid} do not match their CID", hint="the source is not trustworthy")


class ContentStore(Protocol):
    def put(self, data: bytes, name: str, mime: str) -> str: ...

    def get(self, uri: str) -> bytes: ...


class LocalStore:
    """A content-addressed folder: the devnet's IPFS."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes, name: str, mime: str) -> str:
        cid = cid_v1_raw(data)
        target = self.root / cid
        if not target.exists() or target.stat().st_size != len(data):
            write_atomic(target, data)
        return ipfs_uri(cid)

    def has(self, uri: str) -> bool:
        return (self.root / cid_of(uri)).is_file()

    def get(self, uri: str) -> bytes:
        cid = cid_of(uri)
        path = self.root / cid
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise StorageError(f"{uri} is not in the local store ({self.root})") from None
        verify_cid(cid, data)
        return data


@dataclass(frozen=True)
class _Part:
    name: str
    mime: str
    data: bytes


def _multipart(part: _Part) -> tuple[bytes, str]:
    boundary = "studio" + secrets.token_hex(12)
    safe_name = part.name.replace('"', "").replace("\r", "").replace("\n", "") or "file"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
        f"Content-Type: {part.mime}\r\n\r\n"
    ).encode()
    body = head + part.data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
             method: str = "POST", what: str) -> bytes:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body = response.read(MAX_FETCH_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise StorageError(f"{what} failed: HTTP {exc.code} from {_origin(url)}",
                           hint="check the IPFS service settings (`studio publish config`)") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise StorageError(f"{what} failed: {_origin(url)} cannot be reached ({reason})",
                           hint="start the IPFS service or fix its URL (`studio publish config`)") from None
    if len(body) > MAX_FETCH_BYTES:
        raise StorageError(f"{what} failed: the answer is larger than {MAX_FETCH_BYTES >> 20} MiB")
    return body


def _origin(url: str) -> str:
    # Only scheme and host: a URL may carry a token in its path or query.
    parsed = urllib.parse.urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"


class KuboStore:
    """A Kubo (go-ipfs) node's RPC API: `/api/v0/add` to upload and pin, `/api/v0/cat` to read."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")

    def put(self, data: bytes, name: str, mime: str) -> str:
        body, content_type = _multipart(_Part(name, mime, data))
        query = urllib.parse.urlencode({"cid-version": 1, "raw-leaves": "true", "pin": "true"})
        answer = _request(f"{self.api_url}/api/v0/add?{query}", data=body,
                          headers={"Content-Type": content_type}, what="uploading to IPFS")
        try:
            # One JSON object per line; the last names the file.
            cid = bounded_json.loads(answer.decode().strip().splitlines()[-1])["Hash"]
        except (ValueError, KeyError, IndexError):
            raise StorageError("the IPFS node gave an answer without a CID") from None
        return ipfs_uri(_checked_cid(cid, data))

    def get(self, uri: str) -> bytes:
        cid = cid_of(uri)
        data = _request(f"{self.api_url}/api/v0/cat?{urllib.parse.urlencode({'arg': cid})}", data=b"",
                        what=f"reading {cid} from IPFS")
        verify_cid(cid, data)
        return data


class PinningStore:
    """A pinning service that takes a multipart upload with a bearer token (Pinata's pinFileToIPFS and
    compatible services); files are read back through an HTTP gateway."""

    def __init__(self, upload_url: str, token: Secret, gateway: str) -> None:
        self.upload_url = upload_url
        self._token = token
        self.gateway = Gateway(gateway)

    def put(self, data: bytes, name: str, mime: str) -> str:
        body, content_type = _multipart(_Part(name, mime, data))
        headers = {"Content-Type": content_type, "Authorization": f"Bearer {self._token.reveal()}"}
        answer = _request(self.upload_url, data=body, headers=headers, what="uploading to the pinning service")
        try:
            reply = bounded_json.loads(answer)
            cid = reply.get("IpfsHash") or reply.get("cid") or reply.get("Hash") or reply["data"]["cid"]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise StorageError("the pinning service gave an answer without a CID") from None
        return ipfs_uri(_checked_cid(str(cid), data))

    def get(self, uri: str) -> bytes:
        return self.gateway.get(uri)


class Gateway:
    """Read-only access through an HTTP gateway (`<gateway>/ipfs/<cid>`)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def put(self, data: bytes, name: str, mime: str) -> str:
        raise StorageError("an HTTP gateway cannot store files",
                           hint="configure a Kubo API URL or a pinning service (`studio publish config`)")

    def get(self, uri: str) -> bytes:
        cid = cid_of(uri)
        data = _request(f"{self.base_url}/ipfs/{cid}", method="GET", what=f"reading {cid} from the gateway")
        verify_cid(cid, data)
        return data


def _checked_cid(cid: str, data: bytes) -> str:
    if not cid or not cid.isalnum():
        raise StorageError("the IPFS service answered with an invalid CID")
    verify_cid(cid, data)
    return cid


class Storage:
    """Stores through one service; reads from the local store first, then that service, then a fallback reader
    (a Kubo node or gateway configured for reading what other libraries published)."""

    def __init__(self, primary: ContentStore, local: LocalStore | None = None,
                 fallback: ContentStore | None = None) -> None:
        self.primary = primary
        self.local = local
        self.fallback = fallback

    def put(self, data: bytes, name: str, mime: str) -> str:
        uri = self.primary.put(data, name, mime)
        log.info("stored %s (%d bytes) as %s", name, len(data), uri)
        return uri

    def get(self, uri: str, expected_hash: str | None = None) -> bytes:
        data = self._read(uri)
        if expected_hash and sha256_hex(data).lower() != expected_hash.lower():
            raise StorageError(f"the bytes of {uri} do not match their recorded hash {expected_hash[:18]}…",
                               hint="the file was changed after it was published; it cannot be trusted")
        return data

    def _read(self, uri: str) -> bytes:
        if self.local is not None and self.local.has(uri):
            return self.local.get(uri)
        try:
            return self.primary.get(uri)
        except StorageError:
            if self.fallback is None:
                raise
        return self.fallback.get(uri)
