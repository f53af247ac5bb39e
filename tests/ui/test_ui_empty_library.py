"""An empty library says what to do: import, generate, or open the demo library (built by `studio demo` when
there is none yet)."""

from __future__ import annotations

import shutil
import sys

from PySide6.QtCore import Qt

from studio.app.jobs import JobState
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.ui.demo_library import MARKER, demo_folder


def test_an_empty_library_offers_import_generate_and_the_demo(qtbot, window, add_image, monkeypatch):
    library = window.library
    assert library.is_empty_shown() and library.empty.isVisible() and not library.gallery.isVisible()
    asked = []
    monkeypatch.setattr(window, "choose_import", lambda: asked.append("import"))
    qtbot.mouseClick(library.empty.import_button, Qt.MouseButton.LeftButton)
    assert asked == ["import"]
    window.tabs.setCurrentIndex(1)
    qtbot.mouseClick(library.empty.generate_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is window.create_panel
    add_image("cc0-1.0", title="First")
    assert not library.is_empty_shown() and library.gallery.isVisible()
    filters = library.filters
    filters.license.setCurrentIndex(filters.license.findData("cc-by-nd-4.0"))
    assert library.model.rowCount() == 0 and not library.is_empty_shown()  # filtered away is not empty


def test_open_the_demo_library_opens_an_existing_one(qtbot, window, make_image):
    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).touch()
    studio = Studio.open(folder)
    try:
        studio.importing.import_image(ImportRequest(path=make_image(), title="Demo work", license_id="cc0-1.0"))
    finally:
        studio.close()
    try:
        qtbot.mouseClick(window.library.empty.demo_button, Qt.MouseButton.LeftButton)
        assert window.session.library_dir == folder
        assert window.library.model.rowCount() == 1 and not window.library.is_empty_shown()
    finally:
        window.shutdown()
        shutil.rmtree(folder)


def test_without_a_demo_library_it_is_built_in_the_background_then_opened(qtbot, window, tmp_path):
    folder = tmp_path / "demo"
    # The real build is `studio demo`; a child that makes a library the same way stands in for its minutes.
    window.demo_command = [
        sys.executable, "-c",
        "import sys; from pathlib import Path; from studio.services import Studio; "
        f"p = Path({str(folder)!r}); p.mkdir(); (p / {MARKER!r}).touch(); Studio.open(p).close()",
    ]
    job_id = window.open_demo(folder)
    assert job_id is not None and not window.library.empty.demo_button.isEnabled()
    assert "Building the demo library" in window.library.empty.note.text()
    assert window.jobs.rows[job_id].title.text() == "Build the demo library"
    qtbot.waitUntil(lambda: window.session.library_dir == folder, timeout=60_000)
    assert window.library.is_empty_shown() and window.library.empty.demo_button.isEnabled()


def test_a_failed_build_says_why(qtbot, window, tmp_path):
    window.demo_command = [sys.executable, "-c", "import sys; sys.exit('no room left on the disk')"]
    queue = window.session.jobs
    with qtbot.waitSignal(queue.job_failed, timeout=30_000) as failed:
        job_id = window.open_demo(tmp_path / "demo")
    assert queue.job(job_id).state is JobState.failed
    assert failed.args[1] == "the demo library could not be built: no room left on the disk"
    assert window.library.empty.demo_button.isEnabled()


def test_the_failure_shown_is_the_childs_error_line_whole_not_its_last_line():
    from studio.ui.demo_library import failure_line

    path = "/home/someone/.local/state/remix-studio/log/" + "deep/" * 20 + "crash-2026-12-07T184500-4242.log"
    stderr = (f"error: unexpected ModuleNotFoundError (a fault in Remix Studio, not in what you did); details in "
              f"{path} (please attach it when reporting this)\nException ignored in: <closing the devnet>\n")
    assert failure_line(stderr, 70) == (f"unexpected ModuleNotFoundError (a fault in Remix Studio, not in what you "
                                        f"did); details in {path} (please attach it when reporting this)")
    assert failure_line("Traceback\n  boom\n", 1) == "boom"
    assert failure_line("", 9) == "exit status 9"
