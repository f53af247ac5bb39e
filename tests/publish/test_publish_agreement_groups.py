"""The engines agree with the chain on generated training sets, models and the images made with them, all sent
through the studio's publish path: each case builds 1-4 members on Story (published by this desk, or by other
people's wallets and linked with import-ip), a training set of them plus works not on Story, a model or LoRA
trained on it under a random group rev share, an image made with the model and sometimes a remix of the image
that raises its share. Every publication's readback must agree with its prediction (the group an ancestor of the
image), and the plan's `data_payouts` for 1 IP must be, per creator and to the wei, what each member's vault
holds after exactly that payment and `collect_for_members`."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

import pytest
from publish_helpers import PCT, WIP_UNIT

from studio.core.types import Origin, Relation, Terms, Work, WorkKind
from studio.lineage.graph import LineageGraph, ParentLink
from studio.royalty.groups import DataPayout
from studio.services.publishing import PublishOptions
from studio.store.works import NewWork
from studio.story.devnet.contributors import Contribution, member_terms, publish_contributions
from studio.story.group_revenue import collect_for_members, member_claimable

SEEDS = (6, 12, 14, 16)
OWN_CREATORS = ("Mia", "Noor")
THEIR_CREATORS = ("Ana", "Bo", "Cy")


@dataclass(frozen=True)
class Member:
    creator: str
    own: bool  # published by this desk; else by the creator's own wallet and linked here with import-ip
    group_terms: bool  # published under exactly the group's terms (else PIL Commercial Remix 5% LAP)


@dataclass(frozen=True)
class Shape:
    members: tuple[Member, ...]
    unpublished: tuple[str, ...]  # licenses of members that are not on Story
    rev_share: int  # the group's, in Story units
    kind: WorkKind  # model or LoRA
    group_first: bool  # the training set published on its own before the model (else with it)
    raise_to: int | None  # percent a remix of the image raises its share to; None: no remix

    def text(self) -> str:
        people = ", ".join(f"{m.creator}{'' if m.own else ' (theirs)'}" for m in self.members)
        return (f"{len(self.members)} members [{people}], {len(self.unpublished)} not on Story, group share "
                f"{self.rev_share / PCT:g}%, {self.kind.value}, group first {self.group_first}, "
                f"remix raised to {self.raise_to}")


def shape_of(seed: int) -> Shape:
    rng = random.Random(seed)
    members = []
    for _ in range(rng.randint(1, 4)):
        own = rng.random() < 0.5
        creator = rng.choice(OWN_CREATORS if own else THEIR_CREATORS)
        members.append(Member(creator, own, group_terms=not own or rng.random() < 0.5))
    unpublished = tuple(rng.choice(["cc-by-4.0", "pil-commercial-remix"]) for _ in range(rng.randint(0, 2)))
    rev_share = rng.randint(1 * PCT, 30 * PCT) | 1  # odd units, so that every rounding shows
    raise_to = rng.choice([None, rev_share // PCT + rng.randint(1, 20)])
    return Shape(tuple(members), unpublished, rev_share, rng.choice([WorkKind.model, WorkKind.lora]),
                 rng.random() < 0.5, raise_to)


def test_the_seeds_cover_the_shapes() -> None:
    """The cases below are worth running: between them, one and several members, members of this desk's and of
    other wallets in one set, works not on Story, models and LoRAs, groups published first or with the model,
    and remixes with and without a raised share."""
    shapes = [shape_of(s) for s in SEEDS]
    sizes = {len(s.members) for s in shapes}
    assert 1 in sizes and max(sizes) >= 3
    assert any({m.own for m in s.members} == {True, False} for s in shapes)
    assert any(m.own and not m.group_terms for s in shapes for m in s.members)
    assert any(s.unpublished for s in shapes) and {s.kind for s in shapes} == {WorkKind.model, WorkKind.lora}
    assert {s.group_first for s in shapes} == {True, False}
    assert {s.raise_to is None for s in shapes} == {True, False}
    creators = [{m.creator for m in s.members} for s in shapes]
    assert any(len(c) < len(s.members) for c, s in zip(creators, shapes, strict=True))  # a creator with 2 works


class Case:
    def __init__(self, desk, devnet, seed: int) -> None:
        self.desk = desk
        self.devnet = devnet
        self.seed = seed
        self.shape = shape_of(seed)
        net = desk.studio.publish_setup.network("devnet")
        self.client = desk.studio.publish_setup.client(net)
        self.storage = desk.studio.publish_setup.storage(net)

    def members(self) -> list[Work]:
        """Each member on Story: published here, or registered by its creator's wallet offering the group's terms
        to the pool and then linked to the library's work with import-ip."""
        desk, shape = self.desk, self.shape
        works: list[Work] = []
        theirs: list[tuple[Work, Contribution]] = []
        for n, m in enumerate(shape.members):
            title = f"s{self.seed} member {n}"
            if m.own:
                work = desk.work(title, rev_share=shape.rev_share / PCT if m.group_terms else 5,
                                 royalty_policy="lrp" if m.group_terms else "lap")
                self.publish(work)
            else:
                work = desk.work(title, owned=False, license_id="cc-by-4.0")
                data = desk.studio.file_of(work).read_bytes()
                theirs.append((work, Contribution(f"{title} by {m.creator}", m.creator, work.sha256, data,
                                                  "image/png")))
            works.append(desk.studio.library.works.update(work.id, creator=m.creator))
        if theirs:
            published = publish_contributions(self.client, self.storage, [c for _, c in theirs],
                                              member_terms(desk.studio.catalog, shape.rev_share))
            for (work, _), ip in zip(theirs, published, strict=True):
                assert desk.studio.ip_importer.import_ip(ip.ip_id, "devnet").id == work.id
        return works

    def model(self, collection: Work) -> Work:
        library = self.desk.studio.library
        with library.db.atomic():
            model = library.works.insert(NewWork(
                kind=self.shape.kind, sha256=uuid.uuid4().hex * 2, title=f"s{self.seed} style",
                creator="Test Creator", origin=Origin.generated, format="safetensors",
                terms=Terms("pil-commercial-remix", rev_share=self.shape.rev_share, royalty_policy="lrp"),
            ))
            LineageGraph(library.edges).add_parents(model.id, [ParentLink(collection.id, Relation.trained_on)])
        return library.works.get(model.id)

    def publish(self, work: Work, rev_share: int | None = None) -> list:
        results = self.desk.studio.publish(work.id, PublishOptions(network="devnet", rev_share=rev_share))
        for r in results:
            pub = r.publication
            assert pub.state == "confirmed", (self.shape.text(), pub.work_id, pub.error)
            assert pub.readback["agrees"], (self.shape.text(), pub.work_id, pub.readback["differences"])
        return results

    def check_payout(self, work: Work, payout: DataPayout, group_ip: str, member_ips: dict[str, str]) -> None:
        """Pay `payout.payment` to the work, collect the group for its members: each creator's members' vaults
        hold what the plan said, to the wei. The chain is put back afterwards, so each payment starts clean."""
        desk, client = self.desk, self.client
        snapshot = self.devnet.rpc("evm_snapshot", [])
        try:
            ips = list(member_ips.values())
            before = {ip: client.contracts.claimable(ip, ip) for ip in ips}
            desk.studio.revenue.pay(work.id, payout.payment, "devnet")
            waiting = member_claimable(client, group_ip, ips)
            collect_for_members(client, desk.studio.publish_setup.key(client.network), group_ip, ips)
            received = {ip: client.contracts.claimable(ip, ip) - before[ip] for ip in ips}
            assert waiting == received, self.shape.text()
            share = self.client.contracts.policy_royalty("lrp", desk.ip(work), group_ip)
            assert payout.group_due == payout.payment * share // 10**8 > 0
            creators = {w.id: w.creator for w in desk.studio.library.works.get_many(list(member_ips)).values()}
            per_creator: dict[str | None, tuple[int, int]] = {}
            for work_id, ip in member_ips.items():
                count, amount = per_creator.get(creators[work_id], (0, 0))
                per_creator[creators[work_id]] = (count + 1, amount + received[ip])
            assert {c.creator: (c.members, c.amount) for c in payout.creators} == per_creator, self.shape.text()
            assert all(received[ip] == payout.per_member > 0 for ip in ips)
        finally:
            assert self.devnet.rpc("evm_revert", [snapshot]) is True

    def run(self) -> None:
        desk, shape, client = self.desk, self.shape, self.client
        members = self.members()
        others = [desk.work(f"s{self.seed} not on Story {n}", license_id=lic, owned=n % 2 == 0)
                  for n, lic in enumerate(shape.unpublished)]
        refs = [w.id for w in [*members, *others]]
        random.Random(self.seed).shuffle(refs)
        collection = desk.studio.collections.create(f"Set {self.seed}", work_refs=refs)
        model = self.model(collection)
        if shape.group_first:
            (group_result,) = self.publish(collection, shape.rev_share)
            (model_result,) = self.publish(model)
        else:
            group_result, model_result = self.publish(model, shape.rev_share)
        group, published_model = group_result.publication, model_result.publication
        assert group.work_id == collection.id and group.prediction["kind"] == "group"
        assert client.groups.is_group(group.ip_id) and group.readback["members"] == len(members)
        member_ips = {w.id: desk.ip(w) for w in members}
        on_chain = [m.lower() for m in client.groups.members(group.ip_id)]
        assert sorted(on_chain) == sorted(ip.lower() for ip in member_ips.values()), shape.text()
        assert client.contracts.royalty_percent(group.ip_id, group.license_terms_ids[0]) == shape.rev_share
        assert client.contracts.parents(published_model.ip_id) == [group.ip_id]

        relation = Relation.styled_with if shape.kind is WorkKind.lora else Relation.generated_with
        image = desk.work(f"s{self.seed} made with the style", parents=[model], relation=relation)
        targets = [image]
        if shape.raise_to is not None:
            targets.append(desk.work(f"s{self.seed} remix", parents=[image], override=shape.raise_to))
        ancestors = {published_model.ip_id.lower(), group.ip_id.lower()}
        for target in targets:
            plan = desk.studio.publish_planner.plan(target.id, PublishOptions(network="devnet"))
            if target is image:
                assert "model_linked" in {r.code for r in plan.notes}, plan.notes
            (payout,) = plan.data_payouts
            assert (payout.group_work_id, payout.members, payout.payment) == (collection.id, len(members), WIP_UNIT)
            (result,) = self.publish(target)
            pub = result.publication
            predicted = {a["ip_id"].lower(): a["royalty"] for a in pub.prediction["ancestors"]}
            assert ancestors <= set(predicted), shape.text()
            read = {a["ip_id"].lower(): a["royalty"] for a in pub.readback["ancestors"]}
            assert read[group.ip_id.lower()] == predicted[group.ip_id.lower()] > 0
            ancestors.add(pub.ip_id.lower())
            self.check_payout(target, payout, group.ip_id, member_ips)


@pytest.mark.parametrize("seed", SEEDS)
def test_groups_models_and_images_agree_with_the_chain(desk, devnet, seed: int) -> None:
    print("\n" + shape_of(seed).text())
    Case(desk, devnet, seed).run()
