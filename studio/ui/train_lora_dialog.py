"""Train a LoRA from the gallery's selection: the base model, the steps, each work's caption (editable) and the
works whose training permission is refused, with the reasons. Training runs as a job of the window's queue on
the generation lane; its row shows the progress and the latest per-epoch sample as the preview."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.lora_training import LoraTraining

DEFAULT_STEPS = 300


class TrainLoraDialog(QDialog):
    def __init__(self, session: Any, work_ids: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Train a LoRA")
        self.session = session
        self.training = LoraTraining(session, work_ids)
        self.selection = self.training.selection
        self.job_id: int | None = None

        self.base = QComboBox()
        self.base.addItems(self.training.base_models())
        self.steps = QSpinBox()
        self.steps.setRange(1, 100_000)
        self.steps.setValue(DEFAULT_STEPS)
        self.title = QLineEdit()
        self.title.setPlaceholderText("My style")

        self.captions = QTableWidget(len(self.selection.allowed), 2)
        self.captions.setHorizontalHeaderLabels(["Work", "Caption"])
        self.captions.horizontalHeader().setStretchLastSection(True)
        self.captions.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        for row, work in enumerate(self.selection.allowed):
            name = QTableWidgetItem(work.title)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.captions.setItem(row, 0, name)
            self.captions.setItem(row, 1, QTableWidgetItem(self.selection.captions[work.id]))

        self.refused = QListWidget()
        for refusal in self.selection.refused:
            self.refused.addItem(f"{refusal.work.title}: " + "; ".join(r.message for r in refusal.reasons))
        refused_label = QLabel(f"Left out, training not allowed ({len(self.selection.refused)}):")
        refused_label.setVisible(bool(self.selection.refused))
        self.refused.setVisible(bool(self.selection.refused))

        form = QFormLayout()
        form.addRow("Base model", self.base)
        form.addRow("Steps", self.steps)
        form.addRow("Title", self.title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.train_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.train_button.setText(f"Train on {len(self.selection.allowed)} works")
        self.train_button.setEnabled(bool(self.selection.allowed))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.captions)
        layout.addWidget(refused_label)
        layout.addWidget(self.refused)
        layout.addWidget(buttons)

    def edited_captions(self) -> dict[str, str]:
        return {work.id: (self.captions.item(row, 1).text().strip() or self.selection.captions[work.id])
                for row, work in enumerate(self.selection.allowed)}

    def accept(self) -> None:
        self.job_id = self.submit()
        super().accept()

    def submit(self) -> int:
        """Queue the training (see `LoraTraining.submit`)."""
        return self.training.submit(self.base.currentText(), self.steps.value(), self.edited_captions(),
                                    self.title.text().strip() or None)
