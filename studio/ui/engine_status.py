"""Where generation runs: the create panel's engine chooser (this machine, every ComfyUI server as a pool, or one
server) and a small view of which ComfyUI server runs what."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from studio.app.engines_model import EnginesModel, PoolWatcher
from studio.app.session import StudioSession
from studio.ui.theme import ALLOWED, REFUSED, WARNED

STATUS_COLOURS = {"idle": ALLOWED, "busy": WARNED, "down": REFUSED}


class EngineChooser(QComboBox):
    """Local — device; ComfyUI pool; ComfyUI: NAME. Choosing one makes the session's next generations use it."""

    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.engines = EnginesModel.of(session)
        self.setToolTip("Where the images are made: this machine, or ComfyUI servers (File ▸ Engines…)")
        self.reload()
        self.currentIndexChanged.connect(self._chosen)
        self.engines.servers_changed.connect(self.reload)

    def reload(self) -> None:
        current = self.session.engine_spec
        self.blockSignals(True)
        self.clear()
        device = self.session.local_device()
        self.addItem(f"Local — {'best device' if device == 'auto' else device}", "local")
        servers = self.engines.servers()
        if servers:
            self.addItem(f"ComfyUI pool ({len(servers)} server{'s' if len(servers) != 1 else ''})", "comfyui")
            for server in servers:
                self.addItem(f"ComfyUI: {server.name}", f"comfyui:{server.name}")
        index = self.findData(current)
        self.setCurrentIndex(max(0, index))
        self.blockSignals(False)
        if index < 0 and current != "local":  # the chosen server was removed
            self.session.use_engine("local")

    def choose(self, spec: str) -> None:
        index = self.findData(spec)
        if index < 0:
            raise ValueError(f"no engine {spec!r} to choose")
        self.setCurrentIndex(index)

    def _chosen(self, _index: int) -> None:
        self.session.use_engine(self.currentData() or "local")


class PoolStatusView(QWidget):
    """One line per ComfyUI server of the pool in use: idle, busy with which job, or down and why."""

    def __init__(self, session: StudioSession, *, hide_without_pool: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hide_without_pool = hide_without_pool
        self.watcher = session.findChild(PoolWatcher) or PoolWatcher(session)
        self.lines: dict[str, QLabel] = {}
        self.empty = QLabel("Generation runs on this machine. Choose a ComfyUI engine in Create to use servers.",
                            wordWrap=True)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.watcher.states_changed.connect(self.show_states)
        self.show_states(self.watcher.states)

    def show_states(self, states: Any) -> None:
        names = {state.name for state in states}
        for name in [n for n in self.lines if n not in names]:
            self.lines.pop(name).deleteLater()
        for state in states:
            label = self.lines.get(state.name)
            if label is None:
                label = QLabel(wordWrap=True, textFormat=Qt.TextFormat.PlainText)
                label.setObjectName(f"server-{state.name}")
                self.lines[state.name] = label
                self._layout.insertWidget(self._layout.count() - 1, label)
            label.setText(status_line(state))
            label.setStyleSheet(f"color: {STATUS_COLOURS[state.status].name()}")
        self.empty.setVisible(not states)
        if self.hide_without_pool:
            self.setVisible(bool(states))


def status_line(state: Any) -> str:
    if state.status == "busy":
        return f"● {state.name}  busy — {state.job}"
    if state.status == "down":
        return f"● {state.name}  down — {state.detail or 'not answering'}"
    return f"● {state.name}  idle"
