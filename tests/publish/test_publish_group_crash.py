"""Publishing a training set as a group across a real crash: `python -m studio publish COLLECTION --yes` is killed
(SIGKILL) while a group transaction waits in anvil's pool (automine off), and the studio then runs again.
(a) killed after the group's registration is journaled as sent: `studio publish status` settles it with the group
IP, and publishing again describes the group and adds each member once, with no second group.
(b) killed after the group is confirmed, while its metadata transaction waits to be mined: publishing again, with
that transaction still in the pool, sets the metadata once and adds each member once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest
from publish_helpers import PCT
from web3 import Web3

from studio.core.types import Work
from studio.story.devnet.addresses import CORE_METADATA_MODULE
from studio.story.devnet.contributors import Contribution, member_terms, publish_contributions
from tests.conftest import REPO

T = TypeVar("T")
DESCRIBING = "describing the training set's group"
ADDING = "adding works to the training set's group"
WAITING = "in the node's pool"  # what the studio logs while it waits for a killed run's transaction


@pytest.fixture
def client(desk):
    return desk.studio.publish_setup.client(desk.studio.publish_setup.network("devnet"))


@contextmanager
def no_automine(devnet) -> Iterator[None]:
    devnet.rpc("evm_setAutomine", [False])
    try:
        yield
    finally:
        devnet.rpc("evm_setAutomine", [True])


def _training_set(desk) -> tuple[Work, list[Work]]:
    """Two works of this desk published under the group's terms (so the terms are registered and the killed run's
    first transaction is the group's), one of another wallet offering the terms to the pool and linked here, and
    one work not on Story."""
    mine = [desk.work(f"Mine {i}", rev_share=10, royalty_policy="lrp") for i in range(2)]
    for work in mine:
        desk.publish(work)
    theirs = desk.work("Theirs", owned=False, license_id="cc-by-4.0")
    setup = desk.studio.publish_setup
    net = setup.network("devnet")
    item = Contribution("Theirs on chain", "Ana", theirs.sha256, desk.studio.file_of(theirs).read_bytes(), "image/png")
    (ip,) = publish_contributions(setup.client(net), setup.storage(net), [item],
                                  member_terms(desk.studio.catalog, 10 * PCT))
    assert desk.studio.ip_importer.import_ip(ip.ip_id, "devnet").id == theirs.id
    members = [*mine, theirs]
    lone = desk.work("Not on Story")
    return desk.studio.collections.create("Crash set", work_refs=[*(m.id for m in members), lone.id]), members


def _studio(desk, *args: str) -> list[str]:
    return [sys.executable, "-m", "studio", "--library", str(desk.studio.library.root), *args]


def _publish_process(desk, collection: Work, *, verbose: bool = False) -> subprocess.Popen:
    command = _studio(desk, "publish", collection.id, "--network", "devnet", "--yes", "--json")
    if verbose:
        command.insert(3, "-v")
    return subprocess.Popen(command, cwd=REPO, env=desk.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _until(process: subprocess.Popen, found: Callable[[], T | None], what: str, step: Callable[[], None] = lambda: None,
           timeout_s: float = 120) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        assert process.poll() is None, process.communicate()
        step()
        time.sleep(0.05)
    process.kill()
    raise AssertionError(f"{what} never happened: {process.communicate()}")


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def _pool(devnet, wallet: str) -> list[dict]:
    """The wallet's transactions waiting in anvil's pool, by nonce."""
    pending = devnet.rpc("txpool_content", [])["pending"]
    mine = next((txs for sender, txs in pending.items() if sender.lower() == wallet.lower()), {})
    return [mine[n] for n in sorted(mine, key=int)]


def _events(desk, chain, contract: str, event: str, since: int) -> list[dict]:
    """The contract's events of that name from block `since` on (a Web3 of its own: logs are not cached)."""
    w3 = Web3(Web3.HTTPProvider(desk.rpc_url))
    found = chain.c(contract)
    logs = getattr(w3.eth.contract(address=found.address, abi=found.abi).events, event)().get_logs(from_block=since)
    return [dict(e["args"]) for e in logs]


def _group_registrations(desk, chain, since: int) -> list[str]:
    return [str(e["groupId"]) for e in _events(desk, chain, "GroupingModule", "IPGroupRegistered", since)]


def _metadata_sets(desk, chain, group: str, since: int) -> list[str]:
    return [str(e["metadataURI"]) for e in _events(desk, chain, "CoreMetadataModule", "MetadataURISet", since)
            if str(e["ipId"]).lower() == group.lower()]


def _labels(output: str) -> list[str]:
    (result,) = json.loads(output)
    assert result["state"] == "confirmed", result
    return [t["label"] for t in result["transactions"]]


def _check_group(desk, chain, client, collection: Work, members: list[Work], since: int) -> str:
    """One group registered since `since`, described once, each member in it once; one journal row."""
    (pub,) = desk.studio.journal.list(work_id=collection.id)
    assert pub.state == "confirmed" and pub.readback["agrees"], pub.readback
    assert _group_registrations(desk, chain, since) == [pub.ip_id]
    assert _metadata_sets(desk, chain, pub.ip_id, since) == [pub.metadata_uri]
    assert client.contracts.ip_metadata(pub.ip_id) == (pub.metadata_uri, pub.metadata_hash)
    on_chain = [m.lower() for m in client.groups.members(pub.ip_id)]
    assert sorted(on_chain) == sorted(desk.ip(m).lower() for m in members)
    rows = desk.studio.library.group_members.members_of(collection.id, "devnet")
    assert sorted(r.member_work_id for r in rows) == sorted(m.id for m in members)
    assert not desk.studio.library.group_members.in_flight("devnet")
    return pub.ip_id or ""


def test_a_kill_after_the_groups_registration_is_sent_settles_it_and_registers_no_second_group(
        desk, devnet, chain, client) -> None:
    collection, members = _training_set(desk)
    since = int(devnet.rpc("eth_blockNumber", []), 16) + 1
    journal = desk.studio.journal
    with no_automine(devnet):
        process = _publish_process(desk, collection)
        try:
            sent = _until(process, lambda: next((p for p in journal.list(work_id=collection.id)
                                                 if p.state == "sent" and client.is_known(p.tx_hash or "")), None),
                          "the group's registration journaled as sent and in the node's pool")
            _kill(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert sent.prediction["kind"] == "group" and sent.raw_tx and sent.nonce is not None and sent.ip_id is None
        assert client.receipt(sent.tx_hash or "") is None
        devnet.rpc("evm_mine", [])

    status = subprocess.run(_studio(desk, "publish", "status", "--network", "devnet", "--json"), cwd=REPO,
                            env=desk.env, capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    (row,) = [r for r in json.loads(status.stdout) if r["work_id"] == collection.id]
    assert row["state"] == "confirmed" and row["tx_hash"] == sent.tx_hash and client.groups.is_group(row["ip_id"])
    assert client.groups.members(row["ip_id"]) == [] and client.contracts.ip_metadata(row["ip_id"])[0] == ""

    again = subprocess.run(_studio(desk, "publish", collection.id, "--network", "devnet", "--yes", "--json"),
                           cwd=REPO, env=desk.env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    labels = _labels(again.stdout)
    assert labels.count(DESCRIBING) == 1 and ADDING in labels
    group = _check_group(desk, chain, client, collection, members, since)
    assert group == row["ip_id"]

    (last,) = desk.publish(collection)  # nothing left to do
    assert [t.label for t in last.transactions] == []
    assert len(client.groups.members(group)) == len(members)


def test_a_kill_while_the_groups_metadata_waits_to_be_mined_sets_it_once(desk, devnet, chain, client) -> None:
    collection, members = _training_set(desk)
    since = int(devnet.rpc("eth_blockNumber", []), 16) + 1
    journal = desk.studio.journal
    wallet = desk.address

    def mine_the_registration() -> None:
        (pub,) = journal.list(work_id=collection.id) or [None]
        if pub is not None and pub.state == "sent" and client.is_known(pub.tx_hash or ""):
            devnet.rpc("evm_mine", [])

    def describing() -> dict | None:
        pub = journal.live(collection.id, "devnet")
        pool = _pool(devnet, wallet) if pub is not None and pub.state == "confirmed" else []
        return pool[0] if pool else None

    with no_automine(devnet):
        process = _publish_process(desk, collection)
        try:
            waiting = _until(process, describing, "the group's metadata transaction in the node's pool",
                             mine_the_registration)
            _kill(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        assert waiting["to"].lower() == CORE_METADATA_MODULE.lower()
        old_nonce = int(waiting["nonce"], 16)
        group = journal.confirmed(collection.id, "devnet").ip_id
        assert client.contracts.ip_metadata(group)[0] == "" and client.groups.members(group) == []

        # The studio runs again while that transaction still waits: it is mined only once the studio says it waits
        # for it, or once the studio has sent anything after it (which, for a second metadata, is the bug).
        rerun = _publish_process(desk, collection, verbose=True)
        said: list[str] = []
        reader = threading.Thread(target=lambda: said.extend(rerun.stderr), daemon=True)
        reader.start()

        def mine_when_due() -> None:
            latest, pending = client.nonce(wallet, pending=False), client.nonce(wallet)
            if pending > latest and (latest > old_nonce or pending > old_nonce + 1 or any(WAITING in s for s in said)):
                devnet.rpc("evm_mine", [])

        try:
            _until(rerun, lambda: rerun.poll() is not None or None, "the second run's end", mine_when_due)
            output = rerun.stdout.read()
        finally:
            if rerun.poll() is None:
                rerun.kill()
                rerun.wait()
        reader.join(timeout=10)
        assert rerun.returncode == 0, "".join(said)
    assert any(WAITING in s for s in said), "".join(said)
    labels = _labels(output)
    assert DESCRIBING not in labels and ADDING in labels
    assert _check_group(desk, chain, client, collection, members, since) == group
