"""Running a plan: each work journaled (the signed transaction stored before it is broadcast), sent, confirmed
and read back before the next; and settling what a crash or a slow network left in flight."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from studio.core.types import Work
from studio.errors import StudioError
from studio.services.publishing.planning import PublishPlan
from studio.services.publishing.setup import PublishSetup
from studio.store.group_members import GroupMemberRecords
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.works import WorkRepository
from studio.story.errors import AlreadyPublished, PublishError, PublishRefused
from studio.story.group_publisher import GroupPublisher, GroupStep, reconcile_group_adds
from studio.story.journal import Journal, Publication
from studio.story.networks import Network
from studio.story.publisher import Publisher, StepResult
from studio.story.settling import reconcile

if TYPE_CHECKING:  # the client loads web3: it is handed over, never imported to run
    from studio.story.chain import ChainClient

log = logging.getLogger(__name__)

QUIET_TIMEOUT_S = 5.0


class PublishRunner:
    def __init__(self, setup: PublishSetup, journal: Journal, works: WorkRepository,
                 spg_collections: SpgCollectionRecords, group_members: GroupMemberRecords) -> None:
        self.setup = setup
        self.journal = journal
        self.works = works
        self.spg_collections = spg_collections
        self.group_members = group_members

    def execute(self, plan: PublishPlan) -> list[StepResult]:
        """Send the plan's works in order; each is journaled, confirmed and read back before the next."""
        if not plan.allowed:
            raise PublishRefused(plan.refusal_text(), reasons=list(plan.refusals),
                                 hint="nothing was sent; `studio license check` explains each reason")
        chain = self.setup.client(plan.network)
        chain.require_code()
        self._settle_before_sending(chain, plan.wallet)
        self.setup.fund_devnet(chain, plan.wallet)
        publisher = self._publisher(chain, plan.network, plan.wallet)
        groups = GroupPublisher(self.journal, self.group_members, chain, self.setup.storage(plan.network),
                                self.setup.key(plan.network), plan.wallet)
        return [groups.publish(step) if isinstance(step, GroupStep) else publisher.publish(step)
                for step in plan.steps]

    def finish(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> StepResult:
        """Complete a confirmed publication whose follow-up (rev-share raise, read-back) was interrupted."""
        net = self.setup.network(network_name, rpc_url)
        work = self.works.resolve(ref)
        pub = self.journal.confirmed(work.id, net.name)
        if pub is None or pub.origin != "published":
            raise PublishError(f"“{work.title}” has no publication of yours on {net.name} to finish")
        return self._publisher(self.setup.client(net), net, self.setup.wallet().address).finish(pub)

    def _publisher(self, chain: ChainClient, net: Network, wallet: str) -> Publisher:
        return Publisher(self.journal, self.works, self.spg_collections, chain, self.setup.storage(net),
                         self.setup.key(net), wallet)

    def _settle_before_sending(self, chain: ChainClient, wallet: str) -> None:
        """A wallet's nonce is never used twice: every earlier transaction of the journal must be settled."""
        reconcile(self.journal, chain)
        reconcile_group_adds(self.journal, self.group_members, chain)
        waiting = [p for p in self.journal.in_flight(chain.network.name) if (p.wallet or "").lower() == wallet.lower()]
        if waiting:
            raise AlreadyPublished(
                f"publication {waiting[0].id} ({waiting[0].work_id}) still waits for its receipt "
                f"(transaction {waiting[0].tx_hash}); nothing new is sent until it is settled",
                hint="run `studio publish status` again in a moment",
            )

    # --- the journal ------------------------------------------------------------------------------

    def on_chain(self, work_id: str, network_name: str | None = None) -> bool:
        return self.journal.is_on_chain(work_id, network_name or self.setup.default_network())

    def ip_of(self, work: Work, net: Network) -> str:
        return ip_of(self.journal, work, net)

    def status(self, ref: str | None = None, network_name: str | None = None, rpc_url: str | None = None,
               *, settle: bool = True) -> list[Publication]:
        """The journal, after settling what is in flight on the networks concerned."""
        work_id = self.works.resolve(ref).id if ref else None
        if settle:
            for name in self._in_flight_networks(network_name):
                self.reconcile(self.setup.network(name, rpc_url))
        return self.journal.list(network=self.setup.network(network_name).name if network_name else None,
                                 work_id=work_id)

    def settle(self, network_name: str | None = None, rpc_url: str | None = None) -> list[str]:
        """Settle what is in flight; returns, per network that could not be reached, why (nothing is lost: its
        publications stay in flight until the next try)."""
        problems = []
        for name in self._in_flight_networks(network_name):
            try:
                self.reconcile(self.setup.network(name, rpc_url))
            except StudioError as exc:
                problems.append(f"publications on {name} stay in flight: {exc}")
        return problems

    def _in_flight_networks(self, network_name: str | None) -> list[str]:
        if network_name:
            return [self.setup.network(network_name).name]
        return sorted({*self.journal.unsettled_networks(), *self.group_members.networks_in_flight()})

    def reconcile(self, net: Network) -> list[Publication]:
        chain = self.setup.client(net)
        changed = reconcile(self.journal, chain)
        reconcile_group_adds(self.journal, self.group_members, chain)
        return changed

    def reconcile_quietly(self) -> None:
        """On opening the library: settle publications a crash left in flight, never failing the open and
        never waiting long for a network that does not answer."""
        for name in self._in_flight_networks(None):
            client = None
            try:
                client = self.setup.client(self.setup.network(name), timeout_s=QUIET_TIMEOUT_S)
                reconcile(self.journal, client)
                reconcile_group_adds(self.journal, self.group_members, client)
            except StudioError as exc:
                log.warning("publications on %s stay in flight: %s", name, exc)
            finally:
                if client is not None:
                    client.close()


def ip_of(journal: Journal, work: Work, net: Network) -> str:
    """The work's IP id on the network, or why it has none."""
    pub = journal.confirmed(work.id, net.name)
    if pub is None or pub.ip_id is None:
        raise PublishError(f"“{work.title}” ({work.id}) is not on {net.name}",
                           hint=f"publish it first: `studio publish {work.id} --network {net.name}`")
    return pub.ip_id
