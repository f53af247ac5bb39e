"""What a model's page shows, read from the library on the GUI thread (a handful of queries, grouped in SQL):
the training set a model or LoRA learned from, the base model a LoRA adapts, the data's creators with their
work counts, and where the model and its training set are published on the library's network (the journal only:
what the creators have earned is read from the chain by a job, see `studio.services.publishing.training_earnings`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from studio.app.session import StudioSession
from studio.core.types import Relation, Work, WorkKind
from studio.errors import NotFound, StudioError
from studio.report.registrations import explorer_url
from studio.services import Studio
from studio.services.collections import CollectionSummary

if TYPE_CHECKING:  # the reader loads web3: the Model tab reads earnings in a job, through the facade
    from studio.services.publishing.training_earnings import TrainingEarnings

MODEL_KINDS = frozenset({WorkKind.model, WorkKind.lora})
NO_CREATOR = "(no creator named)"
GROUP_KIND = "group"  # a training set's publication: its prediction's "kind"


@dataclass(frozen=True)
class CreatorRow:
    """One creator of the training data: how many of the set's works are theirs, under which licenses."""

    creator: str  # "" when the works name no creator
    works: int
    licenses: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.creator or NO_CREATOR


@dataclass(frozen=True)
class StoryPlace:
    """A work's IP on one network, as the journal records it."""

    ip_id: str
    explorer_url: str | None  # None where the network has no block explorer (the devnet)


@dataclass(frozen=True)
class StoryFacts:
    network: str
    model: StoryPlace | None
    group: StoryPlace | None  # the training set's group IP
    members_added: int  # members the journal records as added to the group on this network

    @property
    def published(self) -> bool:
        return self.model is not None and self.group is not None


@dataclass(frozen=True)
class ModelFacts:
    model: Work
    base: Work | None  # the model a LoRA or fine-tune adapts (finetuned_from)
    training_set: CollectionSummary | None  # the first set it was trained on
    other_sets: int  # further trained_on sets (rare; named by count)
    creators: tuple[CreatorRow, ...]  # most works first
    story: StoryFacts | None  # None when the model has no training set

    def credit_line(self) -> str:
        """'Trained on 4,200 works by 118 creators, CC BY-SA 4.0' (a clause per license)."""
        if self.training_set is None:
            return "No training set is recorded for this model."
        return f"Trained on {self.training_set.credit_line()}"


def model_facts(studio: Studio, work: Work) -> ModelFacts | None:
    """The page of a model or LoRA; None for any other kind of work."""
    if work.kind not in MODEL_KINDS:
        return None
    parents = studio.graph.parents(work.id)
    base_ids = [e.parent_id for e in parents if e.relation is Relation.finetuned_from]
    set_ids = [e.parent_id for e in parents if e.relation is Relation.trained_on]
    base = studio.library.works.get(base_ids[0]) if base_ids else None
    if not set_ids:
        return ModelFacts(work, base, None, 0, (), None)
    summary = studio.collections.summary(set_ids[0], limit=0)
    return ModelFacts(
        model=work, base=base, training_set=summary, other_sets=len(set_ids) - 1,
        creators=creator_rows(studio, summary.work.id), story=story_facts(studio, work.id, summary.work.id),
    )


def creator_rows(studio: Studio, collection_id: str) -> tuple[CreatorRow, ...]:
    """The set's members counted by creator (the store groups by creator and license; one row per creator here)."""
    works: dict[str, int] = defaultdict(int)
    licenses: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for creator, license_id, count in studio.library.members.credit_groups(collection_id):
        key = creator or ""
        works[key] += count
        if license_id not in names:
            names[license_id] = _license_name(studio, license_id)
        licenses[key].append(names[license_id])
    return tuple(sorted((CreatorRow(c, works[c], tuple(licenses[c])) for c in works),
                        key=lambda row: (-row.works, row.creator.casefold())))


def story_facts(studio: Studio, model_id: str, collection_id: str) -> StoryFacts:
    """Where the model and its training set's group are on the library's network (the journal, no chain)."""
    network = studio.publish_setup.default_network()
    journal = studio.journal
    model_pub = journal.confirmed(model_id, network)
    group_pub = journal.confirmed(collection_id, network)
    if group_pub is not None and (group_pub.prediction or {}).get("kind") != GROUP_KIND:
        group_pub = None  # a collection published some other way is not a training-set group
    added = len(studio.library.group_members.members_of(collection_id, network)) if group_pub is not None else 0
    return StoryFacts(network, _place(network, model_pub.ip_id if model_pub else None),
                      _place(network, group_pub.ip_id if group_pub else None), added)


def _license_name(studio: Studio, license_id: str) -> str:
    try:
        return studio.catalog.get(license_id).name
    except NotFound:  # a license unknown to this version is still counted, by its id
        return license_id


def _place(network: str, ip_id: str | None) -> StoryPlace | None:
    return StoryPlace(ip_id, explorer_url(network, ip_id)) if ip_id else None


def shared_pictures_note(collection: Work) -> str:
    """Why an emoji set counts fewer works than emoji: OpenMoji draws some emoji with one and the same SVG file, and
    each distinct file is one work (see `ensure_openmoji_collection`). '' where the counts agree or are unknown."""
    extra = collection.recipe.extra if collection.recipe is not None else {}
    emoji, works = extra.get("emoji"), extra.get("works")
    if not isinstance(emoji, int) or not isinstance(works, int) or emoji <= works:
        return ""
    return (f"{emoji:,} emoji but {works:,} works: OpenMoji draws some emoji with the same picture file (a farmer "
            "and a man farmer of one skin tone; a territory that flies its country's flag), and each distinct "
            "picture is one work.")


@dataclass(frozen=True)
class EarningsRead:
    """A job's answer: the earnings, or the one line saying why they could not be read."""

    model_id: str
    earnings: TrainingEarnings | None = None
    problem: str | None = None


def read_earnings(studio: Studio, model_id: str, collection_id: str, network: str) -> EarningsRead:
    """What the data's creators of a published model's training set will receive, read from the chain (a job)."""
    try:
        net = studio.publish_setup.network(network)
        if net.is_devnet and net.rpc_url is None and not studio.publish_setup.devnet_status().running:
            # The window starts the library's own devnet when it needs it (not when the library publishes to
            # another devnet node), never asking for a terminal.
            studio.publish_setup.devnet_start()
        earnings = studio.training_earnings.read(collection_id, network)
    except StudioError as exc:  # an unreachable network is a line on the page, not a failed job
        return EarningsRead(model_id, problem=str(exc))
    return EarningsRead(model_id, earnings=earnings)


class ModelPageModel:
    """What the Model tab reads: the library's models and LoRAs, a model's facts and license, and (a job) what
    its training set's creators will receive."""

    def __init__(self, session: StudioSession) -> None:
        self.session = session

    def models(self) -> list[Work]:
        works = self.session.studio.library.works
        return [*works.list(kind=WorkKind.model), *works.list(kind=WorkKind.lora)]

    def facts(self, work: Work) -> ModelFacts | None:
        return model_facts(self.session.studio, work)

    def license_name(self, license_id: str) -> str:
        return self.session.studio.catalog.get(license_id).name

    def read_earnings(self, facts: ModelFacts, job_kind: str) -> int:
        """Submit the chain read for a published model's training set; the job's result is an `EarningsRead`."""
        assert facts.story is not None and facts.training_set is not None
        model_id, collection_id, network = facts.model.id, facts.training_set.work.id, facts.story.network
        return self.session.submit(job_kind, f"Read the earnings of {facts.model.title}",
                                   lambda _ctx, studio: read_earnings(studio, model_id, collection_id, network))
