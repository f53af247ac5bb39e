"""Fixtures for the window's QtCore layer: a real library, a session over it, the built-in model built once,
and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.app.session import StudioSession
from studio.services import Studio
from studio.services.importing import ImportRequest
from tests.qt_fixtures import _shared_data_dir, keyring_env, library_dir, no_dangling_threads, studio_data  # noqa: F401


@pytest.fixture
def studio(library_dir: Path) -> Iterator[Studio]:
    s = Studio.open(library_dir)
    yield s
    s.close()


@pytest.fixture
def session(studio: Studio, qapp: object) -> Iterator[StudioSession]:
    s = StudioSession(studio)
    yield s
    s.close()


@pytest.fixture
def add_image(studio: Studio, make_image: Callable[..., Path]) -> Callable[..., str]:
    """Import a real image file with the given license and parents; returns the work id."""

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
        outcome = studio.import_image(
            ImportRequest(path=path, title=title, creator=creator, license_id=license_id, parents=parents, **terms)
        )  # type: ignore[arg-type]
        return outcome.work.id

    return add
