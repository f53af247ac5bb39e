"""What a job's row says: "Loading model…" before the first step, "Cancelling…" once asked to stop, the image
made (not the last denoising preview) once done; the window's housekeeping is not listed as jobs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from studio.app.jobs import JobState
from studio.ui.jobs_panel import CANCELLING, LOADING, PREVIEW


def start_generation(window, steps: int) -> int:
    panel = window.create_panel
    panel.prompt.setPlainText("fog over water")
    panel.steps.setValue(steps)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    [job_id] = panel.start("txt2img")
    return job_id


def test_a_generation_is_labelled_while_its_model_loads_and_shows_its_result_when_done(qtbot, window):
    queue = window.session.jobs
    seen: list[str] = []
    job_id = start_generation(window, 3)
    row = window.jobs.rows[job_id]
    queue.job_changed.connect(lambda j: j == job_id and seen.append(row.state.text()))
    qtbot.waitUntil(lambda: queue.job(job_id).state.done, timeout=120_000)
    job = queue.job(job_id)
    assert job.state is JobState.finished, job.error
    assert seen[0] == LOADING  # started, no step counted yet: the model is loading
    assert "Running" in seen[1:]  # then the steps count
    path = window.session.studio.file_of(job.result)
    expected = QPixmap(str(path)).scaled(
        PREVIEW, PREVIEW, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    assert row.preview.pixmap().toImage() == expected.toImage()  # the result, not the last preview
    assert row.state.text() == "Done"


def test_cancel_says_cancelling_until_the_job_stops(qtbot, window):
    queue = window.session.jobs
    job_id = start_generation(window, 60)
    row = window.jobs.rows[job_id]
    qtbot.waitUntil(lambda: queue.job(job_id).step > 0, timeout=120_000)
    with qtbot.waitSignal(queue.job_cancelled, timeout=60_000):
        qtbot.mouseClick(row.cancel, Qt.MouseButton.LeftButton)
        assert row.state.text() == CANCELLING and not row.cancel.isEnabled()
    assert queue.job(job_id).state is JobState.cancelled and row.state.text() == "Cancelled"


def test_housekeeping_is_not_listed_as_jobs(qtbot, window):
    session = window.session
    for kind in ("review-list", "review-report", "publish-check"):
        with qtbot.waitSignal(session.jobs.job_finished, timeout=10_000):
            session.submit(kind, f"{kind} work", lambda ctx, studio: studio.works())
    assert window.jobs.rows == {} and not window.jobs.empty.isHidden()
    with qtbot.waitSignal(session.jobs.job_finished, timeout=10_000):
        user_job = session.submit("model", "Something the user asked for", lambda ctx, studio: None)
    assert list(window.jobs.rows) == [user_job]
