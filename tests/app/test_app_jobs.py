"""The job queue: tasks on worker threads, progress and results as signals, cooperative cancel, no leftovers."""

from __future__ import annotations

import threading

import pytest

from studio.app.jobs import JobQueue, JobState
from studio.app.workers import TaskContext
from studio.errors import InvalidInput


@pytest.fixture
def queue(qapp):
    q = JobQueue()
    yield q
    q.shutdown()


def test_a_task_runs_off_the_gui_thread_and_reports_progress(qtbot, queue):
    main = threading.get_ident()
    seen_threads = []

    def task(ctx: TaskContext) -> str:
        seen_threads.append(threading.get_ident())
        for step in range(1, 6):
            ctx.report(step, 5)
        return "made"

    steps = []
    queue.job_changed.connect(lambda job_id: steps.append(queue.job(job_id).step))
    with qtbot.waitSignal(queue.job_finished, timeout=5000) as blocker:
        job_id = queue.submit("test", "Count to five", task)
    assert blocker.args == [job_id, "made"]
    job = queue.job(job_id)
    assert job.state is JobState.finished and job.result == "made" and job.fraction == 1.0
    assert seen_threads and seen_threads[0] != main
    assert steps == sorted(steps) and 5 in steps
    assert queue.active_count() == 0


def test_a_running_task_stops_at_its_next_check_when_cancelled(qtbot, queue):
    started = threading.Event()

    def task(ctx: TaskContext) -> None:
        started.set()
        while True:  # a task that would never end on its own
            ctx.raise_if_cancelled()
            ctx.cancel.wait(0.01)

    job_id = queue.submit("test", "Forever", task)
    assert started.wait(5)
    with qtbot.waitSignal(queue.job_cancelled, timeout=5000) as blocker:
        queue.cancel(job_id)
    assert blocker.args == [job_id]
    assert queue.job(job_id).state is JobState.cancelled


def test_a_queued_job_is_cancelled_at_once_without_running(qtbot, queue):
    gate = threading.Event()
    ran = []
    first = queue.submit("test", "Holds the lane", lambda ctx: gate.wait(5), lane="generate")
    second = queue.submit("test", "Waits", lambda ctx: ran.append(True), lane="generate")
    assert queue.job(second).state is JobState.queued
    with qtbot.waitSignal(queue.job_cancelled, timeout=1000) as blocker:
        queue.cancel(second)
    assert blocker.args == [second]
    gate.set()
    with qtbot.waitSignal(queue.job_finished, timeout=5000):
        pass
    assert queue.job(first).state is JobState.finished
    assert ran == [] and queue.job(second).state is JobState.cancelled


def test_errors_become_one_line_messages(qtbot, queue):
    def bad_input(ctx: TaskContext) -> None:
        raise InvalidInput("that file is not an image", hint="choose a PNG")

    def bug(ctx: TaskContext) -> None:
        raise KeyError("oops")

    with qtbot.waitSignal(queue.job_failed, timeout=5000) as blocker:
        job_id = queue.submit("test", "Bad input", bad_input)
    assert blocker.args == [job_id, "that file is not an image (choose a PNG)"]
    with qtbot.waitSignal(queue.job_failed, timeout=5000) as blocker:
        queue.submit("test", "Bug", bug)
    assert blocker.args[1].startswith("Unexpected error: KeyError")
    assert queue.job(job_id).error == "that file is not an image (choose a PNG)"


def test_shutdown_cancels_and_waits_for_every_worker(qtbot, queue):
    started = threading.Event()
    stopped = threading.Event()

    def task(ctx: TaskContext) -> None:
        started.set()
        ctx.cancel.wait(10)
        stopped.set()
        ctx.raise_if_cancelled()

    queue.submit("test", "Long", task)
    assert started.wait(5)
    assert queue.shutdown(5000)
    assert stopped.is_set()
    with pytest.raises(RuntimeError):
        queue.submit("test", "Too late", lambda ctx: None)


def test_finished_jobs_can_be_cleared(qtbot, queue):
    with qtbot.waitSignal(queue.job_finished, timeout=5000):
        job_id = queue.submit("test", "Quick", lambda ctx: 1)
    removed = []
    queue.job_removed.connect(removed.append)
    queue.remove_finished()
    assert removed == [job_id] and queue.jobs() == []


def test_housekeeping_never_pushes_the_users_finished_jobs_out(qtbot, queue, monkeypatch):
    monkeypatch.setattr("studio.app.jobs.KEEP_FINISHED", 3)
    with qtbot.waitSignal(queue.job_finished, timeout=5000):
        mine = queue.submit("export", "Mine", lambda ctx: 1)
    for n in range(6):
        with qtbot.waitSignal(queue.job_finished, timeout=5000):
            queue.submit("thumbnails", f"Thumbnails {n}", lambda ctx: None, lane="thumbnails")
    kept = queue.jobs()
    assert mine in [j.id for j in kept]  # six housekeeping jobs ended after it, and it stays
    assert sum(1 for j in kept if j.housekeeping) == 3


def test_the_thumbnail_lane_runs_two_at_a_time_at_low_priority(qtbot, queue):
    from PySide6.QtCore import QThread

    pools = {pool.objectName(): pool for pool in queue.pools()}
    assert set(pools) == {"jobs-generate", "jobs-io", "jobs-thumbnails"}
    assert pools["jobs-thumbnails"].maxThreadCount() == 2
    assert pools["jobs-thumbnails"].threadPriority() == QThread.Priority.LowPriority
    assert pools["jobs-generate"].threadPriority() != QThread.Priority.LowPriority
