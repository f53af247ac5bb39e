"""The Create panel's "Recent" button: the prompts used lately, newest first; picking one puts it in the prompt."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

MAX_HISTORY = 20
SHOWN_CHARS = 70


class PromptHistoryButton(QToolButton):
    picked = Signal(str)
    changed = Signal(list)  # the whole history, for the window's settings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The menu's arrow is part of the text: the style draws its own indicator over the text's end otherwise.
        self.setText("Recent ▾")
        self.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.setToolTip("Prompts used recently")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.prompts: list[str] = []
        self.set_prompts([])

    def set_prompts(self, prompts: Sequence[str]) -> None:
        self.prompts = list(dict.fromkeys(p for p in prompts if p.strip()))[:MAX_HISTORY]
        menu = self.menu()
        menu.clear()
        for prompt in self.prompts:
            one_line = " ".join(prompt.split())
            shown = one_line if len(one_line) <= SHOWN_CHARS else one_line[: SHOWN_CHARS - 1] + "…"
            action = menu.addAction(shown.replace("&", "&&"))
            action.setToolTip(prompt)
            action.triggered.connect(lambda _checked=False, p=prompt: self.picked.emit(p))
        self.setEnabled(bool(self.prompts))

    def remember(self, prompt: str) -> None:
        prompt = prompt.strip()
        if prompt:
            self.set_prompts([prompt, *self.prompts])
            self.changed.emit(list(self.prompts))
