"""Thumbnails for the gallery and the lineage graph, made and decoded off the GUI thread, kept in a cache.

Views ask for a thumbnail while painting. A miss returns None at once and queues the work; requests are served
newest first and the oldest are dropped when the queue is long, so fast scrolling over a large library only
spends time on what is on screen. Jobs on the job queue's low-priority `thumbnails` lane make the cached thumbnail
file (through the Qt-free core) and decode it into a QImage; only the GUI thread turns it into a QPixmap.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPixmap

from studio.app.jobs import LANES, JobQueue
from studio.app.values import Work
from studio.app.workers import TaskContext

THUMB_PIXELS = 256
MAX_CACHED = 800
MAX_QUEUED = 128
LANE = "thumbnails"
WORKERS = LANES[LANE]

ThumbnailFile = Callable[[Work, int], Path | None]


class _Signals(QObject):
    loaded = Signal(str, QImage)  # sha256, image (null when it could not be read)


class ThumbnailProvider(QObject):
    ready = Signal(str)  # sha256 of a thumbnail that is now cached

    def __init__(self, thumbnail_file: ThumbnailFile, jobs: JobQueue, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thumbnail_file = thumbnail_file
        self._jobs = jobs
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._failed: set[str] = set()
        self._lock = threading.Lock()
        self._queue: OrderedDict[str, Work] = OrderedDict()
        self._in_flight: set[str] = set()
        self._drains = 0
        self._drain_jobs: set[int] = set()
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
        jobs.job_finished.connect(self._on_drain_finished)
        jobs.job_cancelled.connect(self._on_drain_cancelled)
        self._closed = False

    def pixmap(self, work: Work) -> QPixmap | None:
        """The cached thumbnail, or None (and a request queued) when it is not ready yet."""
        key = work.sha256
        pixmap = self._cache.get(key)
        if pixmap is not None:
            self._cache.move_to_end(key)
            return pixmap
        if key in self._failed or not work.file_path or self._closed:
            return None
        with self._lock:
            if key in self._in_flight:
                return None
            self._queue[key] = work
            self._queue.move_to_end(key)
            while len(self._queue) > MAX_QUEUED:
                self._queue.popitem(last=False)
            start = self._drains < WORKERS
            if start:
                self._drains += 1
        if start:
            self._drain_jobs.add(self._jobs.submit("thumbnails", "Thumbnails", self._drain, lane=LANE))
        return None

    def cached(self, sha256: str) -> QPixmap | None:
        return self._cache.get(sha256)

    def clear(self) -> None:
        self._cache.clear()
        self._failed.clear()

    def shutdown(self) -> None:
        """Stop asking for thumbnails; the job queue waits for the drains already running when it shuts down."""
        self._closed = True
        with self._lock:
            self._queue.clear()

    # -- worker side --------------------------------------------------------------------------------------
    def _drain(self, ctx: TaskContext) -> None:
        """Serve queued requests until the queue is empty (or the job queue shuts down)."""
        while (work := self._next(ctx)) is not None:
            image = QImage()
            try:
                path = self._thumbnail_file(work, THUMB_PIXELS)
                if path is not None:
                    image = QImage(str(path))
            except Exception:  # an unreadable or missing file: the view shows a placeholder
                image = QImage()
            self._signals.loaded.emit(work.sha256, image)

    def _next(self, ctx: TaskContext) -> Work | None:
        # Leaving happens under the same lock as the check in `pixmap`, so a request is never left unserved.
        with self._lock:
            if not self._queue or ctx.cancel.is_set():
                self._drains -= 1
                return None
            key, work = self._queue.popitem(last=True)  # newest request first: what is on screen now
            self._in_flight.add(key)
            return work

    # -- GUI side -----------------------------------------------------------------------------------------
    def _on_drain_finished(self, job_id: int, _result: object) -> None:
        self._drain_jobs.discard(job_id)

    def _on_drain_cancelled(self, job_id: int) -> None:
        # A drain cancelled before it ran never left through `_next`; its place is given back here.
        if job_id in self._drain_jobs:
            self._drain_jobs.discard(job_id)
            with self._lock:
                self._drains -= 1
    def _on_loaded(self, sha256: str, image: QImage) -> None:
        with self._lock:
            self._in_flight.discard(sha256)
        if image.isNull():
            self._failed.add(sha256)
            return
        self._cache[sha256] = QPixmap.fromImage(image)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)
        self.ready.emit(sha256)
