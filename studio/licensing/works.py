"""What the license engine reads (the ancestry of a work, as plain values) and what it answers."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.types import Relation, WorkKind
from studio.errors import InvalidInput
from studio.licensing.catalog import WorkTerms
from studio.licensing.codes import Reason
from studio.licensing.license import License


@dataclass(frozen=True)
class TrainingSignal:
    """One statement about training AI models on a work: the owner's choice in the library (`owner`), the
    file's Content Credentials (`credentials`) or its IPTC/PLUS XMP (`xmp`).

    `use` is "allowed", "notAllowed" or "constrained" (allowed only under terms the studio cannot read); `entry`
    names what said it (e.g. "cawg.ai_generative_training", "plus:DataMining") and `value` the raw value or
    the constraint's text.
    """

    source: str
    use: str
    entry: str
    value: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "use": self.use, "entry": self.entry, "value": self.value}

    @classmethod
    def from_dict(cls, data: object) -> TrainingSignal | None:
        """A stored signal; a damaged one reads as None, an unknown use as "constrained" (never as allowed)."""
        if not isinstance(data, dict) or data.get("source") not in ("owner", "credentials", "xmp"):
            return None
        use = data.get("use") if data.get("use") in ("allowed", "notAllowed", "constrained") else "constrained"
        entry, value = data.get("entry"), data.get("value")
        return cls(data["source"], use, entry if isinstance(entry, str) else "?",
                   value[:200] if isinstance(value, str) else "")


@dataclass(frozen=True)
class LicensedWork:
    """One work of an ancestry as the engine sees it.

    `parents` are (parent id, relation) pairs; `on_chain` says whether it is registered on Story; `flags`
    are the stored violations of its parents' terms (Reasons, or their dicts); `owned` says the studio's
    user holds the rights to it, so that its own license binds others but not them; `training` holds what
    the library and the work's file say about training AI models on it; `confirmed` holds the license
    conditions its creator confirmed for it (e.g. "revenue-under-1m").
    """

    id: str
    title: str
    creator: str | None
    kind: WorkKind
    terms: WorkTerms
    parents: tuple[tuple[str, Relation], ...] = ()
    on_chain: bool = False
    flags: tuple[Reason, ...] = ()
    owned: bool = False
    training: tuple[TrainingSignal, ...] = ()
    confirmed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "confirmed", frozenset(self.confirmed))
        try:
            object.__setattr__(self, "kind", WorkKind(self.kind))
            object.__setattr__(self, "parents", tuple((str(pid), Relation(rel)) for pid, rel in self.parents))
        except ValueError as exc:
            raise InvalidInput(f"work {self.id!r}: {exc}", hint="use a known kind and relation") from None
        object.__setattr__(
            self, "flags", tuple(f if isinstance(f, Reason) else Reason.from_dict(f) for f in self.flags)
        )

    @property
    def license(self) -> License:
        return self.terms.license

    @property
    def parent_ids(self) -> tuple[str, ...]:
        return tuple(pid for pid, _ in self.parents)


@dataclass(frozen=True)
class Attribution:
    """One credit line: who must be credited, under which license, and a ready-to-paste text."""

    work_id: str
    title: str
    creator: str | None
    license_id: str
    license_name: str
    legal_url: str
    required_for: str
    on_chain: bool
    text: str


@dataclass(frozen=True)
class Obligation:
    """A duty that travels with the work (use restrictions, share-alike, non-commercial) and its source."""

    code: str
    text: str
    work_id: str


VERDICT_LABELS = {
    ("you", "remix"): "may be remixed",
    ("you", "commercial"): "may be used commercially",
    ("you", "publish"): "may be published on Story",
    ("others", "remix"): "others may remix it",
    ("others", "commercial"): "others may use it commercially",
    ("you", "train"): "may be used to train a model",
    ("others", "train"): "others may train models on it",
}


@dataclass(frozen=True)
class VerdictLine:
    """One answer of a verdict and the reason for it.

    `who` is "you" (the studio's user: as the work's owner, or as anyone else under its license) or "others"
    (what its license lets everyone else do, stated for works the user owns). `answer` is "yes", "no", or
    "done" (publishing: the work is registered on Story already).
    """

    action: str  # remix | commercial | publish | train
    who: str  # you | others
    answer: str  # yes | no | done | if (allowed only once the creator confirms a condition)
    reason: Reason

    @property
    def allowed(self) -> bool:
        return self.answer == "yes"

    @property
    def label(self) -> str:
        if self.answer == "done":
            return "published on Story"
        return VERDICT_LABELS[(self.who, self.action)]

    def to_dict(self) -> dict[str, str]:
        return {
            "action": self.action, "who": self.who, "answer": self.answer, "label": self.label,
            "code": self.reason.code, "reason": self.reason.message,
        }


@dataclass(frozen=True)
class ConditionState:
    """A condition a license of the work's lineage sets on a use, and whether its creator confirmed it."""

    id: str
    applies_to: str
    statement: str
    license_id: str
    license_name: str
    legal_url: str
    confirmed: bool

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "applies_to": self.applies_to, "statement": self.statement,
                "license": self.license_id, "license_name": self.license_name, "legal_url": self.legal_url,
                "confirmed": self.confirmed}


@dataclass(frozen=True)
class Verdict:
    """What may be done with one work now, and why."""

    work_id: str
    can_remix: bool
    can_use_commercially: bool
    can_publish: bool
    inherited_license: WorkTerms | None
    story_terms: WorkTerms | None
    attribution: tuple[Attribution, ...]
    obligations: tuple[Obligation, ...]
    reasons: tuple[Reason, ...]
    lines: tuple[VerdictLine, ...] = ()  # each answer above (and what others may do) with its reason
    can_train: bool = False  # may the user train AI models on it (see studio.licensing.training)
    others_may_train: bool = False  # what the work states to everyone else (exports, published metadata)
    conditions: tuple[ConditionState, ...] = ()  # what its licenses ask the creator to confirm

    def blocking(self, scope: str | None = None) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocks and (scope is None or r.scope == scope))


@dataclass(frozen=True)
class DerivativePlan:
    """Whether a new work with these parents may be made, under which license, and whether it could be
    published on Story (linked to `on_chain_parents`, under `story_terms`)."""

    parent_ids: tuple[str, ...]
    commercial: bool
    can_make: bool
    can_use_commercially: bool
    can_publish: bool
    license: WorkTerms | None
    license_required: bool
    story_terms: WorkTerms | None
    on_chain_parents: tuple[str, ...]
    expires_at: int | None
    attribution: tuple[Attribution, ...]
    obligations: tuple[Obligation, ...]
    reasons: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        """May the work be made, and used commercially when that was asked for."""
        return self.can_make and (self.can_use_commercially or not self.commercial)

    def blocking(self, scope: str | None = None) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocks and (scope is None or r.scope == scope))
