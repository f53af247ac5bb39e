"""The journal across a real crash: a `studio publish` process is killed (SIGKILL) after its transaction's hash
is persisted and before the receipt exists (anvil with automine off), then the library is opened again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from studio.services import Studio
from studio.story.errors import AlreadyPublished
from tests.conftest import REPO


@pytest.fixture
def no_automine(devnet):
    devnet.rpc("evm_setAutomine", [False])
    try:
        yield
    finally:
        devnet.rpc("evm_setAutomine", [True])


def _killed_while_waiting(desk, work_id: str):
    """Run `studio publish` in its own process and SIGKILL it once its publication is journaled as sent."""
    library = desk.studio.library.root
    process = subprocess.Popen(
        [sys.executable, "-m", "studio", "--library", str(library), "publish", work_id, "--yes", "--json"],
        cwd=REPO, env=desk.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pubs = desk.studio.journal.list(work_id=work_id)
            if pubs and pubs[0].state == "sent" and desk.studio.publish_setup.client(
                    desk.studio.publish_setup.network("devnet")).is_known(pubs[0].tx_hash):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            raise AssertionError("the publication was never journaled as sent")
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return pubs[0]


def _lost_after_sending(desk, devnet):
    """A second publication (after a confirmed first, so the wallet's nonce is not 0) whose transaction was sent,
    the process killed while waiting, and the node then dropped it."""
    devnet.rpc("evm_setAutomine", [True])
    desk.publish(desk.work("First", rev_share=5))
    devnet.rpc("evm_setAutomine", [False])
    work = desk.work("Second", rev_share=5)
    sent = _killed_while_waiting(desk, work.id)
    devnet.rpc("anvil_dropTransaction", [sent.tx_hash])
    return work, sent


def _reopen(desk) -> Studio:
    desk.studio.close()
    desk.studio = Studio.open(desk.studio.library.root)
    return desk.studio


def test_killed_between_send_and_receipt_is_confirmed_on_restart(desk, devnet, no_automine) -> None:
    root = desk.work("Dawn", rev_share=5)
    devnet.rpc("evm_setAutomine", [True])
    desk.publish(root)  # the collection exists, so the killed run sends exactly one transaction
    devnet.rpc("evm_setAutomine", [False])
    remix = desk.work("Noon", parents=[root])

    sent = _killed_while_waiting(desk, remix.id)
    assert sent.nonce is not None and sent.raw_tx and sent.ip_id is None

    # Never sent twice: the journal refuses while the transaction waits in the pool.
    with pytest.raises(AlreadyPublished, match="never sent twice"):
        desk.publish(remix)
    devnet.rpc("evm_mine", [])
    studio = _reopen(desk)  # opening the library settles it from its receipt
    pub = studio.journal.live(remix.id, "devnet")
    assert pub.state == "confirmed" and pub.tx_hash == sent.tx_hash and pub.ip_id
    assert pub.readback["agrees"], pub.readback["differences"]
    assert pub.readback["parents"] == [desk.ip(root)]
    assert len(studio.journal.list(work_id=remix.id)) == 1


def test_a_transaction_the_node_lost_is_sent_again_unchanged(desk, devnet, no_automine) -> None:
    work, sent = _lost_after_sending(desk, devnet)
    assert not desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet")).is_known(sent.tx_hash)

    pubs = desk.studio.publish_runner.status(work.id, "devnet")  # `studio publish status` settles too
    assert [p.state for p in pubs] == ["sent"]
    assert desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet")).is_known(sent.tx_hash)
    devnet.rpc("evm_mine", [])
    (pub,) = desk.studio.publish_runner.status(work.id, "devnet")
    assert pub.state == "confirmed" and pub.tx_hash == sent.tx_hash


def test_a_nonce_taken_by_another_transaction_fails_the_publication(desk, devnet, chain, no_automine) -> None:
    work, sent = _lost_after_sending(desk, devnet)
    # Another program spends the same nonce first.
    client = desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet"))
    key = desk.studio.publish_setup.wallets.key(desk.wallet_name)
    other = client.sign(key, client.contracts.wip_deposit(1), nonce=sent.nonce)
    client.broadcast(other.raw)
    devnet.rpc("evm_mine", [])
    devnet.rpc("evm_setAutomine", [True])

    (pub,) = desk.studio.publish_runner.status(work.id, "devnet")
    assert pub.state == "failed" and f"nonce {sent.nonce}" in pub.error
    (again,) = desk.publish(work)  # a failed attempt may be repeated, with a fresh nonce
    assert again.publication.state == "confirmed" and again.publication.nonce > sent.nonce
    states = [p.state for p in desk.studio.journal.list(work_id=work.id)]
    assert states == ["failed", "confirmed"]


def test_a_raise_of_the_share_lost_after_the_receipt_is_finished_later(desk) -> None:
    """The process stopped after the link was confirmed and before the raised share was set and read back."""
    from studio.story.terms import licensing_config

    root = desk.work("Dawn", rev_share=5)
    remix = desk.work("Noon", parents=[root], override=10)
    results = desk.publish(remix)
    pub = results[-1].publication
    client = desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet"))
    key = desk.studio.publish_setup.wallets.key(desk.wallet_name)
    unset = client.contracts.set_licensing_config(pub.ip_id, pub.license_terms_ids[0], licensing_config(None, 0))
    client.transact(key, unset)
    desk.studio.library.db.execute("UPDATE publications SET readback = NULL WHERE id = ?", (pub.id,))

    studio = _reopen(desk)  # read back on opening: the chain does not have the raise
    reread = studio.journal.get(pub.id)
    assert reread.readback["agrees"] is False
    assert reread.readback["differences"] == ["royalty percent: expected 10000000, chain has 5000000"]
    finished = studio.publish_runner.finish(remix.id, "devnet")
    assert [t.label for t in finished.transactions] == ["raising the rev share this work's remixes pay"]
    assert finished.publication.readback["agrees"], finished.publication.readback["differences"]
