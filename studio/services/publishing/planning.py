"""Planning a publication: which works go on Story in which order (the user's own unpublished ancestors first),
what the license and royalty engines decide about each, and what the network says sending it will cost.
Nothing is sent and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.errors import StudioError
from studio.licensing import LicenseCatalog, LicensedWork, Reason, Verdict, WorkTerms, effective_pil, royalty_links
from studio.licensing.codes import reason
from studio.licensing.publishing import PublishJudgement, judge_publication, requested_terms
from studio.licensing.wording import describe
from studio.lineage.graph import LineageGraph
from studio.royalty import RoyaltySplit, royalty_split
from studio.royalty.groups import DataPayout
from studio.royalty.publishing import cap_refusals, publish_royalty
from studio.services.approval import ReleaseGate
from studio.services.licensing_view import LicenseViewFactory, now
from studio.services.publishing.setup import PublishSetup
from studio.services.publishing.training_planning import (
    MAX_STORY_PARENTS,
    TRAINING_KINDS,
    StoryTerms,
    data_payouts,
    group_step,
    model_step,
)
from studio.store.group_members import GroupMemberRecords
from studio.store.members import MemberRecords
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.works import WorkRepository
from studio.story.errors import AlreadyPublished, RpcUnreachable
from studio.story.fees import FeeEstimate, estimate_fees
from studio.story.group_publisher import GroupStep, offers_to_pool
from studio.story.journal import Journal, Publication
from studio.story.metadata import CreditedParent
from studio.story.networks import Network
from studio.story.prediction import Prediction
from studio.story.publisher import StepPlan


@dataclass(frozen=True)
class PublishOptions:
    network: str | None = None
    rpc_url: str | None = None
    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    max_minting_fee: int | None = None
    max_rev_share: int | None = None
    with_ancestors: bool = True
    estimate_fees: bool = True


@dataclass(frozen=True)
class PublishPlan:
    """What would be sent, in order (ancestors first), everything that refuses it, and (for a plan that may be
    sent) the network's estimate of the gas it costs."""

    network: Network
    wallet: str
    target: Work
    steps: tuple[StepPlan | GroupStep, ...]
    verdicts: dict[str, Verdict]
    refusals: tuple[Reason, ...]
    fees: FeeEstimate | None = None
    fees_unavailable: str | None = None  # why the network could not quote the gas (it could not be reached)
    notes: tuple[Reason, ...] = ()  # what the engines decided about training sets, models and their links
    data_payouts: tuple[DataPayout, ...] = ()  # what 1 IP paid to the target pays its training sets' creators

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def minting_fee(self) -> int:
        return sum(s.minting_fee for s in self.steps)

    def fee_line(self) -> str | None:
        """The gas line shown before signing: the network's estimate, or why there is none."""
        if self.fees is not None:
            return self.fees.text()
        if self.fees_unavailable is not None:
            return f"gas: estimate unavailable, {self.fees_unavailable}; sending needs the network"
        return None

    def refusal_text(self) -> str:
        first = self.refusals[0].message
        others = len(self.refusals) - 1
        more = f" (and {others} more reason{'s' if others != 1 else ''})" if others else ""
        return f"“{self.target.title}” cannot be published on {self.network.name}: {first}{more}"


class PublishPlanner:
    def __init__(self, *, works: WorkRepository, members: MemberRecords, group_members: GroupMemberRecords,
                 spg_collections: SpgCollectionRecords, library_root: Path, catalog: LicenseCatalog,
                 journal: Journal, setup: PublishSetup, graph: LineageGraph, licenses_on: LicenseViewFactory,
                 release_gate: ReleaseGate | None = None) -> None:
        self.works = works
        self.members = members
        self.group_members = group_members
        self.library_root = library_root
        self.catalog = catalog
        self.licenses_on = licenses_on  # the license view of one network
        self.journal = journal
        self.spg_collections = spg_collections
        self.setup = setup
        self.graph = graph
        self._release_gate = release_gate

    def plan(self, ref: str, options: PublishOptions | None = None) -> PublishPlan:
        """Judge the work (and the ancestors that must go first) with the license and royalty engines, the
        release gate and the journal; then ask the network what sending it costs."""
        options = options or PublishOptions()
        net = self.setup.network(options.network, options.rpc_url)
        target = self.works.resolve(ref)
        self.setup.refuse_dev_account_off_devnet(net)
        wallet = self.setup.wallet()
        live = self.journal.live(target.id, net.name)
        # A training set already on the network plans again: members that reached Story since then join it.
        rejoin = target.kind is WorkKind.collection and live is not None and live.state == "confirmed"
        if live is not None and live.state in ("sent", "confirmed") and not rejoin:
            message, hint = _live_message(live, target)
            raise AlreadyPublished(message, hint=hint)
        if target.kind in TRAINING_KINDS:
            return self._estimated(self._plan_training(target, net, wallet.address, options), options)
        planned: set[str] = set()
        view = self.licenses_on(net.name, planned=planned)
        order, refusals = self._order(target, net, options.with_ancestors)
        steps: list[StepPlan] = []
        verdicts: dict[str, Verdict] = {}
        notes: list[Reason] = []
        for work in order:
            is_target = work.id == target.id
            works = view.ancestry([work.id])
            new_terms = requested_terms(
                work.id, works, self.catalog, license_id=options.license_id, rev_share=options.rev_share,
                minting_fee=options.minting_fee,
            ) if is_target else None
            step, verdict, reasons, found = self._judge(work, works, new_terms, options if is_target else None, net)
            notes += found
            verdicts[work.id] = verdict
            refusals += reasons
            if step is not None:
                steps.append(step)
            planned.add(work.id)
        plan = PublishPlan(net, wallet.address, target, tuple(steps), verdicts, tuple(_unique(refusals)),
                           notes=tuple(notes),
                           data_payouts=data_payouts(self.works, self.group_members, self.journal, _last(steps), net,
                                                     fee_percent=self._treasury_fee(net, steps)))
        return self._estimated(plan, options)

    def royalty_on(self, ref: str, network: str | None = None, policy: str | None = None) -> RoyaltySplit:
        """The work's split as on the network: the models it links to there (or would, once published) under
        their Story terms, with their training sets' groups; models it only credits left out."""
        net = self.setup.network(network)
        work = self.works.resolve(ref)
        view = self.licenses_on(net.name)
        works, _judged, _notes = self._link_models(work, view.ancestry([work.id]), None, net)
        if work.kind in TRAINING_KINDS:
            # A model or LoRA links to its training set's group: both count under their Story terms there.
            sets = {pid for pid, rel in works[work.id].parents if rel is Relation.trained_on}
            works = StoryTerms(self.journal, self.catalog, net.name).apply(works, {work.id, *sets})
        chosen = policy or effective_pil(works[work.id].terms).royalty_policy or "lap"
        return royalty_split(work.id, links_under(chosen, royalty_links(work.id, works), works), chosen)

    def _estimated(self, plan: PublishPlan, options: PublishOptions) -> PublishPlan:
        net, wallet = plan.network, plan.wallet
        if not plan.allowed or not options.estimate_fees or not plan.steps:
            return plan
        try:
            chain = self.setup.client(net)
            fees = estimate_fees(chain, self.journal, self.spg_collections.address(net.name, wallet),
                                 wallet, plan.steps)
        except RpcUnreachable as exc:
            # The judgement stands without the network; only the price of gas needs it (and, later, sending).
            return replace(plan, fees_unavailable=str(exc))
        return replace(plan, fees=fees)

    def _treasury_fee(self, net: Network, steps: list[StepPlan] | list[StepPlan | GroupStep]) -> int:
        """The network's cut of royalty payments, for the data's preview (0 where the network cannot be asked)."""
        last = _last(steps)
        if not isinstance(last, StepPlan) or last.split is None:
            return 0
        try:
            return self.setup.client(net).contracts.royalty_fee_percent()
        except StudioError:
            return 0

    def _opted_in(self, group: GroupStep, net: Network) -> tuple[GroupStep, list[Reason]]:
        """Others' members join only if they offer the group's terms to its pool (Story refuses the rest); where
        the network can be asked, those that do not are left out of the plan, and so out of its preview."""
        others = [m for m in group.joining if not m.own]
        if not others:
            return group, []
        try:
            chain = self.setup.client(net)
            ready = {m.ip_id for m in others if offers_to_pool(chain, m.ip_id, group.terms)}
        except RpcUnreachable:
            return group, []
        left = [m for m in others if m.ip_id not in ready]
        if not left:
            return group, []
        kept = tuple(m for m in group.joining if m.own or m.ip_id in ready)
        noun = "work" if len(left) == 1 else "works"
        return replace(group, joining=kept), [reason("group_member_not_opted_in", group.work.id,
                                                     count=f"{len(left)} {noun}", network=net.name)]

    def _plan_training(self, target: Work, net: Network, wallet: str, options: PublishOptions) -> PublishPlan:
        """A training set (as a group), or a model or LoRA (after its training set's group, when that is not on
        the network yet and may be published here)."""
        view = self.licenses_on(net.name)
        works = view.ancestry([target.id])
        story = StoryTerms(self.journal, self.catalog, net.name)
        steps: list[StepPlan | GroupStep] = []
        reasons: list[Reason] = []
        collection = target if target.kind is WorkKind.collection else next(
            (self.works.get(pid) for pid, rel in works[target.id].parents if rel is Relation.trained_on),
            None)
        planned: WorkTerms | None = None
        if collection is not None and (collection is target or not self.journal.is_on_chain(collection.id, net.name)):
            group, found = group_step(self.works, self.members, self.catalog, self.journal,
                                      view.ancestry([collection.id]), collection, net, wallet,
                                      license_id=options.license_id, rev_share=options.rev_share)
            reasons += found
            if group is not None:
                group, found = self._opted_in(group, net)
                reasons += found
                steps.append(group)
                planned = group.terms if collection is not target else None
                # Story links nothing to a group without members, so neither a model's group nor a set with no
                # works at all is registered empty.
                if not group.joining and (collection is not target or not group.credits):
                    reasons.append(reason("group_is_empty", collection.id, title=collection.title,
                                          network=net.name))
        if target.kind is not WorkKind.collection:
            model, found = model_step(self.group_members, self.library_root, self.journal, works, target, net, story,
                                      planned_group=planned)
            reasons += found
            if model is not None:
                steps.append(model)
        refusals = tuple(_unique([r for r in reasons if r.blocks]))
        notes = tuple(r for r in reasons if not r.blocks)
        payouts = data_payouts(self.works, self.group_members, self.journal, _last(steps), net, tuple(steps),
                               self._treasury_fee(net, steps))
        return PublishPlan(net, wallet, target, tuple(steps) if not refusals else (), {}, refusals, notes=notes,
                           data_payouts=payouts)

    def _order(self, target: Work, net: Network, with_ancestors: bool) -> tuple[list[Work], list[Reason]]:
        """The target's Story ancestors that are not on the network yet, ancestors first, then the target.
        Only works the user made are published on their behalf; the others are named as refusals."""
        order: list[Work] = []
        refusals: list[Reason] = []
        seen: set[str] = set()

        def visit(work: Work) -> None:
            if work.id in seen:
                return
            seen.add(work.id)
            for edge in self.graph.parents(work.id):
                parent = self.works.get(edge.parent_id)
                if not self.catalog.get(parent.license_id).is_pil or self.journal.is_on_chain(parent.id, net.name):
                    continue
                if not with_ancestors or parent.origin is Origin.imported:
                    why = ("it was imported: publish it yourself if it is yours, or import it from Story with "
                           "`studio import-ip`") if parent.origin is Origin.imported else "it is not on chain yet"
                    refusals.append(Reason("parent_not_on_chain", f"Publish “{parent.title}” ({parent.id}) on "
                                           f"{net.name} first: {why}.", parent.id, "block", "publish"))
                    continue
                visit(parent)
            order.append(work)

        visit(target)
        return order, refusals

    def _judge(self, work: Work, works: dict[str, LicensedWork], new_terms: WorkTerms | None,
               options: PublishOptions | None, net: Network
               ) -> tuple[StepPlan | None, Verdict, list[Reason], list[Reason]]:
        works, judged, notes = self._link_models(work, works, new_terms, net)
        refusals = [*judged.refusals, *self._gate(work)]
        if judged.terms is None:
            return None, judged.verdict, refusals, notes
        if new_terms is not None:
            works = {**works, work.id: replace(works[work.id], terms=new_terms)}
        royalty_refusals, split = publish_royalty(
            work.id, [(p.work_id, p.royalty_percent) for p in judged.parents], royalty_links(work.id, works),
            judged.policy, refusals,
        )
        refusals += royalty_refusals
        credits = tuple(CreditedParent(works[pid].id, works[pid].title, works[pid].creator, works[pid].license.id, rel)
                        for pid, rel in judged.credited)
        step = StepPlan(
            work=work,
            image_path=self.library_root / (work.file_path or ""),
            terms=judged.terms,
            parents=judged.parents,
            credits=credits,
            policy=judged.policy,
            split=split,
            new_terms=new_terms,
            max_minting_fee=options.max_minting_fee if options else None,
            max_revenue_share=options.max_rev_share if options else None,
            ai_training=judged.verdict.others_may_train,
        )
        refusals += cap_refusals(work.id, work.title, revenue_share=step.revenue_share, minting_fee=step.minting_fee,
                                 max_revenue_share=step.max_revenue_share, max_minting_fee=step.max_minting_fee)
        return step, judged.verdict, refusals, notes

    def _link_models(self, work: Work, works: dict[str, LicensedWork], new_terms: WorkTerms | None, net: Network
                     ) -> tuple[dict[str, LicensedWork], PublishJudgement, list[Reason]]:
        """The image judged with the models it was made with linked as Story parents where they are on the
        network and the link is allowed (the image carries their terms, 16 parents at most); else as before,
        crediting them, with the reason."""
        def judge(seen: dict[str, LicensedWork]) -> PublishJudgement:
            return judge_publication(work.id, seen, now=now(), catalog=self.catalog, has_image=bool(work.file_path),
                                     new_terms=new_terms)

        story = StoryTerms(self.journal, self.catalog, net.name)
        works = story.apply(works, self._linked_upstream(work.id, works, net))
        plain = judge(works)
        tools = [works[pid] for pid, rel in works[work.id].parents
                 if rel in (Relation.generated_with, Relation.styled_with) and works[pid].kind in TRAINING_KINDS]
        on_chain = [m for m in tools if story.of(m) is not None]
        notes = [reason("model_not_on_chain", work.id, model=m.title, network=net.name, model_id=m.id)
                 for m in tools if m not in on_chain and any(rel is Relation.trained_on for _, rel in m.parents)]
        if not on_chain:
            return works, plain, notes
        ids = {m.id for m in on_chain} | {pid for m in on_chain for pid, rel in m.parents if rel is Relation.trained_on}
        seen = story.apply(works, ids)
        linked = judge(seen)
        new_blocks = {r.code for r in linked.refusals} - {r.code for r in plain.refusals}
        for model in on_chain:
            if len(linked.parents) > MAX_STORY_PARENTS:
                notes.append(reason("model_not_linked_parents", work.id, title=work.title,
                                    count=len(plain.parents), model=model.title))
            elif new_blocks:
                notes.append(reason("model_not_linked_terms", work.id, title=work.title, model=model.title,
                                    network=net.name, model_terms=describe(seen[model.id].terms),
                                    terms=describe(new_terms or works[work.id].terms)))
            else:
                notes.append(reason("model_linked", work.id, title=work.title, model=model.title, network=net.name))
        if new_blocks or len(linked.parents) > MAX_STORY_PARENTS:
            # Not linked: on Story the models carry their group's terms, never their library license, so the
            # image is judged without them as parents and credits them instead.
            detached = {m.id for m in on_chain}
            me = works[work.id]
            apart = {**works, work.id: replace(me, parents=tuple(p for p in me.parents if p[0] not in detached))}
            judged = judge(apart)
            credited = tuple((pid, rel) for pid, rel in me.parents if pid in detached)
            return apart, replace(judged, credited=judged.credited + credited), notes
        return seen, linked, notes

    def _linked_upstream(self, work_id: str, works: dict[str, LicensedWork], net: Network) -> set[str]:
        """The models that published ancestors of the work link to on the network, and their training sets: the
        chain's royalty reaches the training set's group through them, so the engines see them under their
        Story terms too (a remix of an image made with a model owes the model's group as the image does)."""
        found: set[str] = set()
        for ancestor_id, node in works.items():
            if ancestor_id == work_id or node.kind in TRAINING_KINDS:
                continue
            pub = self.journal.confirmed(ancestor_id, net.name)
            prediction = Prediction.of(pub) if pub is not None else None
            for parent in prediction.parents if prediction is not None else ():
                model = works.get(parent.work_id)
                if model is not None and model.kind in TRAINING_KINDS:
                    found |= {model.id, *(pid for pid, rel in model.parents if rel is Relation.trained_on)}
        return found

    def _gate(self, work: Work) -> list[Reason]:
        if self._release_gate is None:
            return []
        refusal = self._release_gate.status(work.id).refusal()
        return list(refusal.reasons) if refusal is not None else []


def links_under(policy: str, links: dict[str, list[tuple[str, int]]], works: dict[str, LicensedWork]
                ) -> dict[str, list[tuple[str, int]]]:
    """The royalty edges as Story's IP graph reads them under `policy`: an edge made under the other policy (its
    parent's terms carry it) reads as 0, so a work linked under LAP pays nothing under LRP and the other way round.
    The edge stays, as in the graph: LAP still counts the paths through it."""
    return {child: [(pid, pct if effective_pil(works[pid].terms).royalty_policy == policy else 0)
                    for pid, pct in edges] for child, edges in links.items()}


def _last(steps: list[StepPlan] | list[StepPlan | GroupStep]) -> StepPlan | GroupStep | None:
    return steps[-1] if steps else None


def _unique(reasons: list[Reason]) -> list[Reason]:
    """One reason per message; and one "publish it first" per parent (the plan's own wording comes first and
    says why the studio will not publish that parent itself)."""
    seen: set[tuple[str, str | None]] = set()
    kept = []
    for r in reasons:
        key = (r.code, r.work_id) if r.code == "parent_not_on_chain" else (r.code, r.message)
        if key not in seen:
            seen.add(key)
            kept.append(r)
    return kept


def _live_message(pub: Publication, work: Work) -> tuple[str, str]:
    if pub.state == "sent":
        return (f"“{work.title}” was sent to {pub.network} by {pub.author} at {pub.updated_at} (transaction "
                f"{pub.tx_hash}) and waits for its receipt; it is never sent twice",
                "run `studio publish status` to settle it")
    return (f"“{work.title}” is already on {pub.network} as IP {pub.ip_id}, published by {pub.author} at "
            f"{pub.updated_at}", f"see `studio publish status {work.id}`")
