"""Fixtures shared by the window's tests (tests/app and tests/ui): Qt offscreen, the binding workaround, a guard
that fails any test leaving a worker thread running, and one data folder for the run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QThread, QThreadPool

from studio.app.qt_compat import keep_constants_alive

keep_constants_alive()  # PySide6 6.12 on Python 3.11 spends references to None, True and False

# What the window's conftest files take with `import *` (the private autouse fixture included).
__all__ = ["_shared_data_dir", "keyring_env", "library_dir", "no_dangling_threads", "studio_data"]


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
    busy = []
    for pool in pools:
        try:
            if pool.activeThreadCount():
                busy.append(pool)
        except RuntimeError:  # deleted with its owner, which waited for its threads
            pass
    running = []
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
    """One data folder for the whole run, so the built-in model is built once for tests/app and tests/ui."""
    return tmp_path_factory.getbasetemp() / "studio-data"


@pytest.fixture(autouse=True)
def _shared_data_dir(studio_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(studio_data))


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def keyring_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real Secret Service under tools/run-tests.sh; elsewhere the explicit plaintext test keyring."""
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") != "1":
        monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    monkeypatch.setenv("STUDIO_WALLET", f"ui-test-{uuid.uuid4().hex[:12]}")


def import_image(
    studio: Any,
    make_image: Callable[..., Path],
    license_id: str = "cc-by-4.0",
    *,
    title: str | None = None,
    parents: tuple[str, ...] = (),
    creator: str = "Ada",
    size: tuple[int, int] = (64, 64),
    **terms: object,
) -> str:
    """Import a real image file with the given license and parents into `studio`; returns the work id."""
    from studio.services.importing import ImportRequest

    path = make_image(size=size)
    request = ImportRequest(path=path, title=title, creator=creator, license_id=license_id, parents=parents, **terms)  # type: ignore[arg-type]
    return studio.importing.import_image(request).work.id
