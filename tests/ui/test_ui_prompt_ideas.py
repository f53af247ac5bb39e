"""The built-in model says what it draws: the prompt box's placeholder and Ideas menu, and the empty library,
offer prompts it is known to draw at its defaults; a model with none known offers none."""

from __future__ import annotations

import pytest

from studio.services.models import SUGGESTED_PROMPTS, default_builtin_name, suggested_prompts


@pytest.fixture
def window(open_window, monkeypatch):
    """The window on the built-in model the tests run (the toy one, for speed), offering the emoji model's ideas."""
    monkeypatch.setitem(SUGGESTED_PROMPTS, default_builtin_name(), SUGGESTED_PROMPTS["studio-emoji"])
    return open_window()


def test_the_prompt_box_suggests_what_the_builtin_model_draws(qtbot, window):
    panel = window.create_panel
    ideas = suggested_prompts("studio-emoji")
    assert len(ideas) >= 3 and "red heart" in ideas
    assert panel.model.currentData()[0] == default_builtin_name()
    assert f"“{ideas[0]}”" in panel.prompt.placeholderText()
    actions = panel.ideas.menu().actions()
    assert [a.text() for a in actions] == list(ideas) and panel.ideas.isVisibleTo(panel)
    actions[2].trigger()
    assert panel.prompt.toPlainText() == ideas[2] and panel.buttons["txt2img"].isEnabled()


def test_the_empty_library_names_prompts_that_work(qtbot, window):
    empty = window.library.empty
    assert empty.isVisible() and empty.suggestions.isVisible()
    text = empty.suggestions.text()
    assert "64 px" in text and all(f"“{idea}”" in text for idea in suggested_prompts("studio-emoji"))


def test_a_model_without_known_prompts_offers_none(qtbot, window, monkeypatch):
    monkeypatch.setitem(SUGGESTED_PROMPTS, default_builtin_name(), ())
    panel = window.create_panel
    panel._show_ideas()
    assert panel.prompt.placeholderText() == "Describe the image (Ctrl+Enter runs it)"
    assert panel.ideas.menu().actions() == [] and not panel.ideas.isVisibleTo(panel)
