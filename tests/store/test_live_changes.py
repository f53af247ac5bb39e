"""A team library announces every committed change to the works, lineage, reviews and publications (triggers of
m017, delivered at COMMIT), and its listener survives its connection being ended by the server."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import psycopg
import pytest

from studio.core.types import Origin, Relation, Terms, WorkKind
from studio.store.db import Change
from studio.store.library import Library
from studio.store.postgres import ChangeListener, parse_change
from studio.store.works import NewWork


class Feed:
    """A listener read on a thread of its own, its changes queued for the test."""

    def __init__(self, listener: ChangeListener) -> None:
        self.listener = listener
        self.received: queue.Queue[Change] = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for change in self.listener.changes():
            self.received.put(change)

    def next(self, timeout: float = 5.0) -> Change:
        return self.received.get(timeout=timeout)

    def drain(self, wait: float = 0.3) -> list[Change]:
        found = []
        try:
            while True:
                found.append(self.received.get(timeout=wait))
        except queue.Empty:
            return found

    def stop(self) -> None:
        self.listener.stop()
        self.thread.join(timeout=5)
        assert not self.thread.is_alive()


@pytest.fixture
def team(postgres_url: str) -> Iterator[Library]:
    lib = Library.open(postgres_url)
    yield lib
    lib.close()


@pytest.fixture
def feed(team: Library) -> Iterator[Feed]:
    listener = team.db.change_feed()
    assert isinstance(listener, ChangeListener)
    f = Feed(listener)
    assert f.next().kind == Change.LISTENING
    yield f
    f.stop()


def _work(lib: Library, n: int):
    return lib.works.insert(NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}", origin=Origin.imported,
                                    terms=Terms("cc0-1.0")))


def test_a_committed_change_is_announced_and_a_rolled_back_one_is_not(team: Library, feed: Feed) -> None:
    work = _work(team, 1)
    assert feed.next() == Change("works", work.id, work.id, "insert")
    with pytest.raises(RuntimeError), team.db.atomic():
        _work(team, 2)
        assert feed.drain(0.3) == []  # nothing before COMMIT
        raise RuntimeError("rolled back")
    assert feed.drain(0.3) == []
    child = _work(team, 3)
    team.edges.insert(child.id, work.id, Relation.remix_of, 0, None)
    team.works.trash(child.id)
    seen = feed.drain()
    assert ("works", child.id, "insert") in [(c.table, c.work_id, c.kind) for c in seen]
    assert ("edges", child.id, "insert") in [(c.table, c.work_id, c.kind) for c in seen]
    assert ("works", child.id, "update") in [(c.table, c.work_id, c.kind) for c in seen]


def test_the_listener_reconnects_after_the_server_ends_its_connection(team: Library, feed: Feed) -> None:
    pids = team.db.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid != pg_backend_pid()")
    assert len(pids) == 1
    team.db.execute("SELECT pg_terminate_backend(?)", (pids[0][0],))
    assert feed.next().kind == Change.RESYNC
    work = _work(team, 1)
    assert feed.next() == Change("works", work.id, work.id, "insert")


def test_announcements_not_from_the_library_are_ignored(team: Library, feed: Feed, postgres_url: str) -> None:
    hostile = ['not json', '[1, 2]', '{"table": "pg_authid", "id": "x", "kind": "insert"}',
               '{"table": "works", "id": "' + "a" * 5000 + '", "kind": "insert"}',
               '{"table": "works", "id": 7, "kind": "insert"}', '{"table": "works", "id": "w", "kind": "drop"}']
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for payload in hostile:
            conn.execute("SELECT pg_notify('studio_library_changes', %s)", (payload,))
            assert parse_change(payload) is None
    work = _work(team, 1)
    assert feed.next() == Change("works", work.id, work.id, "insert")  # the next real change, nothing before it
