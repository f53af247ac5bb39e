"""All of the window's background work runs on its one job queue: opening the library, thumbnails, housekeeping
and the user's jobs, with no thread pool of its own anywhere else."""

from __future__ import annotations

from PySide6.QtCore import QThreadPool

from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.ui.jobs_panel import JobRow
from studio.ui.launch import start


def test_the_window_runs_all_background_work_on_one_job_queue(qtbot, tmp_path, settings_store, make_image, monkeypatch):
    started: list[QThreadPool] = []
    start_pool = QThreadPool.start

    def recording_start(self: QThreadPool, *args: object, **kwargs: object) -> None:
        started.append(self)
        start_pool(self, *args, **kwargs)

    monkeypatch.setattr(QThreadPool, "start", recording_start)
    library = tmp_path / "lib"
    studio = Studio.open(library)
    try:
        for n in range(3):
            studio.importing.import_image(ImportRequest(path=make_image(), title=f"Work {n}", license_id="cc0-1.0"))
    finally:
        studio.close()
    window = start(library, settings_store)  # the cold start: the library opens as a job
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.session is not None, timeout=30_000)
        jobs = window.session.jobs
        work = window.library.model.work_at(0)
        with qtbot.waitSignal(window.thumbnails.ready, timeout=10_000):
            window.thumbnails.pixmap(work)
        window.tabs.setCurrentWidget(window.review_panel)
        window.review_panel.model.refresh()
        qtbot.waitUntil(lambda: any(j.kind == "review-list" and j.state.done for j in jobs.jobs()), timeout=10_000)

        kinds = {j.kind for j in jobs.jobs()}
        assert {"library-open", "thumbnails", "review-list"} <= kinds
        lanes = jobs.pools()
        assert started and all(any(pool is lane for lane in lanes) for pool in started)
        assert all(any(pool is lane for lane in lanes) for pool in window.findChildren(QThreadPool))
        assert all(j.housekeeping for j in jobs.jobs())  # none of it is listed among the user's jobs
        assert window.jobs.findChildren(JobRow) == []
    finally:
        window.shutdown()
