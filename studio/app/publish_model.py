"""What the publish dialog asks of the library: the networks and licenses it offers, a check before anything is
signed (the wallet and the plan), wallets created or imported into the keyring, and the publishing itself; the
checks and the publishing run as jobs, each with a `Studio` of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studio.app.amount_fields import fee_from_text
from studio.app.publish_setup import SetupNeed, setup_need
from studio.app.session import StudioSession
from studio.app.workers import TaskContext
from studio.core.types import Work, percent_to_units
from studio.errors import StudioError
from studio.services import Studio
from studio.services.publishing import PublishOptions, PublishPlan, WalletStatus

__all__ = ["PublishCheck", "PublishModel", "PublishOptions", "PublishPlan", "WalletStatus"]


@dataclass(frozen=True)
class PublishCheck:
    """What the dialog shows before anything is signed; the errors are the user's plain-language messages."""

    wallet: WalletStatus | None
    wallet_error: str | None
    plan: PublishPlan | None
    plan_error: str | None
    need: SetupNeed | None = None  # the keyring or a wallet is missing: one line says so, for wallet and plan


def check_publishing(ctx: TaskContext, studio: Studio, work_id: str, options: PublishOptions,
                     use_dev: bool) -> PublishCheck:
    if use_dev:
        studio.publish_setup.use_devnet_dev_account()
    devnet = studio.publish_setup.network(options.network).is_devnet
    wallet = wallet_error = plan = plan_error = need = None
    try:
        wallet = studio.publish_setup.wallet_status(options.network, options.rpc_url)
    except StudioError as exc:
        need = setup_need(exc, devnet=devnet)
        wallet_error = None if need is not None else str(exc)
    ctx.raise_if_cancelled()
    try:
        plan = studio.publish_planner.plan(work_id, options)
    except StudioError as exc:
        # The same missing keyring or wallet is said once, in the wallet's box; what the license says of
        # publishing needs no wallet, so a refusal is still explained.
        plan_error = None if need is not None and setup_need(exc, devnet=devnet) else str(exc)
        if plan_error is None:
            refused = [line.reason.message for line in studio.license_check(work_id).lines
                       if line.action == "publish" and line.answer == "no"]
            plan_error = " ".join(refused) or None
    return PublishCheck(wallet, wallet_error, plan, plan_error, need)


class PublishModel:
    """One work's publishing, as the dialog drives it."""

    def __init__(self, session: StudioSession, work: Work) -> None:
        self.session = session
        self.work = work
        # On the devnet only, once asked: anvil's public development account signs (each job's own studio is
        # told so, as the demo tells its one).
        self.use_dev_wallet = False

    # -- what the dialog offers ---------------------------------------------------------------------------
    def default_network(self) -> str:
        return self.session.studio.publish_setup.default_network()

    def pil_licenses(self) -> list[tuple[str, str]]:
        """(name, id) of the licenses Story can carry."""
        return [(lic.name, lic.id) for lic in self.session.studio.catalog.all() if lic.is_pil]

    def options(self, network: str, license_id: str | None, rev_share_percent: float,
                minting_fee_text: str | None) -> PublishOptions:
        """The dialog's fields as the service's options; InvalidInput names a field it cannot read."""
        return PublishOptions(
            network=network,
            license_id=license_id,
            rev_share=percent_to_units(rev_share_percent) if rev_share_percent > 0 else None,
            minting_fee=fee_from_text(minting_fee_text) if minting_fee_text is not None else None,
        )

    def is_devnet(self, network: str | None) -> bool:
        try:
            return self.session.studio.publish_setup.network(network).is_devnet
        except StudioError:
            return False

    def dev_wallet_applies(self, network: str | None) -> bool:
        return self.use_dev_wallet and self.is_devnet(network)

    def is_on_chain(self, work_id: str, network: str) -> bool:
        return self.session.studio.journal.is_on_chain(work_id, network)

    def titles(self, ids: list[str]) -> dict[str, str]:
        return {i: w.title for i, w in self.session.studio.library.works.get_many(ids).items()}

    def title(self, work_id: str) -> str:
        return self.session.studio.work(work_id).title

    # -- jobs ---------------------------------------------------------------------------------------------
    def check(self, options: PublishOptions) -> int:
        """The wallet and the plan for `options`; the job's result is a `PublishCheck`."""
        work_id, use_dev = self.work.id, self.dev_wallet_applies(options.network)
        return self.session.submit("publish-check", f"Check publishing of {self.work.title}",
                                   lambda ctx, studio: check_publishing(ctx, studio, work_id, options, use_dev))

    def create_wallet(self) -> int:
        return self.session.submit("wallet", "Create a wallet",
                                   lambda ctx, studio: studio.publish_setup.create_wallet())

    def import_wallet(self, text: str) -> int:
        return self.session.submit(
            "wallet", "Import a wallet key", lambda ctx, studio: studio.publish_setup.import_wallet(text)
        )

    def publish(self, plan: PublishPlan) -> int:
        """Sign and send the plan; the job's result is the service's list of step results."""
        use_dev = self.dev_wallet_applies(plan.network.name)

        def task(ctx: TaskContext, studio: Studio) -> list[Any]:
            if use_dev:
                studio.publish_setup.use_devnet_dev_account()
            ctx.raise_if_cancelled()  # the last moment a cancel stops it: after this, transactions are signed
            return studio.publish_runner.execute(plan)

        return self.session.submit("publish", f"Publish {self.work.title}", task)
