"""The window on a 1280×800 screen: every control an artist needs is whole on screen, none cut by the screen's
edge, a scroll area's fold or a neighbour (Jobs' rows and "Clear finished", the mask brush, "Recent", the
review comment)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from studio.app.workers import TaskContext
from studio.ui.jobs_panel import LOADING

SCREEN_W, SCREEN_H = 1280, 800


def _whole(widget: QWidget, window: QWidget) -> list[str]:
    """Why `widget` is not wholly visible inside `window` (empty when it is)."""
    problems = []
    name = widget.objectName() or type(widget).__name__
    if not widget.isVisible():
        return [f"{name} is hidden"]
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        problems.append(f"{name} at {rect} lies outside the window {window.rect()}")
    shown = widget.visibleRegion().boundingRect()
    if shown != widget.rect():
        problems.append(f"{name} shows only {shown} of {widget.rect()}")
    # A wrapped label needs the height for its width, not the one its size hint assumes for a wider one.
    needed = widget.heightForWidth(widget.width()) if widget.hasHeightForWidth() else widget.sizeHint().height()
    if widget.height() < min(needed, widget.maximumHeight()):
        problems.append(f"{name} is {widget.height()} px tall, below the {needed} it needs")
    return problems


def test_the_window_fits_a_1280_by_800_screen_with_every_control_whole(qtbot, window, add_image):
    work = add_image("cc0-1.0", title="Small", size=(64, 64))
    window.create_panel.recent.set_prompts(["a cat with a hat"])
    release = threading.Event()

    def loading(ctx: TaskContext) -> None:
        release.wait(30)

    def failing(ctx: TaskContext) -> None:
        raise ValueError("the model file could not be read: " + "it is not a safetensors file; " * 6)

    jobs = window.session.jobs
    failed = jobs.submit("generate", "Generate “a cat with a hat”", failing)
    running = jobs.submit("generate", "Generate “a dog”", loading, lane="generate")
    try:
        window.resize(SCREEN_W, SCREEN_H)
        window.jobs_dock.show()
        window.session.select([work])
        window.tabs.setCurrentWidget(window.create_panel)
        panel = window.jobs
        qtbot.waitUntil(lambda: jobs.job(failed).state.done and panel.rows[running].state.text() == LOADING,
                        timeout=20_000)
        QApplication.processEvents()
        assert window.height() <= SCREEN_H and window.minimumSizeHint().height() <= SCREEN_H
        problems = _whole(panel.clear, window)
        for job_id in (failed, running):
            row = panel.rows[job_id]
            panel.findChild(QScrollArea).ensureWidgetVisible(row, 0, 0)
            QApplication.processEvents()
            problems += [f"job {job_id}: {p}" for p in _whole(row.state, window) + _whole(row, window)]
        create = window.create_panel
        assert create.parents_box.isVisible()
        problems += _whole(create.brush, window) + _whole(create.clear_mask, window) + _whole(create.recent, window)
        recent = create.recent
        text_width = recent.fontMetrics().horizontalAdvance(recent.text())
        if recent.width() < text_width + 8:
            problems.append(f"Recent is {recent.width()} px wide for {text_width} px of text")
        window.tabs.setCurrentWidget(window.review_panel)
        QApplication.processEvents()
        comment = window.review_panel.comment
        problems += _whole(comment, window)
        needed = comment.fontMetrics().horizontalAdvance(comment.placeholderText())
        if comment.width() < needed + 8:
            problems.append(f"the comment field is {comment.width()} px wide for a {needed} px placeholder")
        assert not problems, "\n".join(problems)
        error = jobs.job(failed).error  # shortened in its row, whole in the row's tooltip
        assert panel.rows[failed].state.toolTip() == error and error.startswith(panel.rows[failed].state.text()[:-1])
    finally:
        release.set()
        qtbot.waitUntil(lambda: jobs.job(running).state.done, timeout=20_000)
