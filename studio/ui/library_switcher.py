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
    team_opened = Signal(object, str)  # a StudioSession over a team library, and its address naming the member
    team_failed = Signal(str)

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._jobs: JobQueue | None = None
        self._team_jobs: JobQueue | None = None
        self._team_busy = False
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

    def open_team(self, address: str, member: str, password: str | None, remember: bool) -> bool:
        """Open a team library as `member` on a job (the server may be slow to answer); `team_opened` or
        `team_failed` follows. False while another team library is still opening."""
        if self._team_busy:
            return False
        if self._team_jobs is None:  # kept after a failed try; the session that opens takes it over
            self._team_jobs = JobQueue(self)
            self._team_jobs.job_finished.connect(lambda _job, opened: self._team_opened(*opened))
            self._team_jobs.job_failed.connect(lambda _job, message: self._team_failed(message))
        self._team_busy = True
        self._team_jobs.submit("library-open", "Open the team library",
                               lambda _ctx: load_views().open_team_studio(address, member, password, remember))
        # The job's result is the open library and what opens it again for the session's jobs.
        return True

    def _team_opened(self, studio: Any, reopen: Any) -> None:
        jobs, self._team_jobs, self._team_busy = self._team_jobs, None, False
        if self.closing or jobs is None:
            studio.close()
            return
        jobs.job_finished.disconnect()
        jobs.job_failed.disconnect()
        session = load_views().new_session(studio, jobs=jobs, parent=self.parent(), studio_factory=reopen)
        self.team_opened.emit(session, str(studio.library.address))

    def _team_failed(self, message: str) -> None:
        self._team_busy = False
        self.team_failed.emit(message)

    def wait(self) -> None:
        """Wait for a library still opening in the background (closing the window)."""
        for jobs in (self._jobs, self._team_jobs):
            if jobs is not None:
                jobs.wait_for_done()
