"""Three members on one team library, each through the app as themselves: an artist makes a work, a reviewer
approves it, a publisher publishes it on the devnet with their own wallet; the publisher is refused a work nobody
approved, by the app's release gate and by the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from studio.errors import LicenseRefused
from studio.services import Studio
from studio.services.publishing import PublishOptions
from studio.story.devnet import Devnet
from studio.story.wallet import secret_name
from tests.publish.publish_helpers import Desk, keyring_for_tests
from tests.team.conftest import Team


@contextmanager
def member_desk(team: Team, member: str, devnet: Devnet, tmp_path, monkeypatch) -> Iterator[Desk]:
    """The member's own studio on the team library, with the keyring and wallet the app would choose."""
    _, env = keyring_for_tests(tmp_path)
    wallet = f"{member}-{uuid.uuid4().hex[:8]}"
    if "STUDIO_KEYRING" in env:
        monkeypatch.setenv("STUDIO_KEYRING", env["STUDIO_KEYRING"])
    monkeypatch.setenv("STUDIO_WALLET", wallet)
    studio = Studio.open(team.url(member))
    try:
        yield Desk(studio, devnet.status().rpc_url or "", studio.publish_setup.secrets, env, wallet)
    finally:
        studio.close()


def test_an_artist_a_reviewer_and_a_publisher_release_a_work_together(team: Team, fresh_devnet: Devnet, tmp_path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    owner = Studio.open(team.owner_url)
    try:  # the library's settings are the admin's: the devnet's address and review before release
        owner.publish_setup.set_setting("rpc.devnet", fresh_devnet.status().rpc_url)
        owner.review.set_review_required(True)
    finally:
        owner.close()
    with member_desk(team, "ada", fresh_devnet, tmp_path, monkeypatch) as ada:
        work = ada.work("Harbour at dawn", license_id="pil-commercial-remix", rev_share=5)
        other = ada.work("Not yet reviewed", license_id="pil-commercial-remix", rev_share=5)
    with member_desk(team, "rex", fresh_devnet, tmp_path, monkeypatch) as rex:
        assert rex.studio.review.record_decision(work.id, "approved", "Rex").state == "approved"
    with member_desk(team, "pia", fresh_devnet, tmp_path, monkeypatch) as pia:
        pia.studio.publish_setup.create_wallet()
        try:
            with pytest.raises(LicenseRefused, match="needs a reviewer's approval"):
                pia.studio.publish(other.id, PublishOptions(network="devnet"))
            pia.studio.publish(work.id, PublishOptions(network="devnet"))
            pub = pia.studio.journal.confirmed(work.id, "devnet")
            assert pub is not None and pub.ip_id and pub.wallet == pia.address
        finally:
            pia.secrets.delete(secret_name(pia.wallet_name))
    with team.sql("max") as conn:
        made = conn.execute("SELECT created_by FROM publications WHERE work_id = %s AND state = 'confirmed'",
                            (work.id,)).fetchone()
        assert made == (team.name("pia"),)
    with team.sql("pia") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # and by the database
        conn.execute("INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
                     "VALUES (%s, 'devnet', 1315, 'draft', 'x', 'x')", (other.id,))

