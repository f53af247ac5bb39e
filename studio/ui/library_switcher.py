"""Opening the window's library: at a cold start in the background, on a job of the window's own queue (which
the library's session then takes over), at once when File ▸ Open Library switches to another.

The views and the studio's engines behind them are the one import the window defers (`load_views`): the
first library opens on a worker thread, which loads them there, so the window shows and paints meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Signal

from studio.app.jobs import JobQueue


def load_views() -> ModuleType:
    """`studio.ui.workspace`, imported the first time a library opens (deferred for the cold start, see above)."""
    import studio.ui.workspace as workspace

    return workspace


def open_session(folder: Path | str | None, parent: QObject | None = None) -> Any:
    """A session over the library in `folder`, opened now; StudioError says why it cannot be used."""
    views = load_views()
    return views.new_session(views.open_studio(folder), parent=parent)


class LibrarySwitcher(QObject):
    """Opens libraries for the window: `opened` brings the new session, `failed` the one line that says why not."""

    opened = Signal(object)  # a StudioSession
    failed = Signal(str)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._jobs: JobQueue | None = None
        self.closing = False  # set when the window closes: a library opened after that is closed again

    def open_in_background(self, folder: Path | str | None) -> None:
        """Open a library off the GUI thread (the window's cold start); `opened` or `failed` follows."""
        if self._jobs is None:
            self._jobs = JobQueue(self)
            self._jobs.job_finished.connect(lambda _job, studio: self._opened(studio))
            self._jobs.job_failed.connect(lambda _job, message: self.failed.emit(message))
        self._jobs.submit("library-open", "Open the library", lambda _ctx: load_views().open_studio(folder))

    def _opened(self, studio: Any) -> None:
        jobs, self._jobs = self._jobs, None
        if self.closing or jobs is None:
            studio.close()
            return
        jobs.job_finished.disconnect()
        jobs.job_failed.disconnect()
        self.opened.emit(load_views().new_session(studio, jobs=jobs, parent=self.parent()))

    def open_now(self, folder: Path) -> Any:
        """A session over `folder` opened at once (switching libraries); StudioError says why it cannot be used."""
        return open_session(folder, parent=self.parent())

    def wait(self) -> None:
        """Wait for a library still opening in the background (closing the window)."""
        if self._jobs is not None:
            self._jobs.wait_for_done()
