"""Publishing from a team library (a real PostgreSQL server) to the session devnet: two machines (two `studio
publish` processes, each with its own wallet) press Publish on the same work at the same moment, and a publisher
killed between send and receipt is settled by the next start, nothing sent twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import psycopg
import pytest
from publish_helpers import Desk, desk_with_wallet

from studio.services import Studio
from studio.story.errors import AlreadyPublished
from studio.story.wallet import secret_name
from tests.conftest import REPO


@pytest.fixture
def team_desk(chain, devnet, tmp_path, monkeypatch, postgres_url: str) -> Iterator[Desk]:
    """A studio on a new team library publishing to the devnet with a wallet of its own."""
    with desk_with_wallet(postgres_url, devnet, tmp_path, monkeypatch) as desk:  # type: ignore[arg-type]
        yield desk


def _publish_process(desk: Desk, work_id: str, wallet_name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "--library", str(desk.studio.library.address), "publish", work_id, "--yes",
         "--json"],
        cwd=REPO, env={**desk.env, "STUDIO_WALLET": wallet_name}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )


def _waiting_to_write(conn) -> int:
    row = conn.execute("SELECT count(*) FROM pg_locks WHERE relation = 'publications'::regclass "
                       "AND NOT granted").fetchone()
    return int(row[0])


def test_two_publishers_pressing_publish_at_once_publish_the_work_once(team_desk: Desk, w3) -> None:
    desk = team_desk
    work = desk.work("Dawn", rev_share=5)
    other_wallet = f"{desk.wallet_name}-b"
    setup = desk.studio.publish_setup
    wallets = {desk.wallet_name: desk.address, other_wallet: setup.wallets.create(other_wallet).address}
    sent_before = {name: w3.eth.get_transaction_count(address) for name, address in wallets.items()}
    try:
        # Both machines reach the journal at the same moment: the table is held until both wait on it to write
        # their drafts, each having found no publication of the work.
        with psycopg.connect(str(desk.studio.library.address)) as gate:
            gate.execute("LOCK TABLE publications IN EXCLUSIVE MODE")  # reads pass, writes wait
            processes = {name: _publish_process(desk, work.id, name) for name in wallets}
            deadline = time.monotonic() + 120
            while _waiting_to_write(gate) < 2:
                assert time.monotonic() < deadline and all(p.poll() is None for p in processes.values()), \
                    {name: p.communicate() for name, p in processes.items() if p.poll() is not None}
                time.sleep(0.05)
        outputs = {name: process.communicate(timeout=240) for name, process in processes.items()}
    finally:
        desk.secrets.delete(secret_name(other_wallet))
    codes = {name: processes[name].returncode for name in wallets}
    winners = [name for name, code in codes.items() if code == 0]
    assert len(winners) == 1, (codes, outputs)
    (loser,) = set(wallets) - set(winners)
    winner = winners[0]

    # The loser is told in one line who published (or is publishing) the work, and when.
    refusal = [line for line in outputs[loser][1].splitlines() if line.startswith("error")]
    assert len(refusal) == 1, outputs[loser]
    assert f"is being published to devnet by postgres (wallet {wallets[winner]}) since" in refusal[0], refusal
    assert "Traceback" not in outputs[loser][1]

    # Exactly one confirmed publication, written by the winner; the loser sent nothing.
    pubs = desk.studio.journal.list(work_id=work.id)
    assert [(p.state, p.wallet) for p in pubs] == [("confirmed", wallets[winner])]
    assert pubs[0].published_by == "postgres"
    published = json.loads(outputs[winner][0])
    assert [p["ip_id"] for p in published] == [pubs[0].ip_id]
    assert w3.eth.get_transaction_count(wallets[loser]) == sent_before[loser]
    assert w3.eth.get_transaction_count(wallets[winner]) > sent_before[winner]


@pytest.fixture
def no_automine(devnet):
    devnet.rpc("evm_setAutomine", [False])
    try:
        yield
    finally:
        devnet.rpc("evm_setAutomine", [True])


def test_a_team_publisher_killed_while_waiting_is_confirmed_once_on_restart(team_desk: Desk, devnet,
                                                                            no_automine) -> None:
    desk = team_desk
    root = desk.work("Dawn", rev_share=5)
    devnet.rpc("evm_setAutomine", [True])
    desk.publish(root)  # the collection exists, so the killed run sends exactly one transaction
    devnet.rpc("evm_setAutomine", [False])
    remix = desk.work("Noon", parents=[root])

    process = _publish_process(desk, remix.id, desk.wallet_name)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pubs = desk.studio.journal.list(work_id=remix.id)
            if pubs and pubs[0].state == "sent" and desk.studio.publish_setup.client(
                    desk.studio.publish_setup.network("devnet")).is_known(pubs[0].tx_hash):
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            raise AssertionError("the publication was never journaled as sent")
        # The machine dies: its process and with it every connection it held to the server.
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    sent = pubs[0]
    admin = desk.studio.library.db
    # The server notices the dropped connections; none of them is left holding a transaction.
    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                  "AND pid != pg_backend_pid()")

    with pytest.raises(AlreadyPublished, match="never sent twice"):  # another machine is refused meanwhile
        desk.publish(remix)
    devnet.rpc("evm_mine", [])
    url = desk.studio.library.address
    desk.studio.close()
    desk.studio = Studio.open(url)  # the restart settles it from its receipt
    pubs = desk.studio.journal.list(work_id=remix.id)
    assert [(p.state, p.tx_hash) for p in pubs] == [("confirmed", sent.tx_hash)]
    assert pubs[0].readback["agrees"], pubs[0].readback["differences"]


def test_a_team_publishers_connections_dropped_while_waiting_publish_once(team_desk: Desk, devnet,
                                                                          no_automine) -> None:
    """The server ends every connection of the publishing process while it waits for the receipt (a failover, a
    dropped network): the run finishes, or stops with one line and the next start finishes it; never twice."""
    desk = team_desk
    root = desk.work("Dawn", rev_share=5)
    devnet.rpc("evm_setAutomine", [True])
    desk.publish(root)
    devnet.rpc("evm_setAutomine", [False])
    remix = desk.work("Noon", parents=[root])
    process = _publish_process(desk, remix.id, desk.wallet_name)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            pubs = desk.studio.journal.list(work_id=remix.id)
            if pubs and pubs[0].state == "sent":
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.05)
        else:
            raise AssertionError("the publication was never journaled as sent")
        sent = pubs[0]
        desk.studio.library.db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid != pg_backend_pid()")
        devnet.rpc("evm_mine", [])
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in err
    if process.returncode != 0:
        assert len([line for line in err.splitlines() if line.startswith("error")]) == 1, err
    url = desk.studio.library.address
    desk.studio.close()
    desk.studio = Studio.open(url)  # the next start settles what is left
    pubs = desk.studio.journal.list(work_id=remix.id)
    assert [(p.state, p.tx_hash) for p in pubs] == [("confirmed", sent.tx_hash)]
