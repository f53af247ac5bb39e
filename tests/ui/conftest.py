"""Fixtures for the window: real widgets (offscreen), a real library folder, the built-in model built once per
run, and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studio.app.session import StudioSession
from studio.app.settings import SettingsStore
from studio.services import Studio
from studio.ui.main_window import MainWindow
from tests.helpers import qt_fixtures
from tests.helpers.qt_fixtures import *  # noqa: F403 (the window's shared fixtures)


@pytest.fixture
def settings_store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config" / "window.json")


@pytest.fixture
def open_window(qtbot, library_dir: Path, settings_store: SettingsStore) -> Iterator[Callable[..., MainWindow]]:
    """Opens main windows on real libraries; every one is shut down (workers joined) after the test."""
    opened: list[MainWindow] = []

    def open_(folder: Path | None = None) -> MainWindow:
        window = MainWindow(StudioSession(Studio.open(folder or library_dir)), settings_store)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        opened.append(window)
        return window

    yield open_
    for window in opened:
        window.shutdown()


@pytest.fixture
def window(open_window: Callable[..., MainWindow]) -> MainWindow:
    return open_window()


@pytest.fixture
def on_devnet(window: MainWindow, devnet_url: str) -> str:
    """The window's library publishes on the session devnet (reverted after the test) instead of starting its own."""
    window.session.studio.publish_setup.set_setting("rpc.devnet", devnet_url)
    return devnet_url


@pytest.fixture
def add_image(window: MainWindow, make_image: Callable[..., Path]) -> Callable[..., str]:
    """Import a real image file through the window's library (GUI thread) and refresh the views."""

    def add(*args: object, **kwargs: object) -> str:
        work_id = qt_fixtures.import_image(window.session.studio, make_image, *args, **kwargs)  # type: ignore[arg-type]
        window.session.library_changed.emit()
        return work_id

    return add
