"""Two windows on one team library (two sessions, each with its own connections and change feed, on a real
PostgreSQL server): what one adds, approves or publishes appears in the other's gallery within a second, updated
in place; a window's own change is not applied twice; after its feed's connection is ended by the server, the
window listens again and reads what it missed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studio.app.review_model import ReviewModel, WorkIdRole
from studio.app.session import LiveChanges, StudioSession
from studio.app.works_model import PublishedRole, WorksModel
from studio.services import Studio
from studio.store.library import Library
from studio.story.prediction import Prediction
from tests.helpers import qt_fixtures

LIVE_S = 1_000  # a change seen by another window within a second
WAIT = 20_000


class Window:
    """What a window holds of a team library: its session and its gallery's model, pages read as a view would."""

    def __init__(self, url: str, qtbot) -> None:
        self.session = StudioSession(Studio.open(url), studio_factory=lambda: Studio.open(url))
        self.model = WorksModel(self.session)
        self.resets = 0
        self.model.modelReset.connect(self._reset)
        # As the gallery panel wires them: a change here reads the gallery again, one elsewhere updates rows.
        self.session.library_changed.connect(self.model.refresh)
        self.session.live_changes.connect(self._apply)
        with qtbot.waitSignal(self.session.live_listening, timeout=WAIT):
            pass

    def _apply(self, changes: LiveChanges) -> None:
        self.model.apply_changes(changes.work_ids)

    def _reset(self) -> None:
        self.resets += 1

    def shown(self) -> list[str]:
        return [self.model.work_at(row).id for row in range(self.model.rowCount())]  # type: ignore[union-attr]

    def close(self) -> None:
        self.model.close()
        self.session.close()


@pytest.fixture
def team_url(postgres_url: str) -> str:
    Library.open(postgres_url).close()  # the schema, as `studio library create --team` leaves it
    return postgres_url


@pytest.fixture
def windows(team_url: str, qtbot, qapp) -> Iterator[tuple[Window, Window]]:
    first, second = Window(team_url, qtbot), Window(team_url, qtbot)
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def add_to(make_image: Callable[..., Path]) -> Callable[..., str]:
    return lambda window, **kw: qt_fixtures.import_image(window.session.studio, make_image, **kw)


def test_a_work_added_in_one_window_appears_in_the_other_without_reloading_the_gallery(windows, add_to, qtbot):
    first, second = windows
    older = add_to(first, title="Tidepool")
    qtbot.waitUntil(lambda: second.shown() == [older], timeout=LIVE_S)
    resets = second.resets
    newer = add_to(first, title="Tidepool at dusk")
    qtbot.waitUntil(lambda: second.shown() == [older, newer], timeout=LIVE_S)
    first.session.studio.library.works.update(older, title="Tidepool at dawn")
    qtbot.waitUntil(lambda: second.model.work_at(0).title == "Tidepool at dawn", timeout=LIVE_S)  # type: ignore
    first.session.trash([newer])
    qtbot.waitUntil(lambda: second.shown() == [older], timeout=LIVE_S)
    assert second.resets == resets  # rows inserted, repainted and removed in place


def test_a_publication_in_one_window_marks_the_work_published_in_the_other(windows, add_to, qtbot):
    first, second = windows
    work_id = add_to(first, title="Tidepool")
    qtbot.waitUntil(lambda: second.shown() == [work_id], timeout=LIVE_S)
    network = second.session.studio.publish_setup.default_network()
    assert not second.model.index(0).data(PublishedRole)
    journal = first.session.studio.journal
    prediction = Prediction(work_id, network, "0xw", "cc-by-4.0", "CC BY", {}, royalty_percent=0, policy=None)
    pub = journal.draft(work_id, network, 1315, "0xw", prediction)
    journal.mark_sent(pub.id, "0x01", 0, "0xraw")
    journal.confirm(pub.id, "0x" + "ab" * 20, 1, "0x" + "cd" * 20, ())
    qtbot.waitUntil(lambda: second.model.index(0).data(PublishedRole) is True, timeout=LIVE_S)


def test_an_approval_in_one_window_leaves_the_other_reviewers_queue(windows, add_to, qtbot):
    first, second = windows
    work_id = add_to(first, title="Tidepool")
    queue = ReviewModel(second.session)
    try:
        with qtbot.waitSignal(queue.listed, timeout=WAIT):
            queue.set_active(True)
        qtbot.waitUntil(lambda: [queue.index(r).data(WorkIdRole) for r in range(queue.rowCount())] == [work_id],
                        timeout=WAIT)
        first.session.studio.review.record_decision(work_id, "approved", "Rhea")
        qtbot.waitUntil(lambda: queue.rowCount() == 0, timeout=LIVE_S)
    finally:
        queue.close()


def test_a_windows_own_change_is_not_applied_twice(windows, add_to, qtbot):
    first, second = windows
    inserted: list[int] = []
    first.model.rowsInserted.connect(lambda *_: inserted.append(1))
    work_id = add_to(first, title="Tidepool")
    first.session.library_changed.emit()  # the window's own refresh after its import
    assert first.shown() == [work_id]
    qtbot.waitUntil(lambda: second.shown() == [work_id], timeout=LIVE_S)
    qtbot.wait(300)  # the announcement reached the first window as well
    assert first.shown() == [work_id] and inserted == []


def test_after_its_feed_is_cut_the_window_listens_again_and_reads_what_it_missed(windows, add_to, qtbot, team_url):
    first, second = windows
    older = add_to(first, title="Tidepool")
    qtbot.waitUntil(lambda: second.shown() == [older], timeout=LIVE_S)
    admin = Library.open(team_url)
    try:
        listeners = admin.db.query("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
        assert len(listeners) == 2
        # While the feeds are down (killed together), the other window changes the library.
        for (pid,) in listeners:
            admin.db.execute("SELECT pg_terminate_backend(?)", (pid,))
        missed = add_to(first, title="Tidepool at dusk")
        first.session.studio.library.works.trash(older)
    finally:
        admin.close()
    with qtbot.waitSignal(second.session.live_listening, timeout=WAIT):
        pass
    qtbot.waitUntil(lambda: second.shown() == [missed], timeout=LIVE_S)
    later = add_to(first, title="Tidepool at night")  # and the feed goes on
    qtbot.waitUntil(lambda: second.shown() == [missed, later], timeout=LIVE_S)


