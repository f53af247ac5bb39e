"""An empty library says what to do: import, generate, or open the demo library (built by the demo service when
there is none yet)."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from studio.app.demo import demo_folder
from studio.app.jobs import JobState
from studio.errors import StudioError
from studio.services import Studio
from studio.services.demo import MARKER, import_samples
from studio.services.importing import ImportRequest


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
    # The whole demo generates and publishes for minutes; its first step builds the library the same way.
    window.demo.steps = [import_samples]
    job_id = window.open_demo(folder)
    assert job_id is not None and not window.library.empty.demo_button.isEnabled()
    assert "Building the demo library" in window.library.empty.note.text()
    assert window.jobs.rows[job_id].title.text() == "Build the demo library"
    qtbot.waitUntil(lambda: window.session.library_dir == folder, timeout=60_000)
    assert (folder / MARKER).exists() and window.library.model.rowCount() >= 5
    assert not window.library.is_empty_shown() and window.library.empty.demo_button.isEnabled()


def test_a_failed_build_says_why(qtbot, window, tmp_path):
    def no_room(state):
        raise StudioError("no room left on the disk")

    window.demo.steps = [import_samples, no_room]
    queue = window.session.jobs
    with qtbot.waitSignal(queue.job_failed, timeout=60_000) as failed:
        job_id = window.open_demo(tmp_path / "demo")
    assert queue.job(job_id).state is JobState.failed
    assert failed.args[1] == "the demo library could not be built: no room left on the disk"
    assert window.library.empty.demo_button.isEnabled()
    assert window.session.library_dir != tmp_path / "demo"  # a half-built demo is not opened


def test_a_cancelled_build_stops_between_steps_and_opens_nothing(qtbot, window, tmp_path):
    ran = []
    queue = window.session.jobs

    def first(state):
        state.tell.cancel.set()  # what the jobs list's Cancel sets while the step runs
        ran.append("first")

    window.demo.steps = [first, lambda state: ran.append("second")]
    with qtbot.waitSignal(queue.job_cancelled, timeout=30_000):
        job_id = window.open_demo(tmp_path / "demo")
    assert ran == ["first"] and queue.job(job_id).state is JobState.cancelled
    assert window.library.empty.demo_button.isEnabled() and window.session.library_dir != tmp_path / "demo"
