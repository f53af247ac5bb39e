"""The JSON a published work points to: IPA Metadata Standard for the IP, OpenSea-style for the NFT.

The JSON is serialised once, compactly and in key order of construction, and those exact bytes are both stored
and hashed (0x + sha-256), so anyone can check the hash against what the URI serves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from studio import APP_NAME
from studio.core.types import Origin, Relation, Work, WorkKind
from studio.story.storage import sha256_hex

# How a library relation reads as an IPA relationship type. Plain remixes made by the studio's models are
# GENERATED_FROM their parent; remixes recorded from outside are DERIVED_FROM it.
_RELATIONSHIPS = {
    Relation.inpaint_of: "MODIFIES",
    Relation.composite_of: "COMBINES",
    Relation.generated_with: "GENERATED_FROM",
    Relation.styled_with: "INFLUENCES",
    Relation.trained_on: "TRAINED_ON",
    Relation.finetuned_from: "FINETUNED_FROM",
}
RECIPE_KEY = "remixStudio"
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "webp": "image/webp",
               "gif": "image/gif", "bmp": "image/bmp"}


@dataclass(frozen=True)
class ChainParent:
    ip_id: str
    relation: Relation


@dataclass(frozen=True)
class CreditedParent:
    """A parent that is not a Story asset (a model, a CC work): named in the metadata, not linked."""

    work_id: str
    title: str
    creator: str | None
    license_id: str
    relation: Relation


@dataclass(frozen=True)
class EncodedJson:
    data: bytes
    hash: str

    @classmethod
    def of(cls, obj: dict[str, Any]) -> EncodedJson:
        data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(data, sha256_hex(data))


def media_type(work: Work) -> str:
    if work.kind is not WorkKind.image:
        return "application/vnd.safetensors" if (work.format or "").lower() == "safetensors" \
            else "application/octet-stream"
    return MEDIA_TYPES.get((work.format or "").lower(), "application/octet-stream")


def relationship_type(work: Work, relation: Relation) -> str:
    if relation is Relation.remix_of:
        return "GENERATED_FROM" if work.origin is Origin.generated else "DERIVED_FROM"
    return _RELATIONSHIPS[relation]


def ip_metadata(
    work: Work,
    *,
    image_uri: str,
    image_hash: str,
    wallet: str,
    license_summary: dict[str, Any],
    parents: list[ChainParent],
    credits: list[CreditedParent],
    ai_training: bool | None = None,
) -> EncodedJson:
    """The IP's metadata; `ai_training` (may others train AI models on it) is stated as the standard's
    `robotTerms` (robots.txt style: allow "/" or nothing, for every agent) and as the studio's own `aiTraining`."""
    obj: dict[str, Any] = {
        "title": work.title,
        "description": work.description or f"{work.title}, made with Remix Studio.",
        "createdAt": work.created_at,
        "creators": [
            {"name": work.creator or "Unknown creator", "address": wallet, "contributionPercent": 100},
        ],
        **({"image": image_uri, "imageHash": image_hash, "mediaUrl": image_uri} if image_uri else {}),
        "mediaHash": image_hash,
        "mediaType": media_type(work),
        "ipType": work.kind.value,
        "relationships": [
            {"parentIpId": p.ip_id, "type": relationship_type(work, p.relation)} for p in parents
        ],
        "app": {"id": APP_NAME, "name": "Remix Studio"},
        **({} if ai_training is None else {"robotTerms": {"userAgent": "*", "allow": "/" if ai_training else ""}}),
        RECIPE_KEY: {
            "workId": work.id,
            "sha256": work.sha256,
            "license": license_summary,
            "recipe": work.recipe.to_dict() if work.recipe else None,
            **({} if ai_training is None else {"aiTraining": ai_training}),
            "credits": [
                {"workId": c.work_id, "title": c.title, "creator": c.creator, "license": c.license_id,
                 "relation": c.relation.value}
                for c in credits
            ],
        },
    }
    return EncodedJson.of(obj)


def nft_metadata(work: Work, *, image_uri: str, license_name: str) -> EncodedJson:
    obj = {
        "name": work.title,
        "description": work.description or f"{work.title}, made with Remix Studio.",
        "image": image_uri,
        "attributes": [
            {"trait_type": "License", "value": license_name},
            {"trait_type": "Creator", "value": work.creator or "Unknown creator"},
            {"trait_type": "Origin", "value": work.origin.value},
        ],
    }
    return EncodedJson.of(obj)
