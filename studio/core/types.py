"""Value types shared by the store, the engines, the CLI and the window."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

# Story's integer percentage scale: 100% = 100_000_000.
HUNDRED_PERCENT = 100_000_000
MAX_PARENTS = 16
MAX_ANCESTORS = 1024


def percent_to_units(percent: float) -> int:
    """10.0 (percent) -> 10_000_000 (Story units)."""
    return round(percent * 1_000_000)


def units_to_percent(units: int | float) -> float:
    return units / 1_000_000


class WorkKind(StrEnum):
    image = "image"
    model = "model"
    lora = "lora"
    # A named set of works (a training set); its members are kept beside the graph, not as parent edges, so a
    # collection of thousands never counts against a derivative's ancestor limit.
    collection = "collection"


class Origin(StrEnum):
    imported = "imported"
    generated = "generated"
    builtin = "builtin"


class Relation(StrEnum):
    """How a child came from a parent."""

    remix_of = "remix_of"
    inpaint_of = "inpaint_of"
    composite_of = "composite_of"
    generated_with = "generated_with"
    styled_with = "styled_with"
    trained_on = "trained_on"  # a model or LoRA -> the collection it learned from
    finetuned_from = "finetuned_from"  # a LoRA or fine-tune -> the model it adapts

    @property
    def parent_kind(self) -> WorkKind:
        if self is Relation.generated_with or self is Relation.finetuned_from:
            return WorkKind.model
        if self is Relation.styled_with:
            return WorkKind.lora
        if self is Relation.trained_on:
            return WorkKind.collection
        return WorkKind.image

    @property
    def child_kinds(self) -> frozenset[WorkKind]:
        """The kinds of work this relation may start from."""
        if self is Relation.trained_on or self is Relation.finetuned_from:
            return frozenset({WorkKind.model, WorkKind.lora})
        return frozenset({WorkKind.image})


@dataclass(frozen=True)
class LoraUse:
    id: str
    weight: float = 1.0
    name: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Recipe:
    """How a work was made. Every field is optional so that foreign recipes (A1111, ComfyUI) fit too."""

    model: str | None = None
    model_sha256: str | None = None
    loras: tuple[LoraUse, ...] = ()
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    strength: float | None = None
    width: int | None = None
    height: int | None = None
    scheduler: str | None = None
    software: str | None = None
    mode: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["loras"] = [asdict(lora) for lora in self.loras]
        return {k: v for k, v in data.items() if v not in (None, (), [], {})}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Recipe:
        if not data:
            return cls()
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known and k != "loras"}
        extra = dict(kwargs.pop("extra", {}) or {})
        extra.update({k: v for k, v in data.items() if k not in known})
        loras = tuple(
            LoraUse(**{k: v for k, v in lora.items() if k in LoraUse.__dataclass_fields__})
            for lora in data.get("loras") or ()
        )
        return cls(loras=loras, extra=extra, **kwargs)


@dataclass(frozen=True)
class Terms:
    """The license a work carries and the values it sets on it; None leaves the license's default.

    `rev_share` (Story units) and `minting_fee` (wei) are the work's own where its license lets it choose;
    `rev_share_override` is the raise-only rev share a published derivative asks of its own remixes."""

    license_id: str
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None
    rev_share_override: int | None = None


@dataclass(frozen=True)
class Work:
    """A node of the lineage graph: an image, a model or a LoRA."""

    id: str
    kind: WorkKind
    sha256: str
    title: str
    creator: str | None
    origin: Origin
    terms: Terms
    created_at: str
    width: int | None = None
    height: int | None = None
    format: str | None = None
    size_bytes: int | None = None
    phash: str | None = None
    file_path: str | None = None
    location: str | None = None
    recipe: Recipe | None = None
    flags: tuple[dict[str, str], ...] = ()
    description: str | None = None
    deleted_at: str | None = None

    @property
    def license_id(self) -> str:
        return self.terms.license_id

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True)
class Edge:
    child_id: str
    parent_id: str
    relation: Relation
    position: int = 0
    weight: float | None = None


@dataclass(frozen=True)
class LineageNode:
    """A work reached from another one through the graph, with the distance and one shortest path."""

    id: str
    depth: int
    path: tuple[str, ...]
    relation: Relation | None = None
