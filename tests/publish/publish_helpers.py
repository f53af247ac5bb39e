"""Helpers for the publishing tests: a Studio on a fresh library that publishes to the session's devnet with a
wallet kept in the keyring, and works made the way the studio makes them."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backends import SecretService

from studio.core.types import Origin, Relation, Work, WorkKind, percent_to_units
from studio.licensing import WorkTerms
from studio.lineage.graph import ParentLink
from studio.secrets import ENV_BACKEND, PlainFileTestBackend, SecretStore
from studio.services import Studio
from studio.services.licensing_view import raise_request_errors
from studio.services.publishing import PublishOptions
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.works import NewWork
from studio.story.devnet import Devnet
from studio.story.networks import NETWORKS
from studio.story.publisher import Publisher
from studio.story.wallet import secret_name
from tests.conftest import REPO, image_bytes

WIP_UNIT = 10**18
PCT = 1_000_000


def keyring_for_tests(tmp_path: Path) -> tuple[SecretStore, dict[str, str]]:
    """The real Secret Service under tools/run-tests.sh; elsewhere the explicit plaintext test keyring.
    Also the environment a subprocess needs to reach the same keyring."""
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") == "1":
        try:
            SecretService.Keyring.priority  # noqa: B018 - raises when no daemon answers on the bus
        except RuntimeError as exc:
            pytest.fail(f"STUDIO_TEST_SECRET_SERVICE=1 but no Secret Service answers: {exc}")
        env = {k: v for k, v in os.environ.items() if k != ENV_BACKEND}
        return SecretStore(SecretService.Keyring()), env
    path = tmp_path / "keyring" / "keys.json"
    return SecretStore(PlainFileTestBackend(path)), {**os.environ, ENV_BACKEND: f"plainfile:{path}"}


@dataclass
class Desk:
    """A studio on its own library, publishing to the session devnet with its own wallet."""

    studio: Studio
    rpc_url: str
    secrets: SecretStore
    env: dict[str, str]
    wallet_name: str
    # Each desk draws different images, so two libraries never share a work by accident.
    images: Iterator[int] = field(default_factory=lambda: iter(range(uuid.uuid4().int % 10**9, 10**10)))

    @property
    def address(self) -> str:
        return self.studio.publish_setup.wallet().address

    def work(self, title: str, *, license_id: str | None = None, rev_share: float | None = None,
             minting_fee: int | None = None, parents: Sequence[Work] = (), relation: Relation = Relation.remix_of,
             override: float | None = None, royalty_policy: str | None = None, owned: bool = True) -> Work:
        """A work as the studio records one: its own terms for a root, the engine's inherited terms for a remix
        (with `override` as the raise-only rev share). `owned` works were made by the user."""
        data = image_bytes(next(self.images) + 1000, (24, 20))
        links = [ParentLink(p.id, relation) for p in parents]
        if links:
            plan = self.studio.licenses.plan(
                [(link.parent_id, link.relation) for link in links],
                license_id=license_id,
                rev_share=percent_to_units(override) if override is not None else None,
            )
            raise_request_errors(plan)
            terms = plan.license
            assert terms is not None
        else:
            terms = WorkTerms(
                self.studio.catalog.get(license_id or "pil-commercial-remix"),
                rev_share=percent_to_units(rev_share) if rev_share is not None else None,
                minting_fee=minting_fee,
                royalty_policy=royalty_policy,
            )
        new = NewWork(
            kind=WorkKind.image, sha256="", title=title, creator="Test Creator",
            origin=Origin.generated if owned else Origin.imported, terms=terms.stored,
        )

        def audit(work_id: str) -> list[dict]:
            return [r.to_dict() for r in self.studio.licenses.audit(work_id)] if links else []

        return self.studio.images.store(data, name=f"{title}.png", new_work=new, parents=links,
                                        flags_for=audit).work

    def publish(self, work: Work, **options) -> list:
        return self.studio.publish(work.id, PublishOptions(**options))

    def ip(self, work: Work) -> str:
        pub = self.studio.journal.confirmed(work.id, "devnet")
        assert pub is not None and pub.ip_id, f"{work.title} is not on the devnet"
        return pub.ip_id


DEAD_END_LICENSE = "pil-remix-once"


def catalogue_with_dead_end(tmp_path: Path) -> Path:
    """The studio's licenses plus PIL terms whose remixes may not be remixed again (not reciprocal)."""
    folder = tmp_path / "licenses"
    shutil.copytree(REPO / "licenses", folder)
    text = (folder / "pil-commercial-remix.toml").read_text()
    text = text.replace('id = "pil-commercial-remix"', f'id = "{DEAD_END_LICENSE}"')
    text = text.replace('name = "PIL Commercial Remix"', 'name = "PIL Remix Once"')
    text = text.replace('on_story = "pil-commercial-remix"', f'on_story = "{DEAD_END_LICENSE}"')
    text = text.replace("derivatives_reciprocal = true", "derivatives_reciprocal = false")
    text = text.replace("CommercialRemix.json", "RemixOnce.json")
    (folder / f"{DEAD_END_LICENSE}.toml").write_text(text)
    return folder


def open_desk(library_dir: Path, devnet: Devnet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              wallet_name: str | None = None) -> Desk:
    """The keyring and wallet are chosen the way the app chooses them: from STUDIO_KEYRING and STUDIO_WALLET."""
    _, env = keyring_for_tests(tmp_path)
    name = wallet_name or f"test-{uuid.uuid4().hex[:12]}"
    env["STUDIO_WALLET"] = name
    for key in (ENV_BACKEND, "STUDIO_WALLET"):
        if key in env:
            monkeypatch.setenv(key, env[key])
        else:
            monkeypatch.delenv(key, raising=False)
    studio = Studio.open(library_dir)
    status = devnet.status()
    assert status.rpc_url is not None
    studio.publish_setup.set_setting("rpc.devnet", status.rpc_url)
    return Desk(studio, status.rpc_url, studio.publish_setup.secrets, env, name)


def forget_wallet(desk: Desk) -> None:
    desk.secrets.delete(secret_name(desk.wallet_name))


@contextmanager
def desk_with_wallet(library_dir: Path, devnet: Devnet, tmp_path: Path,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    """A desk with a new wallet in the keyring, forgotten and closed afterwards."""
    desk = open_desk(library_dir, devnet, tmp_path, monkeypatch)
    desk.studio.publish_setup.create_wallet()
    try:
        yield desk
    finally:
        forget_wallet(desk)
        desk.studio.close()


def desk_publisher(desk: Desk, client, key) -> Publisher:
    """The publisher the desk's studio would use on `client`'s network, for sending things the engines refuse."""
    library = desk.studio.library
    return Publisher(desk.studio.journal, library.works, SpgCollectionRecords(library.db), client,
                     desk.studio.publish_setup.storage(client.network), key, desk.address)


@contextmanager
def serving_chain_id(devnet: Devnet, chain_id: int) -> Iterator[None]:
    """The session devnet answering with another chain id for a while (the id is the node's, not the chain's
    state, so no snapshot restores it: it is set back here)."""
    devnet.rpc("anvil_setChainId", [chain_id])
    try:
        yield
    finally:
        devnet.rpc("anvil_setChainId", [NETWORKS["devnet"].chain_id])


def send_remix_directly(desk: Desk, parents: Sequence[Work], *, max_revenue_share: int = 0) -> Exception | str:
    """Register a remix of `parents` through the chain client alone, with no engine in the way: each parent
    linked with the terms it carries on chain and its fee paid. Returns the chain's refusal, or the new IP id
    when the chain accepted it."""
    from studio.story.chain import MetadataRefs
    from studio.story.devnet.addresses import DERIVATIVE_WORKFLOWS
    from studio.story.errors import ChainReverted
    from studio.story.publisher import ensure_wip

    studio = desk.studio
    client = studio.publish_setup.client(studio.publish_setup.network("devnet"))
    key = studio.publish_setup.wallets.key(studio.publish_setup.wallet_name)
    collection = desk_publisher(desk, client, key).ensure_collection([])
    ips = [desk.ip(p) for p in parents]
    terms = [studio.journal.confirmed(p.id, "devnet").license_terms_ids[0] for p in parents]
    fees = sum(client.contracts.predict_fee(ip, t, desk.address)[1] for ip, t in zip(ips, terms, strict=True))
    if fees:
        ensure_wip(client, key, desk.address, fees, DERIVATIVE_WORKFLOWS)
    empty = MetadataRefs("", "0x" + "00" * 32, "", "0x" + "00" * 32)
    call = client.contracts.register_derivative(collection, desk.address, empty, ips, terms, fees, max_revenue_share)
    try:
        receipt = client.transact(key, call)
    except ChainReverted as exc:
        return exc
    return client.contracts.registered(receipt).ip_id
