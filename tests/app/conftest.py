"""Fixtures for the window's QtCore layer: a real library, a session over it, the built-in model built once,
and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.app.session import StudioSession
from studio.services import Studio
from tests.qt_fixtures import (  # noqa: F401
    _shared_data_dir,
    import_image,
    keyring_env,
    library_dir,
    no_dangling_threads,
    studio_data,
)


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
    return partial(import_image, studio, make_image)
