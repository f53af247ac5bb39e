"""The Create panel offers the default built-in model: studio-emoji, unless the machine pins studio-tiny."""

from __future__ import annotations


def test_the_create_panel_offers_studio_emoji_as_the_built_in_model(qtbot, window, monkeypatch):
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    panel = window.create_panel
    panel.reload_models()
    labels = [panel.model.itemText(i) for i in range(panel.model.count())]
    assert "studio-emoji (built-in)" in labels and "studio-tiny (built-in)" not in labels
    monkeypatch.setenv("STUDIO_BUILTIN_MODEL", "studio-tiny")
    panel.reload_models()
    assert panel.model.itemText(0) == "studio-tiny (built-in)"
