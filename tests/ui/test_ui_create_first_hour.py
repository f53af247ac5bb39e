"""The Create panel in an artist's first hour: Ctrl+Enter runs what the selection calls for, Generate does not
claim the selected image, and every greyed-out action says, in plain sight, what it waits for."""

from __future__ import annotations

from PySide6.QtCore import Qt
from ui_helpers import click_work

from studio.app.create_actions import NO_PROMPT


def test_ctrl_enter_in_the_prompt_generates(qtbot, window):
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    panel.prompt.setPlainText("a kite")
    panel.width_.setValue(64)
    panel.height_.setValue(64)
    panel.steps.setValue(1)
    panel.prompt.setFocus()
    qtbot.waitUntil(panel.prompt.hasFocus)
    qtbot.keyClick(panel.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    jobs = window.session.jobs.jobs()
    assert len(jobs) == 1 and jobs[0].title.startswith("Generate")
    assert panel.prompt.toPlainText() == "a kite"  # the shortcut ran; no new line was typed
    window.session.jobs.cancel_all()
    window.session.jobs.wait_for_done()


def test_ctrl_enter_without_a_prompt_says_why(qtbot, window):
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    panel.prompt.setFocus()
    qtbot.waitUntil(panel.prompt.hasFocus)
    qtbot.keyClick(panel.prompt, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    assert window.session.jobs.jobs() == []
    assert panel.error.text() == f"Generate: {NO_PROMPT}"


def test_generate_does_not_claim_the_selected_image(qtbot, window, add_image):
    parent = add_image("cc0-1.0", title="Moss")
    panel = window.create_panel
    assert panel.steps_note.text() == "4 steps run"
    click_work(qtbot, window, parent)
    panel.steps.setValue(25)
    note = panel.steps_note.text()
    assert note.startswith("Generate: 25 steps run · Remix: 25 steps × strength")
    assert "Generate ignores it" in panel.parents_box.title()


def test_greyed_out_actions_say_what_they_wait_for(qtbot, window, add_image):
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    assert not panel.buttons["txt2img"].isEnabled()
    assert panel.hint.isVisibleTo(panel)
    hint = panel.hint.text()
    assert "Generate: write a prompt first" in hint
    assert "Inpaint: Select one image, then paint the area to repaint on it." in hint
    panel.prompt.setPlainText("a kite")
    assert "Generate" not in panel.hint.text() and "Inpaint:" in panel.hint.text()
    parent = add_image("cc0-1.0", title="Moss")
    click_work(qtbot, window, parent)
    assert panel.hint.text() == "Inpaint: paint the area to repaint first"
    panel.prompt.setPlainText("")
    assert panel.hint.text() == "Generate, Remix: write a prompt first · Inpaint: paint the area to repaint first"
