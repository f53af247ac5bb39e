"""A task run on a thread pool: a QRunnable plus a separate signals QObject that lives on the GUI thread.

A task is a plain function of a `TaskContext`. It reports progress and checks for cancellation through the
context and never touches a widget: everything it has to say travels as a queued signal. Exceptions never
escape the thread; they become the `failed` signal.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from studio.errors import Cancelled, StudioError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaskContext:
    """What a running task may use: a cancel flag it checks, and a way to report progress."""

    cancel: threading.Event
    report: Callable[[int, int, Any], None]

    def raise_if_cancelled(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("Cancelled")


Task = Callable[[TaskContext], Any]


class WorkerSignals(QObject):
    """Emitted from the worker thread; receivers on the GUI thread get them queued."""

    started = Signal(int)
    progress = Signal(int, int, int, object)  # job id, step, total, preview (or None)
    finished = Signal(int, object)  # job id, result
    failed = Signal(int, str)  # job id, one-line message for the user
    cancelled = Signal(int)


class TaskRunnable(QRunnable):
    def __init__(self, job_id: int, task: Task, cancel: threading.Event, signals: WorkerSignals) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the queue keeps the reference until the task has reported its end
        self.job_id = job_id
        self.task = task
        self.cancel = cancel
        self.signals = signals

    def run(self) -> None:
        job_id = self.job_id
        if self.cancel.is_set():
            self.signals.cancelled.emit(job_id)
            return
        self.signals.started.emit(job_id)
        context = TaskContext(self.cancel, lambda step, total, preview=None: self._report(step, total, preview))
        try:
            result = self.task(context)
        except Cancelled:
            self.signals.cancelled.emit(job_id)
            return
        except StudioError as exc:
            self.signals.failed.emit(job_id, str(exc))
            return
        except Exception as exc:  # a bug, not a user error: keep the window alive and say what happened
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            self.signals.failed.emit(job_id, f"Unexpected error: {type(exc).__name__}: {exc}")
            return
        # A task that returned has done its work (a generation may already be recorded), so a late cancel
        # request does not turn it into a cancelled job.
        self.signals.finished.emit(job_id, result)

    def _report(self, step: int, total: int, preview: Any) -> None:
        self.signals.progress.emit(self.job_id, int(step), int(total), preview)
