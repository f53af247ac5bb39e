"""Fixtures for the window's QtCore layer: a real library, a session over it, the built-in model built once,
and a guard that fails any test leaving a worker thread running."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from studio.app.session import StudioSession
from studio.services import Studio
from tests.helpers import qt_fixtures
from tests.helpers.qt_fixtures import *  # noqa: F403 (the window's shared fixtures)


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
    return partial(qt_fixtures.import_image, studio, make_image)
