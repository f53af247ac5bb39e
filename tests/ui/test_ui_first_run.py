"""The first-run questions: shown once when the window opens a library, skippable, their answers saved in the
library (creator, license of new works) and the publishing settings, changed later in Settings, and taken by the
next image made, whose details say where its license came from."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from ui_helpers import press

from studio.app.jobs import JobState
from studio.ui.first_run import FirstRunDialog
from studio.ui.launch import start


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_launch_asks_once_and_the_answers_are_kept(qtbot, library_dir, settings_store):
    window = start(library_dir, settings_store)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.findChild(FirstRunDialog) is not None, timeout=60_000)
    dialog = window.findChild(FirstRunDialog)
    assert dialog.isVisible()
    qtbot.keyClicks(dialog.creator, "Mira Okafor")
    dialog.license.setCurrentIndex(dialog.license.findData("pil-commercial-remix"))
    dialog.publish_to.setCurrentIndex(dialog.publish_to.findData("aeneid"))
    _click(qtbot, dialog.save)
    assert not dialog.isVisible()
    studio = window.session.studio
    defaults = studio.generation.defaults.load()
    assert (defaults.creator, defaults.license_id) == ("Mira Okafor", "pil-commercial-remix")
    assert studio.publish_setup.default_network() == "aeneid"
    saved = settings_store.load()
    assert saved.welcomed and saved.creator == "Mira Okafor"
    assert window.welcome_if_first_run() is None  # asked once
    window.shutdown()
    again = start(library_dir, settings_store)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.session is not None, timeout=60_000)
    QApplication.processEvents()
    assert again.findChild(FirstRunDialog) is None
    again.shutdown()


def test_skipping_keeps_the_studio_default_and_is_not_asked_again(qtbot, window, settings_store):
    dialog = window.welcome_if_first_run()
    assert isinstance(dialog, FirstRunDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.creator, "Not Saved")
    _click(qtbot, dialog.skip)
    defaults = window.session.studio.generation.defaults.load()
    assert (defaults.creator, defaults.license_id) == (None, None)
    assert settings_store.load().welcomed and window.welcome_if_first_run() is None


def test_settings_change_the_answers_and_a_new_image_says_where_its_license_came_from(
        qtbot, window, settings_store):
    _click(qtbot, window.welcome_if_first_run().skip)
    dialog = window.open_settings()
    assert dialog.creator.placeholderText() == "your name, on the works you make and import"
    dialog.creator.setText("Ada Demo")
    dialog.new_license.setCurrentIndex(dialog.new_license.findData("cc-by-4.0"))
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    defaults = window.session.studio.generation.defaults.load()
    assert (defaults.creator, defaults.license_id) == ("Ada Demo", "cc-by-4.0")
    assert window.open_settings().new_license.currentData() == "cc-by-4.0"  # shown as saved
    panel = window.create_panel
    panel.prompt.setPlainText("a kite")
    panel.steps.setValue(1)
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    [job] = panel.start("txt2img")
    queue = window.session.jobs
    qtbot.waitUntil(lambda: queue.job(job).state.done, timeout=180_000)
    assert queue.job(job).state is JobState.finished, queue.job(job).error
    work = queue.job(job).result
    assert (work.license_id, work.creator) == ("cc-by-4.0", "Ada Demo")
    window.session.select([work.id])
    window.license_panel.refresh()
    heading = window.license_panel.heading.text()
    assert "by Ada Demo" in heading and "License: your default licence, set in Settings" in heading
