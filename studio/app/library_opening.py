"""Opening a library for the window. The studio's engines load with this module (the license catalogue, the
store, the publishing client): that is what a cold start waits for, so the window imports it, with its views,
on the worker thread that opens its first library (see `studio.ui.library_switcher`)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from studio.app.jobs import JobQueue
from studio.app.session import StudioSession
from studio.services import Studio


def open_studio(folder: Path | str | None) -> Studio:
    """Open the library in `folder` (None: the default one); StudioError says why it cannot be used."""
    return Studio.open(Path(folder) if folder else None)


def new_session(studio: Studio, *, jobs: JobQueue | None = None, parent: QObject | None = None) -> StudioSession:
    """The window's session over an open library; `jobs`, the queue that opened it, is taken over."""
    return StudioSession(studio, jobs=jobs, parent=parent)
