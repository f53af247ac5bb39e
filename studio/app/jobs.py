"""The job queue: all of the window's background work runs here, off the GUI thread — generation, import,
publishing, export, engine tests, opening a library, the window's housekeeping and the thumbnails.

Jobs run in lanes, each a thread pool of its own owned by the queue: `generate` runs one job at a time (the model
uses every core), `io` runs imports and publishing beside it, and `thumbnails` decodes pictures for the views with
a small, fixed number of threads at low priority, so scrolling never holds up what the user asked for. State
changes only through the worker's signals, which arrive on the GUI thread, so the queue's state is only ever
touched there.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QThread, QThreadPool, Signal

from studio.app.workers import Task, TaskRunnable, WorkerSignals

LANES = {"generate": 1, "io": 2, "thumbnails": 2}
# Lanes whose threads yield to the others' (the pictures in view can wait for a generation step).
LOW_PRIORITY_LANES = frozenset({"thumbnails"})
KEEP_FINISHED = 50  # of the user's jobs, and apart from them, of housekeeping
# Work the window does for itself (opening the library, reading reports, listing reviews, checking a publication,
# making thumbnails): it runs as jobs but is not something the user asked for, so the jobs list does not show it.
HOUSEKEEPING_KINDS = frozenset({"library-open", "publish-check", "review-list", "review-report", "thumbnails"})


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def done(self) -> bool:
        return self in (JobState.finished, JobState.failed, JobState.cancelled)


@dataclass(frozen=True)
class Job:
    """A snapshot of one job, as the jobs panel shows it."""

    id: int
    kind: str
    title: str
    state: JobState = JobState.queued
    step: int = 0
    total: int = 0
    preview: Any = None
    result: Any = None
    error: str | None = None
    cancelling: bool = False  # asked to stop; a running job stops at its next step

    @property
    def housekeeping(self) -> bool:
        return self.kind in HOUSEKEEPING_KINDS

    @property
    def fraction(self) -> float:
        if self.state is JobState.finished:
            return 1.0
        return self.step / self.total if self.total else 0.0


class JobQueue(QObject):
    job_added = Signal(int)
    job_changed = Signal(int)
    job_finished = Signal(int, object)
    job_failed = Signal(int, str)
    job_cancelled = Signal(int)
    job_removed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pools: dict[str, QThreadPool] = {}
        for lane, threads in LANES.items():
            pool = QThreadPool(self)
            pool.setObjectName(f"jobs-{lane}")
            pool.setMaxThreadCount(threads)
            if lane in LOW_PRIORITY_LANES:
                pool.setThreadPriority(QThread.Priority.LowPriority)
            self._pools[lane] = pool
        self._jobs: dict[int, Job] = {}
        self._running: dict[int, tuple[TaskRunnable, threading.Event, str]] = {}
        self._ids = itertools.count(1)
        self._signals = WorkerSignals(self)
        self._signals.started.connect(self._on_started)
        self._signals.progress.connect(self._on_progress)
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)
        self._closed = False

    # -- submitting and cancelling ------------------------------------------------------------------------
    def submit(self, kind: str, title: str, task: Task, *, lane: str = "io") -> int:
        if self._closed:
            raise RuntimeError("the job queue is shut down")
        job_id = next(self._ids)
        cancel = threading.Event()
        runnable = TaskRunnable(job_id, task, cancel, self._signals)
        self._jobs[job_id] = Job(job_id, kind, title)
        self._running[job_id] = (runnable, cancel, lane)
        self.job_added.emit(job_id)
        self._pools[lane].start(runnable)
        return job_id

    def cancel(self, job_id: int) -> None:
        """Cancel a queued job at once; ask a running one to stop at its next step."""
        entry = self._running.get(job_id)
        if entry is None:
            return
        runnable, cancel, lane = entry
        cancel.set()
        if self._pools[lane].tryTake(runnable):
            self._on_cancelled(job_id)
        else:
            self._update(job_id, cancelling=True)

    def cancel_all(self) -> None:
        for job_id in list(self._running):
            self.cancel(job_id)

    def remove_finished(self) -> None:
        for job_id in [j.id for j in self._jobs.values() if j.state.done]:
            del self._jobs[job_id]
            self.job_removed.emit(job_id)

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel everything and wait for the workers; True when no thread is left running."""
        self._closed = True
        self.cancel_all()
        done = all(pool.waitForDone(timeout_ms) for pool in self._pools.values())
        self._running.clear()
        return done

    # -- reading ------------------------------------------------------------------------------------------
    def job(self, job_id: int) -> Job:
        return self._jobs[job_id]

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def active_count(self, *, housekeeping: bool = True) -> int:
        """Jobs queued or running; without `housekeeping`, only those the user started."""
        if housekeeping:
            return len(self._running)
        return sum(1 for job_id in self._running if not self._jobs[job_id].housekeeping)

    def wait_for_done(self, timeout_ms: int = -1, *, lane: str | None = None) -> bool:
        """Block until every pool (or `lane`'s) is idle (tests and shutdown only; never from a slot)."""
        pools = self._pools.values() if lane is None else [self._pools[lane]]
        return all(pool.waitForDone(timeout_ms) for pool in pools)

    def pools(self) -> list[QThreadPool]:
        """The threads of every lane (the window runs no other pool)."""
        return list(self._pools.values())

    # -- worker signals (GUI thread) ----------------------------------------------------------------------
    def _update(self, job_id: int, **changes: Any) -> Job | None:
        job = self._jobs.get(job_id)
        if job is None:
            return None
        job = replace(job, **changes)
        self._jobs[job_id] = job
        self.job_changed.emit(job_id)
        return job

    def _on_started(self, job_id: int) -> None:
        self._update(job_id, state=JobState.running)

    def _on_progress(self, job_id: int, step: int, total: int, preview: Any) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.state.done:
            return
        changes: dict[str, Any] = {"step": step, "total": total}
        if preview is not None:
            changes["preview"] = preview
        self._update(job_id, **changes)

    def _end(self, job_id: int, **changes: Any) -> bool:
        if job_id not in self._running and job_id in self._jobs and self._jobs[job_id].state.done:
            return False  # already ended (a queued job cancelled twice)
        self._running.pop(job_id, None)
        self._update(job_id, **changes)
        self._prune()
        return True

    def _on_finished(self, job_id: int, result: Any) -> None:
        if self._end(job_id, state=JobState.finished, result=result):
            self.job_finished.emit(job_id, result)

    def _on_failed(self, job_id: int, message: str) -> None:
        if self._end(job_id, state=JobState.failed, error=message):
            self.job_failed.emit(job_id, message)

    def _on_cancelled(self, job_id: int) -> None:
        if self._end(job_id, state=JobState.cancelled):
            self.job_cancelled.emit(job_id)

    def _prune(self) -> None:
        # Counted apart, so a scroll through the gallery (many thumbnail jobs) never drops the user's own jobs.
        for housekeeping in (False, True):
            finished = [j.id for j in self._jobs.values() if j.state.done and j.housekeeping is housekeeping]
            for job_id in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[job_id]
                self.job_removed.emit(job_id)
