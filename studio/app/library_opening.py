"""Opening a library for the window. The studio's engines load with this module (the license catalogue, the
store, the publishing client): that is what a cold start waits for, so the window imports it, with its views,
on the worker thread that opens its first library (see `studio.ui.library_switcher`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from studio.app.jobs import JobQueue
from studio.app.session import StudioSession
from studio.app.team_opening import member_address
from studio.secrets import Secret
from studio.services import Studio
from studio.store.team_login import save_password


def open_studio(folder: Path | str | None) -> Studio:
    """Open the library in `folder` (None: the default one); StudioError says why it cannot be used."""
    return Studio.open(Path(folder) if folder else None)


def new_session(studio: Studio, *, jobs: JobQueue | None = None, parent: QObject | None = None,
                studio_factory: Callable[[], Studio] | None = None) -> StudioSession:
    """The window's session over an open library; `jobs`, the queue that opened it, is taken over;
    `studio_factory` opens the library again for each job (by default from its address)."""
    return StudioSession(studio, jobs=jobs, parent=parent, studio_factory=studio_factory)


def open_team_studio(address: str, member: str, password: str | None,
                     remember: bool) -> tuple[Studio, Callable[[], Studio]]:
    """Open the team library at `address` as `member`: with `password` when given (kept in the OS keyring only once
    the server has accepted it, and only when `remember`), else with the keyring's. StudioError says why not.
    Also returns what opens it again as the same member for the session's jobs (a password not kept in the
    keyring stays in this process's memory only)."""
    url = member_address(address, member)
    secret = Secret(password) if password else None
    studio = Studio.open(url, password=secret)
    if secret is not None and remember:
        try:
            save_password(url, member.strip(), secret)
        except BaseException:
            studio.close()
            raise
    return studio, lambda: Studio.open(url, password=secret)
