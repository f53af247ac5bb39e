"""Adding a base model or a LoRA: a `.safetensors` file or a diffusers folder, and the license it carries."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class AddModelDialog(QDialog):
    def __init__(self, licenses: list[tuple[str, str]], models_dir: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a model or LoRA")
        self.models_dir = models_dir
        self.path = QLineEdit(placeholderText="a .safetensors file or a diffusers folder")
        self.name = QLineEdit(placeholderText="from the file name")
        self.license = QComboBox()
        self.license.addItem("Recognised from the model (ask me otherwise)", None)
        for name, license_id in licenses:
            self.license.addItem(name, license_id)
        file_button = QPushButton("File…")
        file_button.clicked.connect(self._choose_file)
        folder_button = QPushButton("Folder…")
        folder_button.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(file_button)
        row.addWidget(folder_button)
        form = QFormLayout()
        form.addRow("Model", row)
        form.addRow("Name", self.name)
        form.addRow("License", self.license)
        note = QLabel(
            "The file stays where it is; the library records its hash, kind and license. Works made "
            "with it name it as a parent, so its license is checked like any other.",
            wordWrap=True,
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.path.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self._update()

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.path.text().strip()))

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a model file", self.models_dir, "Models (*.safetensors *.ckpt)"
        )
        if path:
            self.path.setText(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Choose a diffusers model folder", self.models_dir)
        if path:
            self.path.setText(path)
