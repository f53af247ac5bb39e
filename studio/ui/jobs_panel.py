"""The jobs panel: one row per job the user started, with its progress, a live preview while generating (the
result once done), and Cancel. The window's own housekeeping jobs are not listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from studio.app.jobs import Job, JobQueue, JobState
from studio.app.values import Work
from studio.ui.pil_image import to_qimage
from studio.ui.theme import REFUSED

PREVIEW = 56
LOADING = "Loading model…"
CANCELLING = "Cancelling…"
MAX_ERROR_CHARS = 200
FileOf = Callable[[Work], Path | None]
STATE_TEXT = {
    JobState.queued: "Waiting",
    JobState.running: "Running",
    JobState.finished: "Done",
    JobState.failed: "Failed",
    JobState.cancelled: "Cancelled",
}


class JobRow(QFrame):
    def __init__(self, job: Job, queue: JobQueue, file_of: FileOf | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.file_of = file_of
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.job_id = job.id
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW, PREVIEW)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(job.title)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(lambda: queue.cancel(self.job_id))
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.progress)
        text.addWidget(self.state)
        layout = QHBoxLayout(self)
        layout.addWidget(self.preview)
        layout.addLayout(text, 1)
        layout.addWidget(self.cancel, 0, Qt.AlignmentFlag.AlignTop)
        self._preview_source: Any = None
        self.update_from(job)

    def update_from(self, job: Job) -> None:
        running = job.state is JobState.running
        busy = running and not job.total  # a job that cannot count its steps (yet): publishing, loading a model
        loading = busy and job.kind == "generate"  # a generation counts steps once its model is loaded
        self.progress.setRange(0, 0 if busy else 100)
        self.progress.setValue(round(job.fraction * 100))
        if running and job.total:
            self.progress.setFormat(f"step {job.step} of {job.total}")
        else:
            self.progress.setFormat("%p%")
        text = STATE_TEXT[job.state]
        self.state.setToolTip("")
        if job.state is JobState.failed and job.error:
            # A row stays a few lines tall however long the error: the whole of it is in the tooltip.
            text = job.error if len(job.error) <= MAX_ERROR_CHARS else job.error[: MAX_ERROR_CHARS - 1] + "…"
            self.state.setToolTip(job.error)
            self.state.setStyleSheet(f"color: {REFUSED.name()}")
        elif job.cancelling and not job.state.done:
            text = CANCELLING
        elif loading:
            text = LOADING
        self.state.setText(text)
        self.cancel.setEnabled(not job.state.done and not job.cancelling)
        self.cancel.setVisible(not job.state.done)
        if job.state is JobState.finished and isinstance(job.result, Work):
            self._show_result(job.result)
        elif job.preview is not None and job.preview is not self._preview_source:
            self._preview_source = job.preview
            image = job.preview if isinstance(job.preview, QImage) else to_qimage(job.preview)
            self.preview.setPixmap(
                QPixmap.fromImage(image).scaled(
                    PREVIEW, PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )


    def _show_result(self, work: Work) -> None:
        """Replace the last denoising preview with the image that was made."""
        if self._preview_source is work or self.file_of is None:
            return
        path = self.file_of(work)
        pixmap = QPixmap(str(path)) if path is not None else QPixmap()
        if pixmap.isNull():
            return
        self._preview_source = work
        self.preview.setPixmap(
            pixmap.scaled(
                PREVIEW, PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )


class JobsPanel(QWidget):
    def __init__(self, queue: JobQueue, file_of: FileOf | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.file_of = file_of
        self.rows: dict[int, JobRow] = {}
        self.empty = QLabel("No jobs yet. Generations, imports and publishing show up here.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear = QPushButton("Clear finished")
        self.clear.clicked.connect(queue.remove_finished)
        self._list = QWidget()
        self._list_layout = QVBoxLayout(self._list)
        self._list_layout.setContentsMargins(0, 0, 0, 0)
        self._list_layout.addWidget(self.empty)
        self._list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        self.scroll = scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.clear, 0, Qt.AlignmentFlag.AlignRight)
        queue.job_added.connect(self._added)
        queue.job_changed.connect(self._changed)
        queue.job_removed.connect(self._removed)

    def _added(self, job_id: int) -> None:
        job = self.queue.job(job_id)
        if job.housekeeping:
            return
        row = JobRow(job, self.queue, self.file_of)
        self.rows[job_id] = row
        self._list_layout.insertWidget(0, row)  # newest on top
        self.empty.hide()
        self._fit_rows()

    def _changed(self, job_id: int) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.update_from(self.queue.job(job_id))
            self._fit_rows()

    def _removed(self, job_id: int) -> None:
        row = self.rows.pop(job_id, None)
        if row is not None:
            row.deleteLater()
        self.empty.setVisible(not self.rows)
        self._fit_rows()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()  # a wrapped error needs fewer lines in a wider row

    def _fit_rows(self) -> None:
        """The list is at least as tall as its tallest row, so a row's state, "Loading model…" or error is never cut
        off below the fold: the dock grows to show one whole row, and more scroll."""
        width = self.scroll.viewport().width()
        tallest = max((r.heightForWidth(width) if r.hasHeightForWidth() else r.sizeHint().height()
                       for r in self.rows.values()), default=0)
        frame = 2 * self.scroll.frameWidth()
        self.scroll.setMinimumHeight(max(self.empty.sizeHint().height(), tallest) + frame)
