"""Planning training sets and models for Story: the group a training set becomes, the model that derives from it,
and the terms those works carry on a network once they are there (which is what images made with the model link
to). Nothing is sent and nothing is written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.licensing import LicenseCatalog, LicensedWork, Reason, WorkTerms, effective_pil, royalty_links
from studio.licensing.codes import reason
from studio.licensing.publishing import ParentPlan
from studio.licensing.training_sets import judge_model_on_story, judge_training_set
from studio.royalty.groups import DataPayout, data_payout
from studio.royalty.publishing import publish_royalty
from studio.services.training_data import is_group_id
from studio.store.group_members import GroupMemberRecords
from studio.store.members import MemberRecords
from studio.store.works import WorkRepository
from studio.story.group_metadata import MemberCredit
from studio.story.group_publisher import GroupStep, JoiningMember
from studio.story.journal import Journal
from studio.story.metadata import CreditedParent
from studio.story.networks import Network
from studio.story.publisher import StepPlan
from studio.story.terms import story_terms

TRAINING_KINDS = (WorkKind.collection, WorkKind.model, WorkKind.lora)
MAX_STORY_PARENTS = 16
PREVIEW_PAYMENT = 10**18  # the data's share is previewed for a payment of 1 IP


class StoryTerms:
    """What training sets, models and LoRAs carry on one network where that differs from their library license:
    a training set its group's terms, a model the terms it inherited from that group."""

    def __init__(self, journal: Journal, catalog: LicenseCatalog, network: str) -> None:
        self.journal = journal
        self.catalog = catalog
        self.network = network

    def of(self, work: LicensedWork | Work) -> WorkTerms | None:
        if work.kind not in TRAINING_KINDS:
            return None
        return story_terms(self.journal.confirmed(work.id, self.network), self.catalog)

    def apply(self, works: dict[str, LicensedWork], ids: set[str] | None = None) -> dict[str, LicensedWork]:
        """The works as the chain sees them: each training set, model or LoRA on the network (among `ids`, or
        all) under its Story terms; a training set's member licenses are then its members' business."""
        out = dict(works)
        for work_id, work in works.items():
            if ids is not None and work_id not in ids:
                continue
            terms = self.of(work)
            if terms is None:
                continue
            parents = tuple(p for p in work.parents if not is_group_id(p[0]))
            out[work_id] = replace(work, terms=terms, parents=parents, on_chain=True)
        return out


def may_publish_builtin(work: Work, net: Network) -> list[Reason]:
    if work.origin is Origin.builtin and not net.is_devnet:
        return [reason("builtin_only_on_devnet", work.id, title=work.title, network=net.name)]
    return []


def group_step(library_works: WorkRepository, members: MemberRecords, catalog: LicenseCatalog, journal: Journal,
               works: dict[str, LicensedWork], collection: Work, net: Network, wallet: str, *,
               license_id: str | None, rev_share: int | None) -> tuple[GroupStep | None, list[Reason]]:
    """The training set as a group: its terms (kept from its group when it is on the network already), the
    members that join it and every member it credits."""
    node = works[collection.id]
    parts = [works[pid] for pid, _ in node.parents if is_group_id(pid)]
    reasons = may_publish_builtin(collection, net)
    existing = story_terms(journal.confirmed(collection.id, net.name), catalog)
    if existing is not None:
        terms: WorkTerms | None = existing
    else:
        judged = judge_training_set(node, parts, catalog, license_id=license_id, rev_share=rev_share)
        reasons += judged.reasons
        terms = judged.terms
    member_ids = members.members(collection.id)
    member_works = library_works.get_many(member_ids)
    joining: list[JoiningMember] = []
    credits: list[MemberCredit] = []
    for work_id in member_ids:
        member = member_works[work_id]
        pub = journal.confirmed(work_id, net.name)
        ip = pub.ip_id if pub is not None else None
        credits.append(MemberCredit(work_id, member.title, member.creator, member.license_id, member.sha256, ip))
        if ip:
            own = pub is not None and pub.origin == "published" and (pub.wallet or "").lower() == wallet.lower()
            joining.append(JoiningMember(work_id, member.title, ip, own))
    if joining:
        reasons.append(reason("group_member_joins", collection.id, count=_works(len(joining)), network=net.name))
    if len(credits) > len(joining):
        reasons.append(reason("group_members_credited", collection.id, count=_works(len(credits) - len(joining)),
                              network=net.name))
    if terms is None or any(r.blocks for r in reasons):
        return None, reasons
    return GroupStep(collection, terms, tuple(joining), tuple(credits)), reasons


def model_step(group_members: GroupMemberRecords, library_root: Path, journal: Journal,
               works: dict[str, LicensedWork], model: Work, net: Network, story: StoryTerms, *,
               planned_group: WorkTerms | None = None) -> tuple[StepPlan | None, list[Reason]]:
    """The model (or LoRA) as a derivative of its training set's group, under the group's terms; its base
    model credited. `planned_group` is the group's terms when this plan registers the group first."""
    node = works[model.id]
    collection = next((works[pid] for pid, rel in node.parents if rel is Relation.trained_on), None)
    base = next((works[pid] for pid, rel in node.parents if rel is Relation.finetuned_from), None)
    group_terms = planned_group or (story.of(collection) if collection is not None else None)
    if base is not None and story.of(base) is not None:
        base = replace(base, on_chain=True)
    judged = judge_model_on_story(node, collection=collection, group_terms=group_terms, base=base,
                                  network=net.name)
    reasons = [*may_publish_builtin(model, net), *judged.reasons]
    if collection is not None and group_terms is not None and planned_group is None:
        members = group_members.members_of(collection.id, net.name)
        if not members:
            reasons.append(reason("group_is_empty", collection.id, title=collection.title, network=net.name))
    if judged.terms is None or any(r.blocks for r in reasons):
        return None, reasons
    # The royalty engine sees the model and its training set as the chain will: both under the group's terms.
    seen = {**works, model.id: replace(node, terms=judged.terms, parents=tuple(
        (p.work_id, p.relation) for p in judged.parents))}
    assert collection is not None
    seen[collection.id] = replace(collection, terms=judged.terms, parents=())
    parents: tuple[ParentPlan, ...] = judged.parents
    policy = effective_pil(judged.terms).royalty_policy
    refusals, split = publish_royalty(model.id, [(p.work_id, p.royalty_percent) for p in parents],
                                      royalty_links(model.id, seen), policy)
    reasons += refusals
    credits = tuple(CreditedParent(works[pid].id, works[pid].title, works[pid].creator, works[pid].license.id, rel)
                    for pid, rel in judged.credited)
    step = StepPlan(work=model, image_path=library_root / (model.file_path or ""), terms=judged.terms,
                    parents=parents, credits=credits, policy=policy, split=split)
    return (None if refusals else step), reasons


def data_payouts(library_works: WorkRepository, group_members: GroupMemberRecords, journal: Journal,
                 step: StepPlan | GroupStep | None, net: Network, planned: tuple[StepPlan | GroupStep, ...] = (),
                 fee_percent: int = 0) -> tuple[DataPayout, ...]:
    """For each training set among the step's Story ancestors: what a payment of 1 IP to the work pays the
    set's group and each of its creators (members on the network, or joining in this plan)."""
    if not isinstance(step, StepPlan) or step.split is None:
        return ()
    joining = {g.work.id: g.joining for g in planned if isinstance(g, GroupStep)}
    found = []
    for ancestor in step.split.ancestors:
        work = library_works.get(ancestor.id)
        if work.kind is not WorkKind.collection:
            continue
        if ancestor.id in joining:
            pairs = [(m.work_id, m.ip_id) for m in joining[ancestor.id]]
        else:
            pairs = [(r.member_work_id, r.member_ip) for r in group_members.members_of(ancestor.id, net.name)]
        creators = library_works.get_many([work_id for work_id, _ in pairs])
        members = [(ip, creators[work_id].creator) for work_id, ip in pairs]
        stacks = {ip: _own_stacks(journal, work_id, net) for work_id, ip in pairs}
        found.append(data_payout(work.id, work.title, PREVIEW_PAYMENT, ancestor.royalty, members, fee_percent,
                                 stacks))
    return tuple(found)


def _own_stacks(journal: Journal, work_id: str, net: Network) -> tuple[int, ...]:
    """A member's own royalty stack as its publication recorded it (a remix passes that much of what it is paid
    on to its ancestors); () for a root or a work whose stack the library does not know."""
    pub = journal.confirmed(work_id, net.name)
    if pub is None:
        return ()
    stack = (pub.readback or {}).get("royalty_stack")
    if stack is None:
        stack = (pub.prediction or {}).get("royalty_stack")
    return (int(stack),) if stack else ()


def _works(n: int) -> str:
    return f"{n:,} work" + ("" if n == 1 else "s")
