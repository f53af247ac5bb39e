"""The main window's menu bar: File, Edit, Create, Work, View (a Ctrl+<n> action per tab) and Help, with their
keyboard shortcuts, and which actions are enabled for the open library and the current selection. It is given
the commands it triggers; it knows nothing else of the window."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenuBar, QMessageBox, QWidget

from studio.app.action_state import NO_PROMPT, ActionState
from studio.app.values import Mode, Work

# Actions that work without an open library (undo and redo follow their stack); the others wait for a library.
ALWAYS = {"open_library", "open_team_library", "quit", "about", "jobs", "undo", "redo"}

# Images; and training sets and models, which go on Story as a group and its derivatives.
PUBLISHABLE = frozenset({"image", "collection", "model", "lora"})

CREATE_KEYS = (
    (Mode.txt2img, "Ctrl+G"), (Mode.img2img, "Ctrl+R"), (Mode.inpaint, "Ctrl+Shift+I"), (Mode.blend, "Ctrl+B"),
)

Command = Callable[[], object]


class WindowMenuBar(QObject):
    """Builds `bar`'s menus; `commands` maps each action's name to what it does (a mode's name for Create)."""

    def __init__(self, bar: QMenuBar, commands: Mapping[str, Command], undo_stack: QUndoStack, jobs_toggle: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._parent = parent
        self._commands = commands
        self.actions_by_name: dict[str, QAction] = {}
        self.tab_actions: list[QAction] = []

        file_menu = bar.addMenu("&File")
        self._action("import", "&Import…", "Ctrl+I", file_menu)
        self._action("open_library", "&Open Library…", QKeySequence.StandardKey.Open, file_menu)
        self._action("open_team_library", "Open &Team Library…", "Ctrl+Shift+O", file_menu)
        file_menu.addSeparator()
        self._action("open_work", "Open &Work", "Ctrl+Return", file_menu)
        self._action("export", "&Export Signed Copy…", "Ctrl+E", file_menu)
        file_menu.addSeparator()
        self._action("settings", "&Settings…", "Ctrl+,", file_menu)
        self._action("engines", "E&ngines…", None, file_menu)
        file_menu.addSeparator()
        self._action("quit", "&Quit", QKeySequence.StandardKey.Quit, file_menu)

        edit_menu = bar.addMenu("&Edit")
        undo = undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.actions_by_name["undo"], self.actions_by_name["redo"] = undo, redo
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        self._action("delete", "Move to &Trash", QKeySequence.StandardKey.Delete, edit_menu)
        self._action("trash", "Show T&rash…", "Ctrl+Shift+T", edit_menu)
        self._action("find", "&Find", QKeySequence.StandardKey.Find, edit_menu)
        self._action("copy_credits", "Copy &Credits", "Ctrl+Shift+C", edit_menu)

        create_menu = bar.addMenu("&Create")
        for mode, key in CREATE_KEYS:
            self._action(mode, f"&{mode.label}", key, create_menu)

        work_menu = bar.addMenu("&Work")
        self._action("publish", "&Publish on Story…", "Ctrl+P", work_menu)
        self._action("show_lineage", "Show &Lineage", "Ctrl+L", work_menu)
        self._action("show_license", "Show License && &Royalty", "Ctrl+Shift+L", work_menu)
        self._action("show_review", "Re&view Before Release", "Ctrl+Shift+R", work_menu)

        self.view_menu = bar.addMenu("&View")
        self._action("refresh", "&Refresh", QKeySequence.StandardKey.Refresh, self.view_menu)
        jobs_toggle.setShortcut(QKeySequence("Ctrl+J"))
        self.actions_by_name["jobs"] = jobs_toggle
        self.view_menu.addAction(jobs_toggle)
        self.view_menu.addSeparator()

        help_menu = bar.addMenu("&Help")
        about = QAction("&About Remix Studio", self)
        about.triggered.connect(self._about)
        self.actions_by_name["about"] = about
        help_menu.addAction(about)

    def _action(self, name: str, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                menu) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        command = self._commands[name]
        action.triggered.connect(lambda _checked=False: command())
        self.actions_by_name[name] = action
        menu.addAction(action)
        return action

    # -- tabs ---------------------------------------------------------------------------------------------
    def add_tab_action(self, index: int, title: str, show: Command) -> None:
        """Ctrl+<index + 1> shows the tab (the first nine tabs)."""
        if index >= 9:
            return
        # The tab's title is already menu text: "&&" shows one ampersand, so it must not become a mnemonic.
        action = QAction(title, self)
        action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        action.triggered.connect(lambda _checked=False: show())
        self.view_menu.addAction(action)
        self.tab_actions.append(action)

    def clear_tab_actions(self) -> None:
        for action in self.tab_actions:
            self.view_menu.removeAction(action)
        self.tab_actions.clear()

    # -- enabled state ------------------------------------------------------------------------------------
    def enable_library_actions(self, enabled: bool) -> None:
        for name, action in self.actions_by_name.items():
            if name not in ALWAYS:
                action.setEnabled(enabled)

    def sync_create_actions(self, states: Mapping[Mode, ActionState]) -> None:
        for mode, state in states.items():
            # Without a prompt the menu still leads to the panel, where the prompt is asked for.
            self.actions_by_name[mode].setEnabled(state.enabled or state.reason == NO_PROMPT)
            self.actions_by_name[mode].setStatusTip(state.reason)

    def update_for_selection(self, selected: int, current: Work | None) -> None:
        self.actions_by_name["delete"].setEnabled(bool(selected))
        is_image = current is not None and current.kind.value == "image" and bool(current.file_path)
        self.actions_by_name["open_work"].setEnabled(is_image)
        self.actions_by_name["export"].setEnabled(is_image)
        self.actions_by_name["publish"].setEnabled(
            selected == 1 and current is not None and current.kind.value in PUBLISHABLE
        )

    def _about(self) -> None:
        QMessageBox.about(
            self._parent,
            "About Remix Studio",
            "Remix Studio: generate and remix images with local models, "
            "with lineage, licenses and royalties, and publish them on Story.",
        )
