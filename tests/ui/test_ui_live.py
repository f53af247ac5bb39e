"""The window on a team library (a real PostgreSQL server): a work another machine adds appears in the gallery and
its count within a second, a work it trashes leaves, without the gallery being read again."""

from __future__ import annotations

import pytest

from studio.app.session import StudioSession
from studio.services import Studio
from studio.store.library import Library
from studio.ui.main_window import MainWindow
from tests.helpers import qt_fixtures

LIVE_S = 1_000
WAIT = 20_000


@pytest.fixture
def team_window(qtbot, postgres_url, settings_store):
    Library.open(postgres_url).close()
    window = MainWindow(StudioSession(Studio.open(postgres_url)), settings_store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: getattr(window, "library", None) is not None, timeout=WAIT)
    with qtbot.waitSignal(window.session.live_listening, timeout=WAIT):
        pass
    yield window
    window.shutdown()


def test_the_gallery_follows_another_machine(team_window, postgres_url, qtbot, make_image):
    window = team_window
    other = Studio.open(postgres_url)  # another machine, with its own connections
    try:
        first = qt_fixtures.import_image(other, make_image, title="Tidepool")
        qtbot.waitUntil(lambda: window.library.model.rowCount() == 1, timeout=LIVE_S)
        assert window.library.count.text() == "1 work"
        resets: list[int] = []
        window.library.model.modelReset.connect(lambda: resets.append(1))
        second = qt_fixtures.import_image(other, make_image, title="Tidepool at dusk")
        qtbot.waitUntil(lambda: window.library.model.rowCount() == 2, timeout=LIVE_S)
        assert window.library.model.work_at(1).id == second  # type: ignore[union-attr]
        assert window.library.count.text() == "2 works"
        other.trash([first])
        qtbot.waitUntil(lambda: window.library.model.rowCount() == 1, timeout=LIVE_S)
        assert window.library.model.work_at(0).id == second  # type: ignore[union-attr]
        assert resets == []
    finally:
        other.close()
