"""Settings: library and models folders, network and RPC, storage service, theme, default creator and policy.

Nothing secret is asked for here; the wallet key is entered in the publish dialog and kept in the OS keyring.
"""

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

from studio.app.settings import NETWORKS, ROYALTY_POLICIES, STORAGE_SERVICES, THEMES, Settings
from studio.errors import InvalidInput

NETWORK_NAMES = {"devnet": "Local devnet (anvil)", "aeneid": "Story Aeneid testnet", "mainnet": "Story mainnet"}
STORAGE_NAMES = {"local": "Local files (devnet)", "ipfs": "IPFS pinning service"}
THEME_NAMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, *, library_default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.library = QLineEdit(settings.library_dir, placeholderText=library_default)
        self.models = QLineEdit(settings.models_dir, placeholderText="where you keep model files")
        self.network = _combo(NETWORKS, NETWORK_NAMES, settings.network)
        self.rpc = QLineEdit(settings.rpc_url, placeholderText="the network's public RPC (devnet: started for you)")
        self.storage = _combo(STORAGE_SERVICES, STORAGE_NAMES, settings.storage_service)
        self.theme = _combo(THEMES, THEME_NAMES, settings.theme)
        self.creator = QLineEdit(settings.creator, placeholderText="your name, for the works you make")
        self.policy = _combo(ROYALTY_POLICIES, {"lap": "LAP", "lrp": "LRP"}, settings.royalty_policy)
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #c83c3c")

        form = QFormLayout()
        form.addRow("Library folder", _with_browse(self.library, self))
        form.addRow("Models folder", _with_browse(self.models, self))
        form.addRow("Network", self.network)
        form.addRow("RPC address", self.rpc)
        form.addRow("Metadata storage", self.storage)
        form.addRow("Theme", self.theme)
        form.addRow("Creator name", self.creator)
        form.addRow("Royalty chart policy", self.policy)
        note = QLabel("Wallet keys are never stored here: they live in your system keyring.", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        """The edited settings (raises InvalidInput for a value that cannot be used)."""
        return self.original.with_changes(
            library_dir=self.library.text().strip(),
            models_dir=self.models.text().strip(),
            network=self.network.currentData(),
            rpc_url=self.rpc.text().strip(),
            storage_service=self.storage.currentData(),
            theme=self.theme.currentData(),
            creator=self.creator.text().strip(),
            royalty_policy=self.policy.currentData(),
        )

    def _accept(self) -> None:
        try:
            self.result_settings()
        except InvalidInput as exc:
            self.error.setText(str(exc))
            return
        self.accept()


def _combo(values: tuple[str, ...], names: dict[str, str], current: str) -> QComboBox:
    box = QComboBox()
    for value in values:
        box.addItem(names.get(value, value), value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


def _with_browse(edit: QLineEdit, parent: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    button = QPushButton("Choose…")

    def browse() -> None:
        folder = QFileDialog.getExistingDirectory(parent, "Choose a folder", edit.text() or edit.placeholderText())
        if folder:
            edit.setText(folder)

    button.clicked.connect(browse)
    row.addWidget(button)
    return row
