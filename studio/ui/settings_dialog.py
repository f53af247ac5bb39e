"""Settings: the window's own (library and models folders, theme, creator, royalty policy) and where this
library publishes (network, RPC address, metadata storage), which the library keeps for `studio publish` too.

No secret is stored in either place: a pinning service token typed here goes straight to the OS keyring.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.settings import ROYALTY_POLICIES, THEMES, Settings
from studio.errors import StudioError
from studio.licensing import LicenseCatalog, default_catalog
from studio.services.new_work_defaults import NewWorkDefaults, NewWorkDefaultsStore
from studio.ui.first_run import license_combo

NETWORK_NAMES = {
    "devnet": "Local devnet (started for you)",
    "aeneid": "Story Aeneid testnet",
    "mainnet": "Story mainnet",
}
THEME_NAMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
STORAGE_KEYS = ("ipfs.api", "ipfs.pinning_url", "ipfs.gateway")


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, publish_setup: Any, *, library_default: str,
        defaults: NewWorkDefaultsStore | None = None, catalog: LicenseCatalog | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self.original = settings
        self.publish_setup = publish_setup
        self.library = QLineEdit(settings.library_dir, placeholderText=library_default)
        self.models = QLineEdit(settings.models_dir, placeholderText="where you keep model files")
        self.theme = _combo(THEMES, THEME_NAMES, settings.theme)
        self.defaults = defaults
        current = defaults.load() if defaults is not None else NewWorkDefaults()
        self.creator = QLineEdit(
            current.creator or settings.creator, placeholderText="your name, on the works you make and import"
        )
        # The license of the images you make where their parents and the model leave it open (the library's
        # setting, which `studio defaults` shows too).
        self.new_license = license_combo(catalog or default_catalog(), current.license_id)
        self.policy = _combo(
            ROYALTY_POLICIES, {"lap": "LAP (absolute)", "lrp": "LRP (relative)"}, settings.royalty_policy
        )

        self.network = _combo(tuple(NETWORK_NAMES), NETWORK_NAMES, publish_setup.default_network())
        self.rpc = QLineEdit()
        self.ipfs_api = QLineEdit(publish_setup.setting("ipfs.api") or "", placeholderText="http://127.0.0.1:5001")
        self.pinning = QLineEdit(
            publish_setup.setting("ipfs.pinning_url") or "", placeholderText="a pinning service's upload URL"
        )
        self.token = QLineEdit(placeholderText="kept in the system keyring; leave empty to keep the current one")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.gateway = QLineEdit(publish_setup.setting("ipfs.gateway") or "", placeholderText="https://ipfs.io")
        self.network.currentIndexChanged.connect(self._network_changed)
        self._network_changed()
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #c83c3c")

        window_box = QGroupBox("Window")
        form = QFormLayout(window_box)
        form.addRow("Library folder", _with_browse(self.library, self))
        form.addRow("Models folder", _with_browse(self.models, self))
        form.addRow("Theme", self.theme)
        form.addRow("Creator name", self.creator)
        form.addRow("License of new works", self.new_license)
        form.addRow("Royalty chart policy", self.policy)
        publish_box = QGroupBox("Publishing (saved with this library)")
        publish = QFormLayout(publish_box)
        publish.addRow("Network", self.network)
        publish.addRow("RPC address", self.rpc)
        publish.addRow("IPFS API (Kubo)", self.ipfs_api)
        publish.addRow("Pinning service", self.pinning)
        publish.addRow("Pinning token", self.token)
        publish.addRow("IPFS gateway", self.gateway)
        publish.addRow(
            QLabel("The devnet keeps metadata in the library folder; Story networks need IPFS.", wordWrap=True)
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(window_box)
        layout.addWidget(publish_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _network_changed(self) -> None:
        name = self.network.currentData()
        self.rpc.setText(self.publish_setup.setting(f"rpc.{name}") or "")
        self.rpc.setPlaceholderText("the app's own devnet" if name == "devnet" else "the network's public RPC")

    def result_settings(self) -> Settings:
        """The window's edited settings (raises InvalidInput for a value that cannot be used)."""
        return self.original.with_changes(
            library_dir=self.library.text().strip(),
            models_dir=self.models.text().strip(),
            theme=self.theme.currentData(),
            creator=self.creator.text().strip(),
            royalty_policy=self.policy.currentData(),
        )

    def save_publishing(self) -> None:
        """Write the library's publishing settings in one step (all or nothing), the token to the keyring."""
        name = self.network.currentData()
        values = {
            "network": name,
            f"rpc.{name}": self.rpc.text().strip() or None,
            "ipfs.api": self.ipfs_api.text().strip() or None,
            "ipfs.pinning_url": self.pinning.text().strip() or None,
            "ipfs.gateway": self.gateway.text().strip() or None,
        }
        if self.token.text():  # first: a keyring that refuses leaves the library's settings as they were
            self.publish_setup.set_pinning_token(self.token.text())
            self.token.clear()
        self.publish_setup.set_settings(values)

    def _accept(self) -> None:
        try:
            self.result_settings()
            if self.defaults is not None:
                self.defaults.save(NewWorkDefaults(self.creator.text(), self.new_license.currentData()))
            self.save_publishing()
        except StudioError as exc:
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
