"""Settings ▸ Engines: the ComfyUI servers that can make the images (name, address, connection, token), adding
and removing them, testing a connection, and linking the model files a server offers to registered models.

Tokens typed here go straight to the OS keyring; the dialog never shows one again, only whether one is kept.
Everything that talks to a server runs as a job; its answer arrives through the `EnginesModel`'s signals.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.engines_model import EnginesModel, LinkResult, ModelRow, ServerRow, name_warning
from studio.app.session import StudioSession
from studio.app.values import StudioError, WorkKind
from studio.ui.engine_status import PoolStatusView
from studio.ui.theme import ALLOWED, REFUSED, WARNED

CONNECTION_TEXT = {"untested": "not tested", "testing": "testing…", "ok": "ok", "error": "error"}
CONNECTION_COLOURS = {"ok": ALLOWED, "error": REFUSED, "testing": WARNED}


class EnginesDialog(QDialog):
    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Engines")
        self.setMinimumWidth(720)
        self.session = session
        self.engines = EnginesModel.of(session)
        self.models: list[ModelRow] = []
        self._models_of: str | None = None

        self.servers = _table(["Name", "Address", "Token", "Connection"])
        self.servers.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.test_button = QPushButton("Test connection")
        self.remove_button = QPushButton("Remove")
        self.list_button = QPushButton("Show models")
        self.result = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        server_buttons = QHBoxLayout()
        for button in (self.test_button, self.list_button, self.remove_button):
            server_buttons.addWidget(button)
        server_buttons.addStretch(1)

        self.name = QLineEdit(placeholderText="render-box")
        self.url = QLineEdit(placeholderText="http://127.0.0.1:8188")
        self.token = QLineEdit(placeholderText="optional Bearer token, kept in the system keyring")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("Add server")
        self.error = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.error.setStyleSheet(f"color: {REFUSED.name()}")
        add_box = QGroupBox("Add a ComfyUI server (or change one's address or token)")
        add_form = QFormLayout(add_box)
        add_form.addRow("Name", self.name)
        add_form.addRow("Address", self.url)
        add_form.addRow("Access token", self.token)
        add_form.addRow("", self.add_button)

        self.files = _table(["Kind", "File on the server", "Linked to", "Known by", "License"])
        self.link_model = QComboBox()
        self.link_button = QPushButton("Link")
        self.license = QComboBox()
        for name, license_id in session.licenses():
            self.license.addItem(name, license_id)
        self.as_name = QLineEdit(placeholderText="name (default: the file name)")
        self.link_name_button = QPushButton("Register by name")
        self.warning = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.warning.setStyleSheet(f"color: {WARNED.name()}")
        self.models_box = QGroupBox("Models on the server")
        models_layout = QVBoxLayout(self.models_box)
        models_layout.addWidget(self.files, 1)
        link_row = QHBoxLayout()
        link_row.addWidget(QLabel("Is the registered model"))
        link_row.addWidget(self.link_model, 1)
        link_row.addWidget(self.link_button)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Or by name, with license"))
        name_row.addWidget(self.license, 1)
        name_row.addWidget(self.as_name, 1)
        name_row.addWidget(self.link_name_button)
        models_layout.addLayout(link_row)
        models_layout.addLayout(name_row)
        models_layout.addWidget(self.warning)

        pool_box = QGroupBox("Now running")
        pool_layout = QVBoxLayout(pool_box)
        pool_layout.setContentsMargins(4, 4, 4, 4)
        self.pool = PoolStatusView(session)
        pool_layout.addWidget(self.pool)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("ComfyUI servers make the images when the create panel's engine is set to one of "
                                "them; their model files are linked to registered models so licenses and lineage "
                                "hold.", wordWrap=True))
        layout.addWidget(self.servers, 1)
        layout.addLayout(server_buttons)
        layout.addWidget(self.result)
        layout.addWidget(add_box)
        layout.addWidget(self.error)
        layout.addWidget(self.models_box, 1)
        layout.addWidget(pool_box)
        layout.addWidget(close)

        self.servers.itemSelectionChanged.connect(self._selection_changed)
        self.files.itemSelectionChanged.connect(self._file_changed)
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(self.remove)
        self.test_button.clicked.connect(lambda: self._on_selected(self.engines.test))
        self.list_button.clicked.connect(lambda: self._on_selected(self.engines.list_models))
        self.link_button.clicked.connect(self.link_to_model)
        self.link_name_button.clicked.connect(self.link_by_name)
        self.engines.servers_changed.connect(self.reload)
        self.engines.tested.connect(self._tested)
        self.engines.models_listed.connect(self._models_listed)
        self.engines.linked.connect(self._linked)
        self.engines.failed.connect(self._failed)
        self.reload()

    # -- servers ------------------------------------------------------------------------------------------
    def reload(self) -> None:
        selected = self.selected_server()
        rows = self.engines.servers()
        self.servers.setRowCount(len(rows))
        for n, row in enumerate(rows):
            self._fill(n, row)
        names = [row.name for row in rows]
        if rows:
            self.servers.selectRow(names.index(selected) if selected in names else 0)
        self._selection_changed()

    def _fill(self, n: int, row: ServerRow) -> None:
        answered = row.connection in ("ok", "error") and row.line
        connection = row.line if answered else CONNECTION_TEXT[row.connection]
        cells = (row.name, row.url, "in keyring" if row.has_token else "none", connection)
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if column == 3 and row.connection in CONNECTION_COLOURS:
                item.setForeground(CONNECTION_COLOURS[row.connection])
            self.servers.setItem(n, column, item)

    def selected_server(self) -> str | None:
        rows = self.servers.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.servers.item(rows[0].row(), 0)
        return item.text() if item is not None else None

    def select_server(self, name: str) -> None:
        for n in range(self.servers.rowCount()):
            if self.servers.item(n, 0).text() == name:
                self.servers.selectRow(n)
                return
        raise KeyError(name)

    def _selection_changed(self) -> None:
        name = self.selected_server()
        for button in (self.test_button, self.remove_button, self.list_button):
            button.setEnabled(name is not None)
        row = next((r for r in self.engines.servers() if r.name == name), None)
        self.result.setText(row.line if row else "")
        self.result.setStyleSheet(f"color: {REFUSED.name()}" if row and row.connection == "error" else "")
        if name != self._models_of:
            self._show_models(None, [])

    def add(self) -> None:
        self.error.clear()
        try:
            row = self.engines.add(self.name.text(), self.url.text(), self.token.text() or None)
        except StudioError as exc:
            self.error.setText(str(exc))
            return
        finally:
            self.token.clear()  # the token is in the keyring (or refused); it stays in no widget
        self.name.clear()
        self.url.clear()
        self.select_server(row.name)

    def remove(self) -> None:
        name = self.selected_server()
        if name is not None:
            try:
                self.engines.remove(name)
            except StudioError as exc:
                self.error.setText(str(exc))

    def _on_selected(self, action: Any) -> None:
        name = self.selected_server()
        if name is not None:
            self.error.clear()
            action(name)

    def _tested(self, name: str) -> None:
        rows = {row.name: (n, row) for n, row in enumerate(self.engines.servers())}
        if name in rows:
            self._fill(*rows[name])
        if name == self.selected_server():
            self._selection_changed()

    # -- models on a server -------------------------------------------------------------------------------
    def _models_listed(self, name: str, rows: list[ModelRow]) -> None:
        if name == self.selected_server():
            self._show_models(name, rows)

    def _show_models(self, name: str | None, rows: list[ModelRow]) -> None:
        self._models_of, self.models = name, list(rows)
        self.models_box.setTitle(f"Models on {name}" if name else "Models on the server (Show models)")
        self.files.setRowCount(len(rows))
        for n, row in enumerate(rows):
            cells = (row.kind, row.filename, row.model or "(not linked)", row.how or row.known_by or "",
                     row.license_id or "")
            for column, text in enumerate(cells):
                self.files.setItem(n, column, QTableWidgetItem(text))
        if rows:
            self.files.selectRow(0)
        self._file_changed()

    def selected_file(self) -> ModelRow | None:
        rows = self.files.selectionModel().selectedRows()
        return self.models[rows[0].row()] if rows and rows[0].row() < len(self.models) else None

    def select_file(self, filename: str) -> None:
        self.files.selectRow(next(n for n, row in enumerate(self.models) if row.filename == filename))

    def _file_changed(self) -> None:
        chosen = self.selected_file()
        kind = WorkKind.lora if chosen is not None and chosen.kind == "lora" else WorkKind.model
        self.link_model.clear()
        for model in self.session.models():
            if model.kind is kind and model.work.deleted_at is None and model.work.format != "comfyui":
                self.link_model.addItem(f"{model.name} ({model.work.license_id})", model.name)
        for widget in (self.link_model, self.link_button, self.license, self.as_name, self.link_name_button):
            widget.setEnabled(chosen is not None)
        self.link_button.setEnabled(chosen is not None and self.link_model.count() > 0)

    def link_to_model(self) -> None:
        chosen, server = self.selected_file(), self._models_of
        if chosen is not None and server is not None and self.link_model.currentData():
            self.warning.clear()
            self.engines.link(server, chosen.filename, model=self.link_model.currentData())

    def link_by_name(self) -> None:
        chosen, server = self.selected_file(), self._models_of
        if chosen is not None and server is not None:
            self.warning.clear()
            self.engines.link(server, chosen.filename, license_id=self.license.currentData(),
                              as_name=self.as_name.text().strip() or None)

    def _linked(self, result: LinkResult) -> None:
        if result.known_by == "name":
            self.warning.setText(name_warning(result.filename))
        else:
            self.warning.setText(f"{result.filename} is {result.model} ({result.license_id}), known by its hash.")
        if result.server == self._models_of:
            self.engines.list_models(result.server)

    def _failed(self, name: str, message: str) -> None:
        self.error.setText(message)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return table
