"""Fixtures for the window: real widgets (offscreen), a real library folder, the built-in model built once per
run, and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QThread, QThreadPool

from studio.app.qt_compat import keep_constants_alive
from studio.app.session import StudioSession
from studio.app.settings import SettingsStore
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.ui.main_window import MainWindow

keep_constants_alive()  # PySide6 6.12 on Python 3.11 spends references to None, True and False


@pytest.fixture(autouse=True)
def no_dangling_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every thread pool or QThread a test starts must be idle when the test (and its fixtures) end."""
    pools: list[QThreadPool] = []
    threads: list[QThread] = []
    start_pool, start_thread = QThreadPool.start, QThread.start

    def pool_start(self: QThreadPool, *args: object, **kwargs: object) -> None:
        pools.append(self)
        start_pool(self, *args, **kwargs)

    def thread_start(self: QThread, *args: object, **kwargs: object) -> None:
        threads.append(self)
        start_thread(self, *args, **kwargs)

    monkeypatch.setattr(QThreadPool, "start", pool_start)
    monkeypatch.setattr(QThread, "start", thread_start)
    yield
    busy, running = [], []
    for pool in pools:
        try:
            if pool.activeThreadCount():
                busy.append(pool)
        except RuntimeError:  # deleted with its owner, which waited for its threads
            pass
    for thread in threads:
        try:
            if thread.isRunning():
                running.append(thread)
        except RuntimeError:
            pass
    for pool in busy:
        pool.waitForDone(30_000)
    assert not busy, f"{len(busy)} thread pool(s) still running tasks after the test"
    assert not running, f"{len(running)} QThread(s) still running after the test"


@pytest.fixture(scope="session")
def studio_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder for the whole run, so the built-in model is built once (tests/app shares it)."""
    return tmp_path_factory.getbasetemp() / "studio-data"


@pytest.fixture(autouse=True)
def _shared_data_dir(studio_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(studio_data))


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


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
def add_image(window: MainWindow, make_image: Callable[..., Path]) -> Callable[..., str]:
    """Import a real image file through the window's library (GUI thread) and refresh the views."""

    def add(
        license_id: str = "cc-by-4.0",
        *,
        title: str | None = None,
        parents: tuple[str, ...] = (),
        creator: str = "Ada",
        size: tuple[int, int] = (64, 64),
        **terms: object,
    ) -> str:
        path = make_image(size=size)
        outcome = window.session.studio.import_image(
            ImportRequest(path=path, title=title, creator=creator, license_id=license_id, parents=parents, **terms)  # type: ignore[arg-type]
        )
        window.session.library_changed.emit()
        return outcome.work.id

    return add
