"""Reading an IP asset from Story so the library can hold it as a parent: metadata, image, terms, parents.

The metadata is fetched from its URI through the configured storage (the local store on the devnet) and must
match the hash the chain recorded; the image must match the metadata's imageHash. The license terms are the
chain's own, so the work's terms in the library mirror them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studio.core.types import Relation
from studio.licensing import PilTerms
from studio.publish.chain import ChainClient
from studio.publish.errors import ImportFailed, StorageError
from studio.publish.storage import Storage
from studio.publish.terms import pil_from_struct

_RELATIONS = {"MODIFIES": Relation.inpaint_of, "COMBINES": Relation.composite_of}
_EMPTY_HASH = "0x" + "00" * 32
MAX_METADATA_BYTES = 1 << 20


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


def fetch_ip(chain: ChainClient, storage: Storage, ip_id: str) -> ChainIp:
    chain.require_code()
    if not chain.is_registered(ip_id):
        raise ImportFailed(f"there is no IP asset {ip_id} on {chain.network.name}",
                           hint="check the IP id and the network (--network)")
    uri, digest = chain.ip_metadata(ip_id)
    if not uri:
        raise ImportFailed(f"IP {ip_id} has no metadata URI, so its image and title are unknown")
    try:
        raw = storage.get(uri, None if digest == _EMPTY_HASH else digest)
        metadata = json.loads(raw[:MAX_METADATA_BYTES])
    except StorageError as exc:
        raise ImportFailed(f"the metadata of IP {ip_id} cannot be used: {exc.message}", hint=exc.hint) from None
    except ValueError:
        raise ImportFailed(f"the metadata of IP {ip_id} at {uri} is not JSON") from None
    if not isinstance(metadata, dict):
        raise ImportFailed(f"the metadata of IP {ip_id} at {uri} is not a JSON object")
    image_uri = metadata.get("image") or metadata.get("mediaUrl")
    image_hash = metadata.get("imageHash") or metadata.get("mediaHash")
    if not image_uri or not image_hash:
        raise ImportFailed(f"the metadata of IP {ip_id} names no image with its hash",
                           hint="only IPs whose image can be checked against imageHash are imported")
    try:
        image = storage.get(str(image_uri), str(image_hash))
    except StorageError as exc:
        raise ImportFailed(f"the image of IP {ip_id} cannot be used: {exc.message}", hint=exc.hint) from None
    attached = tuple(chain.attached_terms(ip_id))
    if not attached:
        raise ImportFailed(f"IP {ip_id} carries no license terms, so nothing says how it may be remixed")
    terms = pil_from_struct(chain.license_terms(attached[0]))
    config = chain.licensing_config(ip_id, attached[0])
    override = int(config["commercialRevShare"]) if config["isSet"] and config["commercialRevShare"] else None
    relations = {
        str(r.get("parentIpId", "")).lower(): _RELATIONS.get(str(r.get("type")), Relation.remix_of)
        for r in metadata.get("relationships") or [] if isinstance(r, dict)
    }
    parents = tuple((p, relations.get(p.lower(), Relation.remix_of)) for p in chain.parents(ip_id))
    _, nft, token_id = chain.ip_token(ip_id)
    return ChainIp(
        ip_id=ip_id, token_id=token_id, nft_contract=nft, owner=chain.ip_owner(ip_id), metadata_uri=uri,
        metadata_hash=digest, metadata=metadata, image=image, image_name=str(image_uri).rsplit("/", 1)[-1],
        terms=terms, license_terms_ids=attached, rev_share_override=override, parents=parents,
    )
