"""File ▸ Open Team Library…: the library's postgresql:// address and the member's name, a password only when this
machine's OS keyring holds none for them (and whether to keep it there), and the one line that says why the last
try did not open. The window opens the library on a job and answers with `failed` or `accept`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from studio.app.team_opening import has_saved_password, member_address, recent_label, recent_parts
from studio.app.values import StudioError


class TeamLibraryDialog(QDialog):
    """Emits `open_requested(address, member, password or "", remember)` once the input is valid."""

    open_requested = Signal(str, str, str, bool)

    def __init__(self, recent: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a team library")
        self.recent = QComboBox()
        self.recent.addItem("Recent team libraries…", None)
        for url in recent:
            self.recent.addItem(recent_label(url), url)
        self.recent.setVisible(bool(recent))
        self.recent.activated.connect(self._recent_chosen)
        self.address = QLineEdit(placeholderText="postgresql://server:5432/library")
        self.member = QLineEdit(placeholderText="your member name")
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password_label = QLabel("Password")
        self.remember = QCheckBox("Remember the password in this computer's keyring", checked=True)
        self.saved_note = QLabel("Your password is in this computer's keyring.")
        # The line may quote the server's words or the typed address: shown as text, never as markup.
        self.problem = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.problem.setObjectName("problem")
        self.problem.hide()
        self.asks_password = True
        self.ask_anyway = False  # the keyring's password was refused: a typed one replaces it
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.buttons.accepted.connect(self.request_open)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Address", self.address)
        form.addRow("Member", self.member)
        form.addRow(self.password_label, self.password)
        form.addRow("", self.remember)
        form.addRow("", self.saved_note)
        layout = QVBoxLayout(self)
        layout.addWidget(self.recent)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.address, self.member):
            field.editingFinished.connect(self.update_password_field)
        self.update_password_field()

    def _recent_chosen(self, index: int) -> None:
        url = self.recent.itemData(index)
        if url:
            address, member = recent_parts(url)
            self.address.setText(address)
            self.member.setText(member)
            self.update_password_field()

    def update_password_field(self) -> None:
        """Ask for the password only when the keyring holds none for this address and member."""
        ask = self.asks_password = self.ask_anyway or not has_saved_password(self.address.text(), self.member.text())
        for widget in (self.password_label, self.password, self.remember):
            widget.setVisible(ask)
        self.saved_note.setVisible(not ask and bool(self.member.text().strip()))

    def request_open(self) -> None:
        try:
            member_address(self.address.text(), self.member.text())
        except StudioError as exc:
            self.failed(str(exc))
            return
        self.update_password_field()
        asked = self.asks_password
        password = self.password.text() if asked else ""
        self.problem.hide()
        self.open_button.setEnabled(False)
        self.open_button.setText("Opening…")
        self.open_requested.emit(self.address.text().strip(), self.member.text().strip(), password,
                                 asked and self.remember.isChecked())

    def failed(self, message: str) -> None:
        """Show why the library did not open, in one line; the dialog stays for another try."""
        line = message.splitlines()[0] if message.strip() else "the team library did not open"
        self.problem.setText("".join(c if c.isprintable() else "?" for c in line))
        self.problem.show()
        if not self.asks_password:  # perhaps the keyring's password is out of date: let the member type it
            self.ask_anyway = True
            self.update_password_field()
        self.open_button.setEnabled(True)
        self.open_button.setText("Open")
