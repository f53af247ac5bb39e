"""What an empty library shows instead of a blank gallery: what to do first (import, generate, or look around
the demo library)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from studio.app.create_actions import default_builtin_name, suggested_prompts


class EmptyLibrary(QWidget):
    import_requested = Signal()
    generate_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>This library is empty</h2>", alignment=Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Bring in images you have (with their license), make one from a prompt with the built-in model, or "
            "open the demo library: a licensed remix chain with its lineage, royalties and publication on a "
            "local Story network.",
            wordWrap=True,
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        text.setMaximumWidth(440)
        ideas = suggested_prompts(default_builtin_name())
        # Said plainly: the built-in model is small, and draws emoji it knows by name, not any description.
        self.suggestions = QLabel(
            "The built-in model is a small demonstration: 64 px emoji, and most prompts come out as coloured "
            "texture. Prompts it draws recognisably (best with seed 0): "
            + ", ".join(f"“{idea}”" for idea in ideas) + "." if ideas else "",
            wordWrap=True,
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        self.suggestions.setMaximumWidth(440)
        self.suggestions.setVisible(bool(ideas))
        text_row = _centred(text)
        suggestions_row = _centred(self.suggestions)
        self.import_button = QPushButton("Import images…")
        self.import_button.setToolTip("Or drop image files here")
        self.generate_button = QPushButton("Generate an image")
        self.demo_button = QPushButton("Open the demo library")
        self.demo_button.setToolTip("Opens the demo library, building it first if there is none yet")
        self.note = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.import_button.clicked.connect(self.import_requested)
        self.generate_button.clicked.connect(self.generate_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addLayout(text_row)
        layout.addLayout(suggestions_row)
        layout.addSpacing(12)
        for button in (self.import_button, self.generate_button, self.demo_button):
            button.setMinimumWidth(220)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.note)
        layout.addStretch(2)

    def set_building(self, building: bool) -> None:
        self.demo_button.setEnabled(not building)
        self.note.setText("Building the demo library (about a minute); it opens when ready." if building else "")


def _centred(label: QLabel) -> QHBoxLayout:
    """A wrapped label centred between stretches: it gets its height for the width it is given only when the
    layout does not align it."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(label, 4)
    row.addStretch(1)
    return row
