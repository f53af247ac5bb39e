"""Reading an IP asset from Story so the library can hold it as a parent: metadata, image, terms, parents.

The metadata is fetched from its URI through the configured storage (the local store on the devnet) and must
match the hash the chain recorded; the image must match the metadata's imageHash. The license terms are the
chain's own, so the work's terms in the library mirror them.

An IP whose metadata names, as its mediaHash, the sha256 of a work the library already holds is that work: it is
linked rather than imported, and nothing is downloaded to keep. Its media is still checked where storage can
fetch it (`check_media`); where it cannot, the metadata's hash, itself bound to the chain by the metadata hash,
is all there is, and the check says so.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core import bounded_json
from studio.core.types import Relation
from studio.licensing import PilTerms
from studio.story.errors import ImportFailed, StorageError
from studio.story.storage import Storage, cid_of, raw_cid_digest
from studio.story.terms import pil_from_struct

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

_RELATIONS = {"MODIFIES": Relation.inpaint_of, "COMBINES": Relation.composite_of}
_EMPTY_HASH = "0x" + "00" * 32
_SHA256 = re.compile(r"0x[0-9a-fA-F]{64}")
MAX_METADATA_BYTES = 1 << 20


@dataclass(frozen=True)
class IpMetadata:
    """An IP's metadata as its URI serves it, checked against the hash the chain recorded."""

    ip_id: str
    uri: str
    digest: str
    data: dict[str, Any]

    @property
    def media(self) -> tuple[str | None, str | None]:
        """(media URL, media hash) as the metadata states them: mediaUrl/mediaHash, else image/imageHash."""
        pairs = (("mediaUrl", "mediaHash"), ("image", "imageHash"))
        for url_key, hash_key in pairs:
            claimed = self.data.get(hash_key)
            if claimed:
                url = self.data.get(url_key)
                return (url if isinstance(url, str) and url else None), (claimed if isinstance(claimed, str) else None)
        return None, None

    def media_sha256(self) -> str | None:
        """The sha256 (lowercase hex, as the library keeps it) the metadata claims for its media, when well formed."""
        _, claimed = self.media
        return claimed[2:].lower() if claimed and _SHA256.fullmatch(claimed) else None


@dataclass(frozen=True)
class MediaCheck:
    """How a linked IP's media hash was checked: against the bytes its URL serves, or taken from the metadata."""

    sha256: str
    uri: str | None
    verified: bool
    note: str | None  # why the bytes could not be checked

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "uri": self.uri, "verified": self.verified, "note": self.note}


@dataclass(frozen=True)
class ChainIp:
    ip_id: str
    token_id: int
    nft_contract: str
    owner: str
    metadata_uri: str
    metadata_hash: str
    metadata: dict[str, Any]
    image: bytes
    image_name: str
    terms: PilTerms
    license_terms_ids: tuple[int, ...]
    rev_share_override: int | None
    parents: tuple[tuple[str, Relation], ...]

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or f"IP {self.ip_id[:10]}")

    @property
    def creator(self) -> str | None:
        creators = self.metadata.get("creators") or []
        first = creators[0] if creators and isinstance(creators[0], dict) else {}
        return str(first["name"]) if first.get("name") else None

    @property
    def description(self) -> str | None:
        text = self.metadata.get("description")
        return str(text) if text else None

    def summary(self) -> dict[str, Any]:
        return {
            "ip_id": self.ip_id,
            "owner": self.owner,
            "parents": [p for p, _ in self.parents],
            "attached_terms_ids": list(self.license_terms_ids),
            "rev_share_override": self.rev_share_override,
            "metadata_uri": self.metadata_uri,
        }


def read_metadata(chain: ChainClient, storage: Storage, ip_id: str) -> IpMetadata:
    """The IP's metadata, read through storage and checked against the chain's hash of it."""
    chain.require_code()
    if not chain.contracts.is_registered(ip_id):
        raise ImportFailed(f"there is no IP asset {ip_id} on {chain.network.name}",
                           hint="check the IP id and the network (--network)")
    uri, digest = chain.contracts.ip_metadata(ip_id)
    if not uri:
        raise ImportFailed(f"IP {ip_id} has no metadata URI, so its image and title are unknown")
    try:
        raw = storage.get(uri, None if digest == _EMPTY_HASH else digest)
        metadata = bounded_json.loads(raw[:MAX_METADATA_BYTES])
    except StorageError as exc:
        raise ImportFailed(f"the metadata of IP {ip_id} cannot be used: {exc.message}", hint=exc.hint) from None
    except ValueError:
        raise ImportFailed(f"the metadata of IP {ip_id} at {uri} is not JSON") from None
    if not isinstance(metadata, dict):
        raise ImportFailed(f"the metadata of IP {ip_id} at {uri} is not a JSON object")
    return IpMetadata(ip_id, uri, digest, metadata)


def fetch_image(storage: Storage, meta: IpMetadata) -> tuple[bytes, str]:
    """The IP's image and its file name; the bytes must match the metadata's imageHash."""
    image_uri = meta.data.get("image") or meta.data.get("mediaUrl")
    image_hash = meta.data.get("imageHash") or meta.data.get("mediaHash")
    if not image_uri or not image_hash:
        raise ImportFailed(f"the metadata of IP {meta.ip_id} names no image with its hash",
                           hint="only IPs whose image can be checked against imageHash are imported")
    try:
        image = storage.get(str(image_uri), str(image_hash))
    except StorageError as exc:
        raise ImportFailed(f"the image of IP {meta.ip_id} cannot be used: {exc.message}", hint=exc.hint) from None
    return image, str(image_uri).rsplit("/", 1)[-1]


def check_media(storage: Storage, meta: IpMetadata) -> MediaCheck:
    """Whether the media the metadata names hashes to the sha256 it claims: checked on the bytes when storage can
    fetch them, refused when fetched bytes differ, and otherwise taken from the metadata with the reason why."""
    sha = meta.media_sha256()
    if sha is None:
        raise ImportFailed(f"the metadata of IP {meta.ip_id} gives no sha256 media hash")
    uri, _ = meta.media
    if uri is None:
        return MediaCheck(sha, None, False, "its metadata gives no media URL")
    wrong = f"the media of IP {meta.ip_id} at {uri} is not the file its mediaHash names"
    if uri.startswith("ipfs://"):
        try:
            named = raw_cid_digest(cid_of(uri))
        except StorageError:
            named = None
        if named is not None and named.hex() != sha:
            raise ImportFailed(f"{wrong}: its CID addresses other bytes", hint="the IP's metadata contradicts itself")
    try:
        data = storage.get(uri)
    except StorageError as exc:
        # Storage checks a raw CID's bytes itself; a mismatch there means bytes did arrive, and they were wrong.
        if "do not match" in exc.message:
            raise ImportFailed(f"{wrong} ({exc.message})", hint="the source is not trustworthy") from None
        return MediaCheck(sha, uri, False, f"its media could not be fetched: {exc.message}")
    if hashlib.sha256(data).hexdigest() != sha:
        raise ImportFailed(f"{wrong}: the bytes fetched hash to something else",
                           hint="the source is not trustworthy")
    return MediaCheck(sha, uri, True, None)


def read_ip(chain: ChainClient, meta: IpMetadata, image: bytes = b"", image_name: str = "") -> ChainIp:
    """What the chain says of the IP: owner, NFT, attached terms and their licensing config, and parents."""
    ip_id = meta.ip_id
    attached = tuple(chain.contracts.attached_terms(ip_id))
    if not attached:
        raise ImportFailed(f"IP {ip_id} carries no license terms, so nothing says how it may be remixed")
    terms = pil_from_struct(chain.contracts.license_terms(attached[0]))
    config = chain.contracts.licensing_config(ip_id, attached[0])
    override = int(config["commercialRevShare"]) if config["isSet"] and config["commercialRevShare"] else None
    relations = {
        str(r.get("parentIpId", "")).lower(): _RELATIONS.get(str(r.get("type")), Relation.remix_of)
        for r in meta.data.get("relationships") or [] if isinstance(r, dict)
    }
    parents = tuple((p, relations.get(p.lower(), Relation.remix_of)) for p in chain.contracts.parents(ip_id))
    _, nft, token_id = chain.contracts.ip_token(ip_id)
    return ChainIp(
        ip_id=ip_id, token_id=token_id, nft_contract=nft, owner=chain.contracts.ip_owner(ip_id), metadata_uri=meta.uri,
        metadata_hash=meta.digest, metadata=meta.data, image=image, image_name=image_name,
        terms=terms, license_terms_ids=attached, rev_share_override=override, parents=parents,
    )
