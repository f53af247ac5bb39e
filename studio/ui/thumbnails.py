"""Thumbnails for the gallery and the lineage graph, made and decoded off the GUI thread, kept in a cache.

Views ask for a thumbnail while painting. A miss returns None at once and queues the work; requests are served
newest first and the oldest are dropped when the queue is long, so fast scrolling over a large library only
spends time on what is on screen. Workers make the cached thumbnail file (through the Qt-free core) and decode
it into a QImage; only the GUI thread turns it into a QPixmap.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QPixmap

from studio.core.types import Work

THUMB_PIXELS = 256
MAX_CACHED = 800
MAX_QUEUED = 128
WORKERS = 2

ThumbnailFile = Callable[[Work, int], Path | None]


class _Signals(QObject):
    loaded = Signal(str, QImage)  # sha256, image (null when it could not be read)


class _Drain(QRunnable):
    """Serves queued requests until the queue is empty."""

    def __init__(self, provider: ThumbnailProvider) -> None:
        super().__init__()
        self.provider = provider

    def run(self) -> None:
        while (work := self.provider._next()) is not None:
            image = QImage()
            try:
                path = self.provider._thumbnail_file(work, THUMB_PIXELS)
                if path is not None:
                    image = QImage(str(path))
            except Exception:  # an unreadable or missing file: the view shows a placeholder
                image = QImage()
            self.provider._signals.loaded.emit(work.sha256, image)


class ThumbnailProvider(QObject):
    ready = Signal(str)  # sha256 of a thumbnail that is now cached

    def __init__(self, thumbnail_file: ThumbnailFile, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thumbnail_file = thumbnail_file
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()
        self._failed: set[str] = set()
        self._lock = threading.Lock()
        self._queue: OrderedDict[str, Work] = OrderedDict()
        self._in_flight: set[str] = set()
        self._drains = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(WORKERS)
        self._signals = _Signals(self)
        self._signals.loaded.connect(self._on_loaded)
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
            self._pool.start(_Drain(self))
        return None

    def cached(self, sha256: str) -> QPixmap | None:
        return self._cache.get(sha256)

    def clear(self) -> None:
        self._cache.clear()
        self._failed.clear()

    def wait(self, timeout_ms: int = -1) -> bool:
        return self._pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        self._closed = True
        with self._lock:
            self._queue.clear()
        self._pool.waitForDone()

    # -- worker side --------------------------------------------------------------------------------------
    def _next(self) -> Work | None:
        # Leaving happens under the same lock as the check in `pixmap`, so a request is never left unserved.
        with self._lock:
            if not self._queue:
                self._drains -= 1
                return None
            key, work = self._queue.popitem(last=True)  # newest request first: what is on screen now
            self._in_flight.add(key)
            return work

    # -- GUI side -----------------------------------------------------------------------------------------
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
