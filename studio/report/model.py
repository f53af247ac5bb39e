"""What a lineage & compliance report states about one work and its ancestors, as plain values.

The same values become the JSON and the HTML, so both say exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LicenseSummary:
    id: str
    name: str
    legal_url: str
    family: str
    commercial_use: bool
    derivatives_allowed: bool
    share_alike: bool
    rev_share_percent: float | None  # the PIL commercial revenue share a remix owes; None without PIL commercial terms
    royalty_policy: str | None


@dataclass(frozen=True)
class PublicationEntry:
    """One row of the publishing journal: `state` is draft, sent, confirmed or failed."""

    network: str
    chain_id: int
    state: str
    ip_id: str | None
    tx_hash: str | None


@dataclass(frozen=True)
class CredentialsVerdict:
    """What the Content Credentials of the work's file said when they were last checked."""

    state: str  # none | trusted | valid | invalid
    tampered: bool
    signer: str | None
    summary: str
    manifest_label: str | None
    checked_at: str
    source: str  # import | export


@dataclass(frozen=True)
class Problem:
    """A blocking or warning reason (or an informational note) with its code, its words and the rule behind it."""

    code: str
    severity: str  # block | warn | info
    scope: str  # make | commercial | publish
    message: str
    work_id: str | None
    rule: str | None


@dataclass(frozen=True)
class VerdictEntry:
    """One answer about the reported work with the reason for it (see `studio.licensing.works.VerdictLine`)."""

    action: str  # remix | commercial | publish
    who: str  # you | others
    answer: str  # yes | no | done | if (allowed once the creator confirms a condition)
    label: str
    code: str
    reason: str


@dataclass(frozen=True)
class Registration:
    """A confirmed registration of a work as a Story IP asset on one network, with its block explorer page."""

    ip_id: str
    network: str
    chain_id: int
    explorer_url: str | None  # None where the network has no block explorer (the local devnet)

    @property
    def text(self) -> str:
        return f"Published as IP {self.ip_id} on {self.network}"

    @property
    def explorer_text(self) -> str:
        if self.explorer_url is not None:
            return self.explorer_url
        return f"{self.network} has no block explorer: the IP lives on this computer's local chain only"

    def to_dict(self) -> dict[str, str | int | None]:
        return {"id": self.ip_id, "network": self.network, "chain_id": self.chain_id, "explorer_url": self.explorer_url}


@dataclass(frozen=True)
class Node:
    """The work itself (generation 0) or one of its ancestors."""

    id: str
    title: str
    creator: str | None
    kind: str
    origin: str
    generation: int  # the longest path to the reported work: parents are drawn above all their children
    relation: str | None  # how the nearest child came from it
    license: LicenseSummary
    can_remix: bool
    can_use_commercially: bool
    can_publish: bool
    publications: tuple[PublicationEntry, ...]
    credentials: CredentialsVerdict | None
    flags: tuple[Problem, ...]
    recipe: dict[str, Any] | None
    sha256: str
    created_at: str

    @property
    def ip_id(self) -> str | None:
        """The Story IP asset id of its confirmed registration, if any."""
        return next((p.ip_id for p in self.publications if p.state == "confirmed" and p.ip_id), None)


@dataclass(frozen=True)
class Link:
    child_id: str
    parent_id: str
    relation: str
    weight: float | None


@dataclass(frozen=True)
class Credit:
    """A ready-to-paste credit line and why it is owed."""

    work_id: str
    text: str
    required_for: str
    license_id: str
    legal_url: str


@dataclass(frozen=True)
class ConditionEntry:
    """A condition a license of the lineage sets on a use, and whether the creator confirmed it for this work."""

    id: str
    applies_to: str
    statement: str
    license_name: str
    legal_url: str
    confirmed: bool


@dataclass(frozen=True)
class Duty:
    """An obligation that travels with the work: use restrictions, share-alike, non-commercial."""

    code: str
    text: str
    work_id: str


@dataclass(frozen=True)
class Share:
    work_id: str
    title: str
    depth: int
    percent: float
    units: int


@dataclass(frozen=True)
class RoyaltyTable:
    """Who receives what share of the work's revenue under one Story royalty policy."""

    policy: str  # lap | lrp
    stack_percent: float | None
    creator_percent: float | None
    shares: tuple[Share, ...]
    error: str | None = None  # why Story would refuse this split; the table is then empty


@dataclass(frozen=True)
class ReviewNote:
    """The release approval state when the report was written (not part of the report's fingerprint)."""

    state: str  # approved | rejected | voided | none
    required: bool
    reviewer: str | None
    decided_at: str | None
    comment: str | None
    explanation: str


@dataclass(frozen=True)
class DataCreatorShare:
    creator: str
    works: int  # the creator's works in the group on Story
    wei: int  # per 1 IP paid to the reported work


@dataclass(frozen=True)
class DataShare:
    """What the data behind the work receives on one network: the training set's group's share of the work's
    revenue, shared evenly by its members on Story, per creator for a payment of 1 IP."""

    network: str
    group_id: str
    group_title: str
    group_ip: str | None
    percent: float  # of the work's revenue
    members: int
    due_wei: int  # per 1 IP paid to the work
    creators: tuple[DataCreatorShare, ...]


@dataclass(frozen=True)
class LineageReport:
    work_id: str
    title: str
    generated_at: str
    can_remix: bool
    can_use_commercially: bool
    can_publish: bool
    nodes: tuple[Node, ...]  # the reported work first, then its ancestors by generation
    links: tuple[Link, ...]
    credits: tuple[Credit, ...]
    duties: tuple[Duty, ...]
    problems: tuple[Problem, ...]  # block and warn, the reported work's first
    notes: tuple[Problem, ...]  # info
    royalties: tuple[RoyaltyTable, ...]
    review: ReviewNote | None = None
    verdicts: tuple[VerdictEntry, ...] = ()
    registrations: tuple[Registration, ...] = ()
    data_shares: tuple[DataShare, ...] = ()
    conditions: tuple[ConditionEntry, ...] = ()

    @property
    def subject(self) -> Node:
        return self.nodes[0]

    def node(self, work_id: str) -> Node:
        return next(n for n in self.nodes if n.id == work_id)
