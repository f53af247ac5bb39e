"""Opening the demo library from the window: the one the demo builds in the data folder, built first (by the
demo service, as a job) when there is none yet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from studio.app.jobs import JobQueue, JobState
from studio.app.workers import TaskContext
from studio.errors import StudioError
from studio.generate.request import Cancelled
from studio.services.demo_events import DemoEvent, StepStarted
from studio.services.demo_folder import demo_folder, demo_ready

if TYPE_CHECKING:
    from studio.services.demo import Step

__all__ = ["DemoLibrary", "build_demo", "demo_folder", "demo_ready"]


def build_demo(ctx: TaskContext, folder: Path, steps: Sequence[Step] | None = None) -> Path:
    """Run the demo into `folder` as a job: its steps are the job's progress; a cancel stops it between steps
    (and generation steps)."""

    def on_event(event: DemoEvent) -> None:
        if isinstance(event, StepStarted):
            ctx.report(event.number - 1, event.total, None)

    # The demo publishes on the devnet: its module loads web3, which the window's first page never waits for.
    from studio.services.demo import run_demo

    try:
        return run_demo(folder, on_event, cancel=ctx.cancel, steps=steps)
    except Cancelled:
        raise
    except StudioError as exc:
        raise StudioError(f"the demo library could not be built: {exc}") from exc


class DemoLibrary(QObject):
    """The window's demo library: `open` emits `ready` with the folder at once when the demo library exists,
    else builds it as a job (`building` says when that starts and ends) and emits `ready` when it is built."""

    building = Signal(bool)
    ready = Signal(object)  # the folder (a Path)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.steps: Sequence[Step] | None = None  # every step of the demo unless set (tests)

    def open(self, jobs: JobQueue, folder: Path | None = None) -> int | None:
        """Returns the build's job id, or None when an existing demo library is opened."""
        folder = folder or demo_folder()
        if demo_ready(folder):
            self.ready.emit(folder)
            return None
        steps = self.steps
        job_id = jobs.submit("demo", "Build the demo library", lambda ctx: build_demo(ctx, folder, steps), lane="io")
        self.building.emit(True)

        def ended(done_id: int, *_args: object) -> None:
            if done_id != job_id:
                return
            for signal in (jobs.job_finished, jobs.job_failed, jobs.job_cancelled):
                signal.disconnect(ended)
            self.building.emit(False)
            if jobs.job(done_id).state is JobState.finished and demo_ready(folder):
                self.ready.emit(folder)

        for signal in (jobs.job_finished, jobs.job_failed, jobs.job_cancelled):
            signal.connect(ended)
        return job_id
