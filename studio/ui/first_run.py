"""The first-run questions: who you are, the licence of the images you make, and where you will publish them.

Every answer can be skipped and changed later in Settings; they are the same settings `studio defaults` and
`studio publish` use. Without an answer, new images get the studio's non-commercial default, which is why the
demo's images (whose creators chose Commercial Remix) carry other terms than the artist's own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from studio.errors import StudioError
from studio.licensing import LicenseCatalog
from studio.services.new_work_defaults import STUDIO_DEFAULT_LICENSE, NewWorkDefaults, NewWorkDefaultsStore

PUBLISH_CHOICES = (
    ("devnet", "A local test chain on this computer (nothing leaves it)"),
    ("aeneid", "Story's Aeneid testnet"),
    (None, "Nowhere for now"),
)
EXPLANATION = (
    "Every image you make gets a license that says what others may do with it. Unless you pick one, the studio "
    "gives your new images <b>{studio_default}</b> (others may remix them but not sell them) and no creator name; "
    "the demo's images carry the terms their creators chose, such as Commercial Remix. Remixes always inherit "
    "their parents' terms where those require it. You can skip this and change it any time in Settings."
)


def license_combo(catalog: LicenseCatalog, current: str | None) -> QComboBox:
    """The catalogue's licences, the studio's own default first (stored as no choice)."""
    box = QComboBox()
    box.addItem(f"The studio default ({catalog.get(STUDIO_DEFAULT_LICENSE).name})", None)
    for lic in catalog.all():
        box.addItem(lic.name, lic.id)
    box.setCurrentIndex(max(0, box.findData(current)) if current else 0)
    return box


class FirstRunDialog(QDialog):
    def __init__(self, catalog: LicenseCatalog, defaults: NewWorkDefaultsStore, publish_setup: Any,
                 *, creator: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Remix Studio")
        self.setMinimumWidth(520)
        self.defaults = defaults
        self.publish_setup = publish_setup
        current = defaults.load()
        explanation = QLabel(EXPLANATION.format(studio_default=catalog.get(STUDIO_DEFAULT_LICENSE).name), wordWrap=True)
        self.creator = QLineEdit(current.creator or creator, placeholderText="your name, on the works you make")
        self.license = license_combo(catalog, current.license_id)
        self.publish_to = QComboBox()
        for value, label in PUBLISH_CHOICES:
            self.publish_to.addItem(label, value)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #c83c3c")
        form = QFormLayout()
        form.addRow("Creator name", self.creator)
        form.addRow("License for new works", self.license)
        form.addRow("Publish to", self.publish_to)
        buttons = QDialogButtonBox()
        self.save = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip = buttons.addButton("Skip", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        """Save the answers (the library's defaults and, when one was chosen, the publishing network)."""
        try:
            self.defaults.save(NewWorkDefaults(self.creator.text(), self.license.currentData()))
            network = self.publish_to.currentData()
            if network is not None:
                self.publish_setup.set_settings({"network": network})
        except StudioError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
