"""The main window's menus and actions: File, Edit, Create, Work, View (a Ctrl+<n> action per tab) and Help, with
their keyboard shortcuts, and which of them are enabled for the open library and the current selection."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from studio.core.modes import Mode

# Actions that work without an open library (undo and redo follow their stack); the others wait for `install`.
ALWAYS = {"open_library", "quit", "about", "jobs", "undo", "redo"}


# Images; and training sets and models, which go on Story as a group and its derivatives.
PUBLISHABLE = frozenset({"image", "collection", "model", "lora"})


class WindowMenus:
    """Mixed into `MainWindow`: builds its menu bar and keeps the actions' enabled state current."""

    def _enable_library_actions(self, enabled: bool) -> None:
        for name, action in self.actions_by_name.items():
            if name not in ALWAYS:
                action.setEnabled(enabled)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab beside Create, Lineage, License & royalty and Review; returns its index. Ctrl+<n> switches to
        it."""
        index = self.tabs.addTab(widget, title)
        if index < 9:
            # The tab's title is already menu text: "&&" shows one ampersand, so it must not become a mnemonic.
            action = QAction(title, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _c=False, w=widget: self.tabs.setCurrentWidget(w))
            self.view_menu.addAction(action)
            self._tab_actions.append(action)
        return index

    def _action(
        self, name: str, text: str, slot: Callable[[], object], shortcut: QKeySequence | str | None = None, menu=None
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.actions_by_name[name] = action
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action("import", "&Import…", self.choose_import, "Ctrl+I", file_menu)
        self._action("open_library", "&Open Library…", self.choose_library, QKeySequence.StandardKey.Open, file_menu)
        file_menu.addSeparator()
        self._action(
            "open_work", "Open &Work", lambda: self._on_current(self.work_actions.open), "Ctrl+Return", file_menu
        )
        self._action(
            "export", "&Export Signed Copy…", lambda: self._on_current(self.work_actions.export), "Ctrl+E", file_menu
        )
        file_menu.addSeparator()
        self._action("settings", "&Settings…", self.open_settings, "Ctrl+,", file_menu)
        self._action("engines", "E&ngines…", self.open_engines, None, file_menu)
        file_menu.addSeparator()
        self._action("quit", "&Quit", self.close, QKeySequence.StandardKey.Quit, file_menu)

        edit_menu = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.actions_by_name["undo"], self.actions_by_name["redo"] = undo, redo
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        edit_menu.addSeparator()
        self._action("delete", "Move to &Trash", self.delete_selected, QKeySequence.StandardKey.Delete, edit_menu)
        self._action("trash", "Show T&rash…", self.open_trash, "Ctrl+Shift+T", edit_menu)
        self._action(
            "find", "&Find", lambda: self.library.filters.search.setFocus(), QKeySequence.StandardKey.Find, edit_menu
        )
        self._action(
            "copy_credits", "Copy &Credits", lambda: self.license_panel.copy_attribution(), "Ctrl+Shift+C", edit_menu
        )

        create_menu = bar.addMenu("&Create")
        for mode, key in (
            (Mode.txt2img, "Ctrl+G"), (Mode.img2img, "Ctrl+R"), (Mode.inpaint, "Ctrl+Shift+I"), (Mode.blend, "Ctrl+B"),
        ):
            self._action(mode, f"&{mode.label}", lambda m=mode: self._create(m), key, create_menu)

        work_menu = bar.addMenu("&Work")
        self._action("publish", "&Publish on Story…", self.open_publish, "Ctrl+P", work_menu)
        self._action(
            "show_lineage", "Show &Lineage", lambda: self.tabs.setCurrentWidget(self.lineage), "Ctrl+L", work_menu
        )
        self._action(
            "show_license",
            "Show License && &Royalty",
            lambda: self.tabs.setCurrentWidget(self.license_panel),
            "Ctrl+Shift+L",
            work_menu,
        )
        self._action(
            "show_review",
            "Re&view Before Release",
            lambda: self.tabs.setCurrentWidget(self.review_panel),
            "Ctrl+Shift+R",
            work_menu,
        )

        self.view_menu = bar.addMenu("&View")
        self._tab_actions: list[QAction] = []
        self._action(
            "refresh",
            "&Refresh",
            lambda: self.session.library_changed.emit(),
            QKeySequence.StandardKey.Refresh,
            self.view_menu,
        )
        jobs = self.jobs_dock.toggleViewAction()
        jobs.setShortcut(QKeySequence("Ctrl+J"))
        self.actions_by_name["jobs"] = jobs
        self.view_menu.addAction(jobs)
        self.view_menu.addSeparator()

        help_menu = bar.addMenu("&Help")
        self._action("about", "&About Remix Studio", self._about, None, help_menu)

    def _sync_create_actions(self) -> None:
        from studio.app.create_actions import NO_PROMPT

        for mode, state in self.create_panel.states.items():
            # Without a prompt the menu still leads to the panel, where the prompt is asked for.
            self.actions_by_name[mode].setEnabled(state.enabled or state.reason == NO_PROMPT)
            self.actions_by_name[mode].setStatusTip(state.reason)

    def _on_current(self, action: Callable[[str], object]) -> None:
        current = self.session.current() if self.session is not None else None
        if current is not None:
            action(current.id)

    def _update_actions(self) -> None:
        has = bool(self.session.selection)
        self.actions_by_name["delete"].setEnabled(has)
        current = self.session.current()
        is_image = current is not None and current.kind.value == "image" and bool(current.file_path)
        self.actions_by_name["open_work"].setEnabled(is_image)
        self.actions_by_name["export"].setEnabled(is_image)
        self.actions_by_name["publish"].setEnabled(
            len(self.session.selection) == 1 and current is not None and current.kind.value in PUBLISHABLE
        )

    def _create(self, mode: Mode) -> None:
        from studio.app.create_actions import NO_PROMPT

        self.tabs.setCurrentWidget(self.create_panel)
        if self.create_panel.states[mode].reason == NO_PROMPT:
            self.create_panel.prompt.setFocus()
            self.show_message(NO_PROMPT)
            return
        self.create_panel.start(mode)

    def _start_generating(self) -> None:
        self.tabs.setCurrentWidget(self.create_panel)
        self.create_panel.prompt.setFocus()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Remix Studio",
            "Remix Studio: generate and remix images with local models, "
            "with lineage, licenses and royalties, and publish them on Story.",
        )
