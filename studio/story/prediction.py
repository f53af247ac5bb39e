"""What the engines expect the chain to hold once a publication is registered, stored in the journal before
anything is sent and compared with what the chain reads back afterwards.

The journal keeps it as JSON (`to_json`); `from_json` reads rows written by any earlier version of the studio,
whose optional keys may be missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.store.publications import Publication
from studio.story.errors import PublishError


class BadPrediction(PublishError):
    """A stored prediction lacks what the studio needs to read it."""


@dataclass(frozen=True)
class PredictedParent:
    work_id: str
    ip_id: str
    license_terms_id: int
    royalty_percent: int
    minting_fee: int


@dataclass(frozen=True)
class PredictedAncestor:
    """An ancestor's part of the royalty split: `royalty` in Story units under the policy, `share` in percent."""

    work_id: str
    ip_id: str | None
    royalty: int
    units: int
    share: float


@dataclass(frozen=True)
class Prediction:
    work_id: str
    network: str
    wallet: str
    license_id: str
    license_name: str
    terms: Mapping[str, Any]  # the PIL terms' Story fields as JSON values (bytes as hex)
    royalty_percent: int
    policy: str | None
    rev_share_override: int | None = None
    parents: tuple[PredictedParent, ...] = ()
    minting_fee_total: int = 0
    max_minting_fee: int | None = None
    max_revenue_share: int | None = None
    royalty_stack: int | None = None  # None without a royalty policy; a root's is 0
    creator_share: float = 100.0  # percent
    ancestors: tuple[PredictedAncestor, ...] = ()
    kind: str = "ip"  # "group": a training set's group IP (no NFT of its own, members instead of parents)

    @property
    def parent_terms_ids(self) -> tuple[int, ...]:
        """The license terms ids a remix carries: its parents' (each once, in order)."""
        return tuple(dict.fromkeys(p.license_terms_id for p in self.parents))

    def to_json(self) -> dict[str, Any]:
        return {
            "work_id": self.work_id,
            "network": self.network,
            "wallet": self.wallet,
            "license": {"id": self.license_id, "name": self.license_name},
            "terms": dict(self.terms),
            "rev_share_override": self.rev_share_override,
            "royalty_percent": self.royalty_percent,
            "policy": self.policy,
            "parents": [
                {"work_id": p.work_id, "ip_id": p.ip_id, "license_terms_id": p.license_terms_id,
                 "royalty_percent": p.royalty_percent, "minting_fee": p.minting_fee}
                for p in self.parents
            ],
            "minting_fee_total": self.minting_fee_total,
            "max_minting_fee": self.max_minting_fee,
            "max_revenue_share": self.max_revenue_share,
            "royalty_stack": self.royalty_stack,
            "creator_share": self.creator_share,
            "ancestors": [
                {"work_id": a.work_id, "ip_id": a.ip_id, "royalty": a.royalty, "units": a.units, "share": a.share}
                for a in self.ancestors
            ],
            "kind": self.kind,
        }

    @classmethod
    def of(cls, pub: Publication) -> Prediction | None:
        """The prediction a publication was drafted with (None for one imported from Story)."""
        return cls.from_json(pub.prediction) if pub.prediction else None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prediction:
        try:
            license_ = data.get("license") or {}
            return cls(
                work_id=str(data["work_id"]),
                network=str(data["network"]),
                wallet=str(data["wallet"]),
                license_id=str(license_.get("id", "")),
                license_name=str(license_.get("name", "")),
                terms=dict(data.get("terms") or {}),
                royalty_percent=int(data.get("royalty_percent") or 0),
                policy=data.get("policy"),
                rev_share_override=_int_or_none(data.get("rev_share_override")),
                parents=tuple(
                    PredictedParent(str(p["work_id"]), str(p["ip_id"]), int(p["license_terms_id"]),
                                    int(p.get("royalty_percent") or 0), int(p.get("minting_fee") or 0))
                    for p in data.get("parents") or ()
                ),
                minting_fee_total=int(data.get("minting_fee_total") or 0),
                max_minting_fee=_int_or_none(data.get("max_minting_fee")),
                max_revenue_share=_int_or_none(data.get("max_revenue_share")),
                royalty_stack=_int_or_none(data.get("royalty_stack")),
                creator_share=float(data.get("creator_share", 100.0)),
                ancestors=tuple(
                    PredictedAncestor(str(a["work_id"]), a.get("ip_id"), int(a["royalty"]), int(a.get("units") or 0),
                                      float(a.get("share") or 0.0))
                    for a in data.get("ancestors") or ()
                ),
                kind=str(data.get("kind") or "ip"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BadPrediction(f"a stored publication prediction is unreadable ({exc!r})",
                                hint="`studio publish status` shows what the chain holds") from None


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)
