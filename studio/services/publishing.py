"""Publishing works of the library on Story: networks and the devnet, the wallet, plans the engines judge
before anything is signed, the journal, imports from Story and revenue.

The settings (per library, `settings` table, keys `publish.*`) choose the default network, RPC URLs and the
IPFS service; the wallet's key and the pinning service's token live only in the OS keyring.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.errors import InvalidInput, StudioError
from studio.licensing import (
    LicenseCatalog,
    LicensedWork,
    Reason,
    Verdict,
    WorkTerms,
    check_work,
    default_catalog,
    effective_pil,
    royalty_links,
    royalty_percent,
)
from studio.lineage.graph import LineageGraph, ParentLink
from studio.publish.chain import ChainClient
from studio.publish.devnet import Devnet, DevnetStatus, install_contracts
from studio.publish.errors import AlreadyPublished, ImportFailed, NoWallet, PublishError, PublishRefused
from studio.publish.import_ip import ChainIp, fetch_ip
from studio.publish.journal import Journal, Publication
from studio.publish.metadata import Credit
from studio.publish.networks import DEFAULT_NETWORK, Network, check_http_url, check_rpc_url, network
from studio.publish.publisher import ParentPlan, Publisher, SentTx, StepPlan, StepResult, reconcile
from studio.publish.revenue import Claimable, claim, claimable, pay
from studio.publish.storage import Gateway, KuboStore, LocalStore, PinningStore, Storage
from studio.publish.terms import matching_terms
from studio.publish.wallet import DEFAULT_WALLET, Wallet, WalletStore, devnet_dev_account
from studio.royalty import check_link, royalty_split
from studio.secrets import Secret, SecretStore
from studio.services.importing import store_image
from studio.services.licensing_view import LicenseView, now
from studio.store.library import Library
from studio.store.works import NewWork

log = logging.getLogger(__name__)

WALLET_ENV = "STUDIO_WALLET"
PINNING_TOKEN = "ipfs/pinning-token"
DEFAULT_GATEWAY = "https://ipfs.io"
QUIET_TIMEOUT_S = 5.0
IP = 10**18
# A devnet wallet is topped up to this whenever it holds less than a tenth of it.
DEVNET_FUNDING = 10_000 * IP
SETTINGS = {
    "network": "the network `publish` uses by default (devnet, aeneid, mainnet)",
    "rpc.devnet": "the RPC URL of an already running devnet (instead of the one the app starts)",
    "rpc.aeneid": "the RPC URL of Aeneid",
    "rpc.mainnet": "the RPC URL of mainnet",
    "ipfs.api": "a Kubo RPC API URL (e.g. http://127.0.0.1:5001) to upload and read metadata",
    "ipfs.pinning_url": "a pinning service upload URL (the token is asked for and kept in the keyring)",
    "ipfs.gateway": "an HTTP gateway to read metadata from (default https://ipfs.io)",
}


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


@dataclass(frozen=True)
class PublishPlan:
    """What would be sent, in order (ancestors first), and everything that refuses it."""

    network: Network
    wallet: str
    target: Work
    steps: tuple[StepPlan, ...]
    verdicts: dict[str, Verdict]
    refusals: tuple[Reason, ...]

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def minting_fee(self) -> int:
        return sum(s.minting_fee for s in self.steps)


@dataclass(frozen=True)
class WalletStatus:
    wallet: Wallet
    network: Network
    balance: int | None
    wip: int | None
    funded: bool
    note: str | None


class PublishingService:
    def __init__(
        self,
        library: Library,
        catalog: LicenseCatalog | None = None,
        *,
        secrets: SecretStore | None = None,
        release_gate: Callable[[str], object] | None = None,
        wallet_name: str | None = None,
    ) -> None:
        self.library = library
        self.catalog = catalog or default_catalog()
        self.journal = Journal(library.db)
        self.graph = LineageGraph(library.db)
        self._secrets = secrets
        self._release_gate = release_gate
        self.wallet_name = wallet_name or os.environ.get(WALLET_ENV) or DEFAULT_WALLET
        self._clients: dict[tuple[str, str], ChainClient] = {}
        self._devnet: Devnet | None = None
        self._dev_account: tuple[Wallet, Secret] | None = None

    # --- settings ---------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        _check_setting(key)
        row = self.library.db.one("SELECT value FROM settings WHERE key = ?", (f"publish.{key}",))
        return str(row["value"]) if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        _check_setting(key)
        if value is not None:
            if key == "network":
                value = network(value).name
            elif key.startswith("rpc."):
                value = check_rpc_url(value)
            else:
                value = check_http_url(value, "IPFS service URL", "http://127.0.0.1:5001")
        with self.library.db.atomic():
            self.library.db.execute("DELETE FROM settings WHERE key = ?", (f"publish.{key}",))
            if value is not None:
                self.library.db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"publish.{key}", value))

    def set_pinning_token(self, token: str) -> None:
        self.secrets.set(PINNING_TOKEN, token)

    @property
    def secrets(self) -> SecretStore:
        if self._secrets is None:
            self._secrets = SecretStore()
        return self._secrets

    @property
    def wallets(self) -> WalletStore:
        return WalletStore(self.secrets)

    def network(self, name: str | None = None, rpc_url: str | None = None) -> Network:
        chosen = network(name or self.setting("network") or DEFAULT_NETWORK)
        return chosen.with_rpc(rpc_url or self.setting(f"rpc.{chosen.name}"))

    def default_network(self) -> str:
        return self.setting("network") or DEFAULT_NETWORK

    # --- the devnet -------------------------------------------------------------------------------

    def devnet(self) -> Devnet:
        # One runner per library: the runner that started the node is the one that can reap it when stopping.
        if self._devnet is None:
            self._devnet = Devnet(self.library.root / "devnet")
        return self._devnet

    def devnet_start(self) -> DevnetStatus:
        node = self.devnet()
        node.start()
        install_contracts(node.rpc)
        return node.status()

    def devnet_stop(self) -> None:
        self.close()
        self.devnet().stop()

    def devnet_status(self) -> DevnetStatus:
        return self.devnet().status()

    def close(self) -> None:
        """End the connections of every chain client (a node being stopped waits for them)."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def client(self, net: Network, *, timeout_s: float | None = None) -> ChainClient:
        """A client for the network; the app's own devnet is started (and its contracts installed) on demand.
        A client with its own `timeout_s` is not kept."""
        rpc_url = net.rpc_url
        if rpc_url is None:
            status = self.devnet_start()
            rpc_url = status.rpc_url
            assert rpc_url is not None
        if timeout_s is not None:
            return ChainClient.connect(net, rpc_url, timeout_s=timeout_s)
        key = (net.name, rpc_url)
        if key not in self._clients:
            self._clients[key] = ChainClient.connect(net, rpc_url)
        return self._clients[key]

    def storage(self, net: Network) -> Storage:
        """The devnet stores in the library folder; Story networks upload to the configured Kubo node or pinning
        service. Either reads what it lacks through the configured Kubo node or gateway."""
        local = LocalStore(self.library.root / "ipfs")
        api = self.setting("ipfs.api")
        gateway = self.setting("ipfs.gateway")
        reader = KuboStore(api) if api else Gateway(gateway or DEFAULT_GATEWAY)
        if net.is_devnet:
            return Storage(local, local, reader if (api or gateway) else None)
        if api:
            return Storage(KuboStore(api), local)
        pinning = self.setting("ipfs.pinning_url")
        if pinning:
            token = self.secrets.get_secret(PINNING_TOKEN)
            if token is None:
                raise PublishError("the pinning service has no token in the keyring",
                                   hint="run `studio publish config ipfs.pinning_url URL` again to enter it")
            return Storage(PinningStore(pinning, token, gateway or DEFAULT_GATEWAY), local)
        return Storage(reader, local)

    # --- the wallet -------------------------------------------------------------------------------

    def wallet(self) -> Wallet:
        if self._dev_account is not None:
            return self._dev_account[0]
        return self.wallets.require(self.wallet_name)

    def use_devnet_dev_account(self) -> Wallet:
        """Publish on the devnet with anvil's public development account instead of a keyring wallet (for the
        demo on a machine without an OS keyring); any other network refuses it."""
        self._dev_account = devnet_dev_account()
        return self._dev_account[0]

    def _key(self, net: Network) -> Secret:
        if self._dev_account is None:
            return self.wallets.key(self.wallet_name)
        self._refuse_dev_account_off_devnet(net)
        return self._dev_account[1]

    def _refuse_dev_account_off_devnet(self, net: Network) -> None:
        if self._dev_account is not None and not net.is_devnet:
            raise NoWallet(f"anvil's public development account is for the devnet only, not {net.name}",
                           hint="create or import a wallet in the OS keyring")

    def create_wallet(self) -> Wallet:
        return self.wallets.create(self.wallet_name)

    def import_wallet(self, key_text: str) -> Wallet:
        return self.wallets.import_key(key_text, self.wallet_name)

    def wallet_status(self, network_name: str | None = None, rpc_url: str | None = None,
                      *, offline: bool = False) -> WalletStatus:
        wallet = self.wallet()
        net = self.network(network_name, rpc_url)
        if offline:
            return WalletStatus(wallet, net, None, None, False, None)
        chain = self.client(net)
        funded = self._fund_devnet(chain, wallet.address)
        balance = chain.balance(wallet.address)
        note = None
        if balance == 0 and net.faucet:
            note = f"the wallet holds no IP: get test IP for {wallet.address} from {net.faucet}"
        elif balance == 0:
            note = "the wallet holds no IP: send some to it before publishing"
        chain.require_code(("WIP",))
        return WalletStatus(wallet, net, balance, chain.wip_balance(wallet.address), funded, note)

    def _fund_devnet(self, chain: ChainClient, address: str) -> bool:
        if not chain.network.is_devnet or chain.balance(address) >= DEVNET_FUNDING // 10:
            return False
        chain.fund(address, DEVNET_FUNDING)
        return True

    # --- what is on chain -------------------------------------------------------------------------

    def on_chain(self, work_id: str, network_name: str | None = None) -> bool:
        return self.journal.is_on_chain(work_id, network_name or self.default_network())

    def ip_of(self, work: Work, net: Network) -> str:
        pub = self.journal.confirmed(work.id, net.name)
        if pub is None or pub.ip_id is None:
            raise PublishError(f"“{work.title}” ({work.id}) is not on {net.name}",
                               hint=f"publish it first: `studio publish {work.id} --network {net.name}`")
        return pub.ip_id

    # --- publishing -------------------------------------------------------------------------------

    def plan(self, ref: str, options: PublishOptions | None = None) -> PublishPlan:
        """Judge the work (and the ancestors that must go first) with the license and royalty engines, the
        release gate and the journal; nothing is sent and nothing is written."""
        options = options or PublishOptions()
        net = self.network(options.network, options.rpc_url)
        target = self.library.works.resolve(ref)
        self._refuse_dev_account_off_devnet(net)
        wallet = self.wallet()
        live = self.journal.live(target.id, net.name)
        if live is not None and live.state in ("sent", "confirmed"):
            message, hint = _live_message(live, target)
            raise AlreadyPublished(message, hint=hint)
        planned: set[str] = set()
        view = LicenseView(self.library, self.catalog,
                           on_chain=lambda ids: planned.union(self.journal.on_chain_among(ids, net.name)))
        order, refusals = self._order(target, net, options.with_ancestors)
        steps: list[StepPlan] = []
        verdicts: dict[str, Verdict] = {}
        for work in order:
            new_terms = self._requested_terms(work, view, options) if work.id == target.id else None
            step, verdict, reasons = self._judge(work, view, new_terms, options if work.id == target.id else None)
            verdicts[work.id] = verdict
            refusals += reasons
            if step is not None:
                steps.append(step)
            planned.add(work.id)
        return PublishPlan(net, wallet.address, target, tuple(steps), verdicts, tuple(_unique(refusals)))

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
                parent = self.library.works.get(edge.parent_id)
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

    def _requested_terms(self, work: Work, view: LicenseView, options: PublishOptions) -> WorkTerms | None:
        """The terms `--license/--rev-share/--minting-fee` ask for, checked as the engine would for a new work:
        a remix keeps its inherited terms and may only raise the rev share its own remixes pay."""
        if options.license_id is None and options.rev_share is None and options.minting_fee is None:
            return None
        works = view.ancestry([work.id])
        current = works[work.id].terms
        pil_parents = [pid for pid, _ in works[work.id].parents if works[pid].license.is_pil]
        if not pil_parents:
            license_ = self.catalog.get(options.license_id or work.license_id)
            same = license_.id == current.license_id
            return WorkTerms(
                license_,
                rev_share=options.rev_share if options.rev_share is not None else (current.rev_share if same else None),
                minting_fee=options.minting_fee if options.minting_fee is not None else (
                    current.minting_fee if same else None),
                royalty_policy=current.royalty_policy if same else None,
            )
        if options.license_id is not None and self.catalog.get(options.license_id).id != current.license_id:
            raise InvalidInput(f"a remix carries its parents' terms ({current.license.name}); it cannot be "
                               f"published under {self.catalog.get(options.license_id).name}")
        if options.minting_fee is not None:
            raise InvalidInput("a remix's minting fee is inherited from its parents' terms; leave --minting-fee out")
        if options.rev_share is None:
            return None
        return replace(current, rev_share_override=options.rev_share)

    def _judge(self, work: Work, view: LicenseView, new_terms: WorkTerms | None,
               options: PublishOptions | None) -> tuple[StepPlan | None, Verdict, list[Reason]]:
        works = view.ancestry([work.id])
        if new_terms is not None:
            works[work.id] = replace(works[work.id], terms=new_terms)
        verdict = check_work(work.id, works, now=now(), catalog=self.catalog)
        refusals = list(verdict.blocking("publish"))
        if work.kind is not WorkKind.image or not work.file_path:
            refusals.append(Reason("not_an_image", f"“{work.title}” is a {work.kind.value}: only images are "
                                   "published on Story.", work.id, "block", "publish"))
        refusals += self._gate(work)
        terms = verdict.story_terms
        if terms is None:
            return None, verdict, refusals
        me = works[work.id]
        pil_parents = [(works[pid], rel) for pid, rel in me.parents if works[pid].license.is_pil]
        parents = tuple(
            ParentPlan(p.id, p.title, rel, effective_pil(p.terms), royalty_percent(p.terms),
                       effective_pil(p.terms).default_minting_fee)
            for p, rel in pil_parents
        )
        credits = tuple(
            Credit(works[pid].id, works[pid].title, works[pid].creator, works[pid].license.id, rel)
            for pid, rel in me.parents if not works[pid].license.is_pil
        )
        policy = effective_pil(terms).royalty_policy
        split = None
        if policy and pil_parents:
            refusals += self._stack_refusals(work, works, parents, policy)
        if policy and not any(r.code.endswith("above_100") for r in refusals):
            split = royalty_split(work.id, royalty_links(work.id, works), policy) if pil_parents else None
        step = StepPlan(
            work=work,
            image_path=self.library.path_of(work.file_path or ""),
            terms=terms,
            parents=parents,
            credits=credits,
            policy=policy,
            split=split,
            new_terms=new_terms,
            max_minting_fee=options.max_minting_fee if options else None,
            max_revenue_share=options.max_rev_share if options else None,
        )
        refusals += _cap_refusals(step)
        return step, verdict, refusals

    def _stack_refusals(self, work: Work, works: dict[str, LicensedWork], parents: tuple[ParentPlan, ...],
                        policy: str) -> list[Reason]:
        links: dict[str, list[tuple[str, int]]] = {}
        for parent in parents:
            links.update(royalty_links(parent.work_id, works))
        found = check_link(work.id, [(p.work_id, p.royalty_percent) for p in parents], links, policy)
        return [Reason(r.code, r.message, r.work_id, r.severity, "publish") for r in found if r.blocks]

    def _gate(self, work: Work) -> list[Reason]:
        if self._release_gate is None:
            return []
        try:
            self._release_gate(work.id)
        except StudioError as exc:
            reasons = getattr(exc, "reasons", None) or []
            return [r for r in reasons if isinstance(r, Reason)] or [
                Reason("release_not_approved", str(exc), work.id, "block", "publish")
            ]
        return []

    def execute(self, plan: PublishPlan) -> list[StepResult]:
        """Send the plan's works in order; each is journaled, confirmed and read back before the next."""
        if not plan.allowed:
            raise PublishRefused(_refusal_text(plan), reasons=list(plan.refusals),
                                 hint="nothing was sent; `studio license check` explains each reason")
        chain = self.client(plan.network)
        chain.require_code()
        self._settle_before_sending(chain, plan.wallet)
        self._fund_devnet(chain, plan.wallet)
        publisher = Publisher(self.library.db, self.journal, chain, self.storage(plan.network),
                              self._key(plan.network), plan.wallet)
        return [publisher.publish(step) for step in plan.steps]

    def publish(self, ref: str, options: PublishOptions | None = None,
                confirm: Callable[[PublishPlan], bool] = lambda plan: True) -> list[StepResult]:
        plan = self.plan(ref, options)
        if not plan.allowed:
            raise PublishRefused(_refusal_text(plan), reasons=list(plan.refusals),
                                 hint="nothing was sent; `studio license check` explains each reason")
        if not confirm(plan):
            return []
        return self.execute(plan)

    def _settle_before_sending(self, chain: ChainClient, wallet: str) -> None:
        """A wallet's nonce is never used twice: every earlier transaction of the journal must be settled."""
        reconcile(self.journal, chain)
        waiting = [p for p in self.journal.in_flight(chain.network.name) if (p.wallet or "").lower() == wallet.lower()]
        if waiting:
            raise AlreadyPublished(
                f"publication {waiting[0].id} ({waiting[0].work_id}) still waits for its receipt "
                f"(transaction {waiting[0].tx_hash}); nothing new is sent until it is settled",
                hint="run `studio publish status` again in a moment",
            )

    def finish(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> StepResult:
        """Complete a confirmed publication whose follow-up (rev-share raise, read-back) was interrupted."""
        net = self.network(network_name, rpc_url)
        work = self.library.works.resolve(ref)
        pub = self.journal.confirmed(work.id, net.name)
        if pub is None or pub.origin != "published":
            raise PublishError(f"“{work.title}” has no publication of yours on {net.name} to finish")
        wallet = self.wallet()
        publisher = Publisher(self.library.db, self.journal, self.client(net), self.storage(net), self._key(net),
                              wallet.address)
        return publisher.finish(pub)

    # --- the journal ------------------------------------------------------------------------------

    def status(self, ref: str | None = None, network_name: str | None = None, rpc_url: str | None = None,
               *, settle: bool = True) -> list[Publication]:
        """The journal, after settling what is in flight on the networks concerned."""
        work_id = self.library.works.resolve(ref).id if ref else None
        if settle:
            for name in self._in_flight_networks(network_name):
                self.reconcile(self.network(name, rpc_url))
        return self.journal.list(network=self.network(network_name).name if network_name else None,
                                 work_id=work_id)

    def settle(self, network_name: str | None = None, rpc_url: str | None = None) -> list[str]:
        """Settle what is in flight; returns, per network that could not be reached, why (nothing is lost: its
        publications stay in flight until the next try)."""
        problems = []
        for name in self._in_flight_networks(network_name):
            try:
                self.reconcile(self.network(name, rpc_url))
            except StudioError as exc:
                problems.append(f"publications on {name} stay in flight: {exc}")
        return problems

    def _in_flight_networks(self, network_name: str | None) -> list[str]:
        if network_name:
            return [self.network(network_name).name]
        return self.journal.unsettled_networks()

    def reconcile(self, net: Network) -> list[Publication]:
        return reconcile(self.journal, self.client(net))

    def reconcile_quietly(self) -> None:
        """On opening the library: settle publications a crash left in flight, never failing the open and
        never waiting long for a network that does not answer."""
        for name in self._in_flight_networks(None):
            client = None
            try:
                client = self.client(self.network(name), timeout_s=QUIET_TIMEOUT_S)
                reconcile(self.journal, client)
            except StudioError as exc:
                log.warning("publications on %s stay in flight: %s", name, exc)
            finally:
                if client is not None:
                    client.close()

    # --- import from Story ------------------------------------------------------------------------

    def import_ip(self, ip_id: str, network_name: str | None = None, rpc_url: str | None = None) -> Work:
        """The IP asset (and, first, its parents not yet in the library) as library works whose terms mirror
        the chain's, marked on chain."""
        net = self.network(network_name, rpc_url)
        chain = self.client(net)
        return self._import(chain, self.storage(net), ip_id.strip(), depth=0)

    def _import(self, chain: ChainClient, storage: Storage, ip_id: str, depth: int) -> Work:
        known = self.journal.by_ip(chain.network.name, ip_id)
        if known is not None:
            return self.library.works.get(known.work_id)
        if depth > 64:
            raise ImportFailed("the IP's ancestry is deeper than 64 generations", hint="import an ancestor first")
        found = fetch_ip(chain, storage, ip_id)
        parents = [(self._import(chain, storage, p, depth + 1), rel) for p, rel in found.parents]
        return self._store_imported(chain.network, found, parents)

    def _store_imported(self, net: Network, found: ChainIp, parents: list[tuple[Work, Relation]]) -> Work:
        terms = matching_terms(found.terms, self.catalog)
        if found.rev_share_override:
            terms = replace(terms, rev_share_override=found.rev_share_override)
        new = NewWork(
            kind=WorkKind.image, sha256="", title=found.title[:200], creator=found.creator, origin=Origin.imported,
            description=found.description, license_id=terms.license_id, rev_share=terms.rev_share,
            minting_fee=terms.minting_fee, royalty_policy=terms.royalty_policy,
            rev_share_override=terms.rev_share_override,
        )
        links = [ParentLink(w.id, rel) for w, rel in parents]
        view = LicenseView(self.library, self.catalog)

        def audit(work_id: str) -> list[dict]:
            return [r.to_dict() for r in view.audit(work_id)] if links else []

        with self.library.db.atomic():
            outcome = store_image(self.library, found.image, name=found.image_name, new_work=new, parents=links,
                                  flags_for=audit)
            self.journal.record_imported(
                outcome.work.id, net.name, net.chain_id, ip_id=found.ip_id, token_id=found.token_id,
                nft_contract=found.nft_contract, license_terms_ids=found.license_terms_ids,
                metadata_uri=found.metadata_uri, metadata_hash=found.metadata_hash, readback=found.summary(),
            )
        return outcome.work

    # --- revenue ----------------------------------------------------------------------------------

    def revenue(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> list[Claimable]:
        """Claimable WIP of the work and of each of its ancestors that is on the network."""
        net = self.network(network_name, rpc_url)
        work = self.library.works.resolve(ref)
        self.ip_of(work, net)
        chain = self.client(net)
        chain.require_code()
        ids = [work.id, *(n.id for n in self.graph.ancestors(work.id))]
        lines = []
        for work_id in ids:
            pub = self.journal.confirmed(work_id, net.name)
            if pub is not None and pub.ip_id:
                lines.append(claimable(chain, work_id, pub.ip_id))
        return lines

    def pay(self, ref: str, amount_wei: int, network_name: str | None = None,
            rpc_url: str | None = None) -> list[SentTx]:
        net = self.network(network_name, rpc_url)
        work = self.library.works.resolve(ref)
        ip = self.ip_of(work, net)
        chain = self.client(net)
        wallet = self.wallet()
        self._fund_devnet(chain, wallet.address)
        return pay(chain, self._key(net), wallet.address, ip, amount_wei)

    def claim(self, ref: str, network_name: str | None = None, rpc_url: str | None = None) -> dict[str, Any]:
        net = self.network(network_name, rpc_url)
        work = self.library.works.resolve(ref)
        ip = self.ip_of(work, net)
        chain = self.client(net)
        wallet = self.wallet()
        self._fund_devnet(chain, wallet.address)
        if chain.ip_owner(ip).lower() != wallet.address.lower():
            raise NoWallet(f"“{work.title}” on {net.name} belongs to {chain.ip_owner(ip)}, not to this wallet",
                           hint="claim with the wallet that owns it (--wallet)")
        return claim(chain, self._key(net), ip)


def _check_setting(key: str) -> None:
    if key not in SETTINGS:
        raise InvalidInput(f"unknown publishing setting {key!r}", hint=f"use one of {', '.join(SETTINGS)}")


def _cap_refusals(step: StepPlan) -> list[Reason]:
    found = []
    if step.max_revenue_share is not None and step.revenue_share > step.max_revenue_share:
        found.append(Reason(
            "rev_share_above_ceiling",
            f"The parents of “{step.work.title}” take {step.revenue_share / 1e6:g}% of its revenue, above the "
            f"{step.max_revenue_share / 1e6:g}% you allow.", step.work.id, "block", "publish",
        ))
    if step.max_minting_fee is not None and step.minting_fee > step.max_minting_fee:
        found.append(Reason(
            "minting_fee_above_ceiling",
            f"The parents of “{step.work.title}” charge {step.minting_fee} wei in minting fees, above the "
            f"{step.max_minting_fee} wei you allow.", step.work.id, "block", "publish",
        ))
    return found


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


def _refusal_text(plan: PublishPlan) -> str:
    first = plan.refusals[0].message
    more = f" (and {len(plan.refusals) - 1} more reasons)" if len(plan.refusals) > 1 else ""
    return f"“{plan.target.title}” cannot be published on {plan.network.name}: {first}{more}"


def _live_message(pub: Publication, work: Work) -> tuple[str, str]:
    if pub.state == "sent":
        return (f"“{work.title}” was sent to {pub.network} (transaction {pub.tx_hash}) and waits for its receipt; "
                "it is never sent twice", "run `studio publish status` to settle it")
    return (f"“{work.title}” is already on {pub.network} as IP {pub.ip_id}",
            f"see `studio publish status {work.id}`")
