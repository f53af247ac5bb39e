"""Hostile announcements on a team library's change channel (any client of the database may NOTIFY on it): forged
rows, ids that are not ids, a flood. The open window stays as the server is, and nothing is raised on its thread."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from studio.app.session import LIVE_MAX_IN_PLACE, LiveChanges, StudioSession
from studio.app.works_model import WorksModel
from studio.services import Studio
from studio.store.library import Library
from studio.store.migrations import LIVE_CHANNEL
from tests.helpers import qt_fixtures

WAIT = 20_000


@pytest.fixture
def window(postgres_url: str, qtbot, qapp) -> Iterator[tuple[StudioSession, WorksModel]]:
    Library.open(postgres_url).close()
    session = StudioSession(Studio.open(postgres_url), studio_factory=lambda: Studio.open(postgres_url))
    model = WorksModel(session)
    session.library_changed.connect(model.refresh)

    def apply(changes: LiveChanges) -> None:
        model.apply_changes(changes.work_ids)

    session.live_changes.connect(apply)
    with qtbot.waitSignal(session.live_listening, timeout=WAIT):
        pass
    yield session, model
    model.close()
    session.close()


def _notify(url: str, payloads: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for payload in payloads:
            conn.execute("SELECT pg_notify(%s, %s)", (LIVE_CHANNEL, payload))


def _shown(model: WorksModel) -> list[str]:
    return [model.work_at(row).id for row in range(model.rowCount())]  # type: ignore[union-attr]


def test_forged_announcements_leave_the_window_as_the_server_is(window, postgres_url, qtbot, make_image) -> None:
    session, model = window
    real = qt_fixtures.import_image(session.studio, make_image, title="Tidepool")
    qtbot.waitUntil(lambda: _shown(model) == [real], timeout=WAIT)
    forged = [
        {"table": "works", "id": "no-such-work", "work": "no-such-work", "kind": "insert"},
        {"table": "works", "id": real, "work": real, "kind": "insert"},  # a second insert of a shown work
        {"table": "works", "id": "'; DROP TABLE works; --", "work": "'; DROP TABLE works; --", "kind": "update"},
        {"table": "publications", "id": "1", "work": real, "kind": "delete"},
        {"table": "works", "id": real, "work": real, "kind": "delete"},  # a delete of a work still there
    ]
    _notify(postgres_url, [json.dumps(f) for f in forged])
    qtbot.wait(300)
    assert _shown(model) == [real]
    assert session.studio.library.works.count() == 1


def test_a_flood_on_the_channel_is_read_as_one_refresh(window, postgres_url, qtbot, make_image) -> None:
    session, model = window
    real = qt_fixtures.import_image(session.studio, make_image, title="Tidepool")
    qtbot.waitUntil(lambda: _shown(model) == [real], timeout=WAIT)
    flood = [json.dumps({"table": "works", "id": f"w{n}", "work": f"w{n}", "kind": "insert"})
             for n in range(LIVE_MAX_IN_PLACE * 10)]
    with qtbot.waitSignal(session.library_changed, timeout=WAIT):
        _notify(postgres_url, flood)
    assert _shown(model) == [real]


