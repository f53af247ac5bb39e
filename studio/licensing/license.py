"""One license of the catalogue: its PIL reading (`PilTerms`) plus what PIL cannot say (family, training and
output terms, conditions, share-alike, restrictions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from studio.licensing.story_rules import PilTerms

PARAMETERS = ("rev_share", "minting_fee")


class LicenseFamily(StrEnum):
    pil = "pil"
    creative_commons = "creative-commons"
    openrail = "openrail"
    proprietary = "proprietary"
    model = "model"  # a model maker's own license (FLUX.1 [dev], Stability AI Community)
    open_source = "open-source"  # a software license applied to model weights (Apache 2.0)


@dataclass(frozen=True)
class TrainingTerm:
    """Whether the license lets others train AI models on a work (the `[training]` table of its file), and why."""

    allowed: bool
    why: str


@dataclass(frozen=True)
class OutputTerms:
    """What a model's license says about the images made with it, where that differs from its terms for the
    model itself (the `[outputs]` table of its file). `terms` and `training_terms` summarise the license's own
    clauses, naming their section."""

    commercial_use: bool
    attribution_required: bool
    training_allowed: bool
    terms: str
    training_terms: str = ""


@dataclass(frozen=True)
class Condition:
    """A fact the creator must confirm before the license grants a use (a `[[conditions]]` entry of its file):
    `statement` is what they confirm ("your organisation's annual revenue is under US$1,000,000")."""

    id: str
    applies_to: str  # commercial
    statement: str


CONDITION_SCOPES = ("commercial",)


@dataclass(frozen=True)
class License:
    """One license of the catalogue: its PIL reading plus what PIL cannot say."""

    id: str
    name: str
    family: LicenseFamily
    legal_url: str = field(repr=False)
    summary: str = field(repr=False)
    pil: PilTerms = field(repr=False)
    share_alike: bool = field(repr=False)
    attribution_required: bool = field(repr=False)
    use_restrictions: tuple[str, ...] = field(repr=False)
    on_story: str | None = field(repr=False)
    parameters: tuple[str, ...] = field(repr=False)
    training: TrainingTerm = field(repr=False, default=TrainingTerm(False, "no training term stated"))
    outputs: OutputTerms | None = field(repr=False, default=None)
    conditions: tuple[Condition, ...] = field(repr=False, default=())

    @property
    def is_pil(self) -> bool:
        return self.family is LicenseFamily.pil
