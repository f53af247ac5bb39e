"""`PublishingService`: the one entry the CLI and the window use for Story, made of the setup (network, client,
wallet, storage), the planner, the runner, the importer from Story and revenue, each wired with what it needs."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from studio.core.types import Work
from studio.licensing import LicenseCatalog
from studio.lineage.graph import LineageGraph
from studio.royalty import RoyaltySplit
from studio.secrets import SecretStore
from studio.services.publishing.import_ip import IpImporter
from studio.services.publishing.planning import PublishOptions, PublishPlan, PublishPlanner, ReleaseGate
from studio.services.publishing.revenue import RevenueService
from studio.services.publishing.running import PublishRunner
from studio.services.publishing.setup import PublishSetup, WalletStatus
from studio.store.library import Library
from studio.story.chain import ChainClient
from studio.story.devnet import Devnet, DevnetStatus
from studio.story.errors import PublishRefused
from studio.story.journal import Journal, Publication
from studio.story.networks import Network
from studio.story.publisher import SentTx, StepResult
from studio.story.royalty_payments import Claimable
from studio.story.storage import Storage
from studio.story.wallet import DEFAULT_WALLET, Wallet, WalletStore

WALLET_ENV = "STUDIO_WALLET"


class PublishingService:
    def __init__(self, journal: Journal, setup: PublishSetup, planner: PublishPlanner, runner: PublishRunner,
                 importer: IpImporter, revenue: RevenueService) -> None:
        self.journal = journal
        self.setup = setup
        self.planner = planner
        self.runner = runner
        self.importer = importer
        self.revenue_service = revenue

    @classmethod
    def build(cls, library: Library, catalog: LicenseCatalog, journal: Journal, graph: LineageGraph, *,
              secrets: SecretStore | None = None, release_gate: ReleaseGate | None = None,
              wallet_name: str | None = None) -> PublishingService:
        """The parts wired over the library's records and the composition root's journal and lineage graph."""
        setup = PublishSetup(library.root, library.settings, secrets=secrets,
                             wallet_name=wallet_name or os.environ.get(WALLET_ENV) or DEFAULT_WALLET)
        return cls(
            journal, setup,
            PublishPlanner(library, catalog, journal, library.spg_collections, setup, graph, release_gate),
            PublishRunner(setup, journal, library.works, library.spg_collections, library.group_members),
            IpImporter(library, catalog, journal, setup),
            RevenueService(setup, journal, library.works, graph),
        )

    # --- setup ----------------------------------------------------------------------------------------

    @property
    def wallet_name(self) -> str:
        return self.setup.wallet_name

    @wallet_name.setter
    def wallet_name(self, name: str) -> None:
        self.setup.wallet_name = name

    @property
    def secrets(self) -> SecretStore:
        return self.setup.secrets

    @property
    def wallets(self) -> WalletStore:
        return self.setup.wallets

    def setting(self, key: str) -> str | None:
        return self.setup.setting(key)

    def set_setting(self, key: str, value: str | None) -> None:
        self.setup.set_setting(key, value)

    def set_settings(self, values: dict[str, str | None]) -> None:
        self.setup.set_settings(values)

    def set_pinning_token(self, token: str) -> None:
        self.setup.set_pinning_token(token)

    def network(self, name: str | None = None, rpc_url: str | None = None) -> Network:
        return self.setup.network(name, rpc_url)

    def default_network(self) -> str:
        return self.setup.default_network()

    def devnet(self) -> Devnet:
        return self.setup.devnet()

    def devnet_start(self) -> DevnetStatus:
        return self.setup.devnet_start()

    def devnet_stop(self) -> None:
        self.setup.devnet_stop()

    def devnet_status(self) -> DevnetStatus:
        return self.setup.devnet_status()

    def close(self) -> None:
        self.setup.close()

    def client(self, net: Network, *, timeout_s: float | None = None) -> ChainClient:
        return self.setup.client(net, timeout_s=timeout_s)

    def storage(self, net: Network) -> Storage:
        return self.setup.storage(net)

    def wallet(self) -> Wallet:
        return self.setup.wallet()

    def use_devnet_dev_account(self) -> Wallet:
        return self.setup.use_devnet_dev_account()

    def create_wallet(self) -> Wallet:
        return self.setup.create_wallet()

    def import_wallet(self, key_text: str) -> Wallet:
        return self.setup.import_wallet(key_text)

    def wallet_status(self, network_name: str | None = None, rpc_url: str | None = None,
                      *, offline: bool = False) -> WalletStatus:
        return self.setup.wallet_status(network_name, rpc_url, offline=offline)

    # --- planning and running -------------------------------------------------------------------------

    def plan(self, ref: str, options: PublishOptions | None = None) -> PublishPlan:
        return self.planner.plan(ref, options)

    def royalty_on(self, ref: str, network: str | None = None, policy: str | None = None) -> RoyaltySplit:
        return self.planner.royalty_on(ref, network, policy)

    def execute(self, plan: PublishPlan) -> list[StepResult]:
        return self.runner.execute(plan)

    def publish(self, ref: str, options: PublishOptions | None = None,
                confirm: Callable[[PublishPlan], bool] = lambda plan: True) -> list[StepResult]:
        """Plan, show the plan to `confirm` (refused plans never get there), then send it."""
        plan = self.planner.plan(ref, options)
        if not plan.allowed:
            raise PublishRefused(plan.refusal_text(), reasons=list(plan.refusals),
                                 hint="nothing was sent; `studio license check` explains each reason")
        if not confirm(plan):
            return []
        return self.runner.execute(plan)

    def finish(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> StepResult:
        return self.runner.finish(ref, network_name, rpc_url)

    def on_chain(self, work_id: str, network_name: str | None = None) -> bool:
        return self.runner.on_chain(work_id, network_name)

    def ip_of(self, work: Work, net: Network) -> str:
        return self.runner.ip_of(work, net)

    def status(self, ref: str | None = None, network_name: str | None = None, rpc_url: str | None = None,
               *, settle: bool = True) -> list[Publication]:
        return self.runner.status(ref, network_name, rpc_url, settle=settle)

    def settle(self, network_name: str | None = None, rpc_url: str | None = None) -> list[str]:
        return self.runner.settle(network_name, rpc_url)

    def reconcile(self, net: Network) -> list[Publication]:
        return self.runner.reconcile(net)

    def reconcile_quietly(self) -> None:
        self.runner.reconcile_quietly()

    # --- import from Story and revenue ----------------------------------------------------------------

    def import_ip(self, ip_id: str, network_name: str | None = None, rpc_url: str | None = None) -> Work:
        return self.importer.import_ip(ip_id, network_name, rpc_url)

    def revenue(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> list[Claimable]:
        return self.revenue_service.revenue(ref, network_name, rpc_url)

    def pay(self, ref: str, amount_wei: int, network_name: str | None = None,
            rpc_url: str | None = None) -> list[SentTx]:
        return self.revenue_service.pay(ref, amount_wei, network_name, rpc_url)

    def claim(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> dict[str, Any]:
        return self.revenue_service.claim(ref, network_name, rpc_url)
