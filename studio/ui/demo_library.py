"""Opening the demo library from the window: the one `studio demo` builds in the data folder, built first (by
`studio demo` itself, in a child process run as a job) when there is none yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from studio.app.workers import TaskContext
from studio.errors import StudioError
from studio.store.library import DB_NAME, data_dir

if TYPE_CHECKING:
    from studio.ui.main_window import MainWindow

DEMO_FOLDER = "demo-library"
MARKER = ".studio-demo"  # what `studio demo` leaves in the folders it builds


def demo_folder() -> Path:
    return data_dir() / DEMO_FOLDER


def demo_ready(folder: Path) -> bool:
    return (folder / MARKER).exists() and (folder / DB_NAME).exists()


def demo_command(folder: Path) -> list[str]:
    # A frozen bundle is the `studio` command itself; from source the package runs as a module.
    if getattr(sys, "frozen", False):
        return [sys.executable, "demo", "--library", str(folder)]
    return [sys.executable, "-m", "studio", "demo", "--library", str(folder)]


def build_demo(ctx: TaskContext, folder: Path, command: list[str] | None = None) -> Path:
    """Run `studio demo` into `folder`; stops the child when the job is cancelled."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen(
        command or demo_command(folder), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while True:
            try:
                _out, err = child.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                ctx.raise_if_cancelled()
    except BaseException:
        child.kill()
        child.wait()
        raise
    if child.returncode != 0:
        raise StudioError(f"the demo library could not be built: {failure_line(err, child.returncode)}")
    return folder


def failure_line(stderr: str | None, returncode: int) -> str:
    """The child's one error line (`error: ...`, whole, path and all), else its last line of output."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    return (errors or lines or [f"exit status {returncode}"])[-1]


def open_demo(window: MainWindow, folder: Path | None = None) -> int | None:
    """Open the demo library; build it first (a job running `studio demo`) when there is none. Returns the
    build's job id, or None when an existing demo library was opened."""
    folder = folder or demo_folder()
    if demo_ready(folder):
        window.open_library(folder)
        return None
    job_id = window.session.jobs.submit(
        "demo", "Build the demo library", lambda ctx: build_demo(ctx, folder, window.demo_command), lane="io"
    )
    window.library.empty.set_building(True)
    window.jobs_dock.show()

    def ended(done_id: int, *_args: object) -> None:
        if done_id != job_id:
            return
        for signal in (jobs.job_finished, jobs.job_failed, jobs.job_cancelled):
            signal.disconnect(ended)
        if window.session is not None and window.session.jobs is jobs:
            window.library.empty.set_building(False)
        if jobs.job(done_id).state.value == "finished" and demo_ready(folder):
            window.open_library(folder)

    jobs = window.session.jobs
    for signal in (jobs.job_finished, jobs.job_failed, jobs.job_cancelled):
        signal.connect(ended)
    return job_id
