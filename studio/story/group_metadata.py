"""The IP metadata of a training set's group: what it is, its terms, and every member credited by name.

A group on Story has members only where their creators put their works on Story; the metadata names all of
them (title, creator, license, sha256, and the IP id of those on Story), so the data's credits travel with the
group even for works that are not paid through it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from studio import APP_NAME
from studio.core.types import Work
from studio.licensing import WorkTerms, royalty_percent
from studio.licensing.wording import describe
from studio.story.metadata import RECIPE_KEY, EncodedJson


@dataclass(frozen=True)
class MemberCredit:
    work_id: str
    title: str
    creator: str | None
    license_id: str
    sha256: str
    ip_id: str | None = None  # on Story (and so paid through the group) when set


def group_metadata(work: Work, *, terms: WorkTerms, wallet: str, members: Sequence[MemberCredit]) -> EncodedJson:
    creators = Counter(m.creator or "Unknown creator" for m in members)
    licenses = Counter(m.license_id for m in members)
    obj: dict[str, Any] = {
        "title": work.title,
        "description": work.description or f"The training set “{work.title}”.",
        "createdAt": work.created_at,
        "creators": [{"name": name, "contributionPercent": round(100 * count / max(len(members), 1), 4)}
                     for name, count in creators.most_common()],
        "ipType": "training-set",
        "app": {"id": APP_NAME, "name": "Remix Studio"},
        "publisher": wallet,
        RECIPE_KEY: {
            "workId": work.id,
            "sha256": work.sha256,
            "kind": "collection",
            "terms": {"id": terms.license_id, "name": describe(terms), "royaltyPercent": royalty_percent(terms)},
            "memberCount": len(members),
            "onStory": sum(1 for m in members if m.ip_id),
            "licenses": dict(licenses.most_common()),
            "members": [
                {"workId": m.work_id, "title": m.title, "creator": m.creator, "license": m.license_id,
                 "sha256": m.sha256, **({"ipId": m.ip_id} if m.ip_id else {})}
                for m in members
            ],
        },
    }
    return EncodedJson.of(obj)
