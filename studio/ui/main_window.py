"""The main window: the library on the left, the work's tabs on the right (Create, Lineage, License & royalty,
Review, and any tab a feature adds with `add_tab`), the jobs in a dock, menus with keyboard shortcuts.

The window can show before any library is open (its shell: menus and an "Opening the library…" note) and
`install` a session once the library is ready. The panels and dialogs are imported when first needed: they bring
in the studio's engines, whose loading is what a cold start waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from studio.app.jobs import JobQueue
from studio.app.settings import Settings, SettingsStore
from studio.errors import StudioError
from studio.ui.gallery import IMAGE_SUFFIXES
from studio.ui.theme import apply_theme
from studio.ui.work_actions import WorkActions

if TYPE_CHECKING:
    from studio.app.session import StudioSession
    from studio.ui.engines_settings import EnginesDialog
    from studio.ui.import_dialog import ImportDialog
    from studio.ui.publish_dialog import PublishDialog
    from studio.ui.settings_dialog import SettingsDialog
    from studio.ui.trash import TrashDialog

APP_TITLE = "Remix Studio"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"
# Actions that work without an open library (undo and redo follow their stack); the others wait for `install`.
ALWAYS = {"open_library", "quit", "about", "jobs", "undo", "redo"}


def _open_studio(folder: Path | str | None) -> Any:
    """Load the studio's engines and open the library (a job, so the window paints meanwhile)."""
    from studio.services import Studio

    return Studio.open(Path(folder) if folder else None)


class MainWindow(QMainWindow):
    library_opened = Signal()

    def __init__(
        self,
        session: StudioSession | None,
        settings_store: SettingsStore | None = None,
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings_store = settings_store or SettingsStore()
        self.settings = settings or self.settings_store.load()
        self.session: StudioSession | None = None
        self.undo_stack = QUndoStack(self)
        self.work_actions: WorkActions | None = None
        self.demo_command: list[str] | None = None  # `studio demo` unless set (tests)
        self.actions_by_name: dict[str, QAction] = {}
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("jobs-dock")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        # Before a library is open, the window's job queue; the session it opens takes it over.
        self._shell_jobs: JobQueue | None = None
        self._closing = False
        self._build_menus()
        self.note: QLabel | None = QLabel("Opening the library…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.note)
        self.setWindowTitle(APP_TITLE)
        self._enable_library_actions(False)
        if session is not None:
            self.install(session)
        self._restore_geometry()

    # -- opening a library in the background --------------------------------------------------------------
    def open_in_background(self, folder: Path | str | None) -> None:
        """Open a library off the GUI thread and install it when ready (the window's cold start)."""
        if self.note is not None:
            self.note.setText(f"Opening the library {folder or ''}…")
        if self._shell_jobs is None:
            self._shell_jobs = JobQueue(self)
            self._shell_jobs.job_finished.connect(lambda _job, studio: self._opened(studio))
            self._shell_jobs.job_failed.connect(lambda _job, message: self._open_failed(message))
        self._shell_jobs.submit("library-open", "Open the library", lambda _ctx: _open_studio(folder))

    def _opened(self, studio: Any) -> None:
        jobs, self._shell_jobs = self._shell_jobs, None
        if self._closing or jobs is None:
            studio.close()
            return
        from studio.app.session import StudioSession

        jobs.job_finished.disconnect()
        jobs.job_failed.disconnect()
        self.install(StudioSession(studio, jobs=jobs, parent=self))

    def _open_failed(self, message: str) -> None:
        if self.note is not None:
            self.note.setText(
                f"The library could not be opened: {message}\nUse File ▸ Open Library… to choose another."
            )
        self.warn("Cannot open the library", message)

    def _enable_library_actions(self, enabled: bool) -> None:
        for name, action in self.actions_by_name.items():
            if name not in ALWAYS:
                action.setEnabled(enabled)

    # -- building -----------------------------------------------------------------------------------------
    def install(self, session: StudioSession) -> None:
        """Build the views over one session (again when another library is opened)."""
        from studio.ui.create_panel import CreatePanel
        from studio.ui.jobs_panel import JobsPanel
        from studio.ui.library_panel import LibraryPanel
        from studio.ui.license_panel import LicensePanel
        from studio.ui.lineage_view import LineageView
        from studio.ui.review_panel import ReviewPanel
        from studio.ui.thumbnails import ThumbnailProvider

        self.session = session
        self.thumbnails = ThumbnailProvider(session.studio.thumbnail, session.jobs, self)
        self.library = LibraryPanel(session, self.thumbnails)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.create_panel = CreatePanel(session)
        self.create_panel.models_dir = self.settings.models_dir
        self.create_panel.recent.set_prompts(self.settings.recent_prompts)
        self.create_panel.recent.changed.connect(self._prompts_changed)
        self.lineage = LineageView(session, self.thumbnails)
        self.license_panel = LicensePanel(session, self.settings.royalty_policy)
        self.add_tab(self.create_panel, "Create")
        self.add_tab(self.lineage, "Lineage")
        self.add_tab(self.license_panel, "License && royalty")
        self.review_panel = ReviewPanel(session, self.settings.creator)
        self.add_tab(self.review_panel, "Review")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.library)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.setCentralWidget(self.splitter)  # deletes the "Opening the library…" note
        self.note = None
        self.jobs = JobsPanel(session.jobs, session.studio.file_of)
        self.jobs_dock.setWidget(self.jobs)
        self.library.gallery.files_dropped.connect(self.import_files)
        self.library.empty.import_requested.connect(lambda: self.choose_import())
        self.library.empty.generate_requested.connect(self._start_generating)
        self.library.empty.demo_requested.connect(lambda: self.open_demo())
        if self.work_actions is not None:
            self.work_actions.close_viewer()
            self.work_actions.deleteLater()
        self.work_actions = WorkActions(self)
        self.library.gallery.open_requested.connect(self.work_actions.open_row)
        self.library.gallery.menu_requested.connect(
            lambda row, at: self.work_actions.popup(self.library.model.work_at(row).id, at)
        )
        self.create_panel.submitted.connect(lambda _job: self.jobs_dock.show())
        self.create_panel.states_changed.connect(self._sync_create_actions)
        self.license_panel.policy_changed.connect(self._policy_changed)
        self.license_panel.publish_requested.connect(self.open_publish)
        session.message.connect(self.show_message)
        session.jobs.job_failed.connect(lambda _job, text: self.show_message(text))
        session.work_created.connect(self._work_created)
        session.selection_changed.connect(self._update_actions)
        self.undo_stack.clear()
        # The window system appends the application's display name unless the title already ends with it.
        self.setWindowTitle(f"{session.library_dir} — {APP_TITLE}")
        self._enable_library_actions(True)
        self._update_actions()
        self._sync_create_actions()
        self.library_opened.emit()

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
        for mode, text, key in (
            ("txt2img", "&Generate", "Ctrl+G"),
            ("img2img", "&Remix", "Ctrl+R"),
            ("inpaint", "&Inpaint", "Ctrl+Shift+I"),
            ("blend", "&Blend", "Ctrl+B"),
        ):
            self._action(mode, text, lambda m=mode: self._create(m), key, create_menu)

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

    def _prompts_changed(self, prompts: list[str]) -> None:
        self.settings = self.settings.with_changes(recent_prompts=tuple(prompts))
        self.settings_store.save(self.settings)

    def _update_actions(self) -> None:
        has = bool(self.session.selection)
        self.actions_by_name["delete"].setEnabled(has)
        current = self.session.current()
        is_image = current is not None and current.kind.value == "image" and bool(current.file_path)
        self.actions_by_name["open_work"].setEnabled(is_image)
        self.actions_by_name["export"].setEnabled(is_image)
        self.actions_by_name["publish"].setEnabled(
            len(self.session.selection) == 1 and current is not None and current.kind.value == "image"
        )

    # -- importing ----------------------------------------------------------------------------------------
    def choose_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import images", self.settings.library_dir or str(Path.home()), IMAGE_FILTER
        )
        if files:
            self.import_files(files)

    def import_dialog(self, files: list[str]) -> ImportDialog:
        from studio.ui.import_dialog import ImportDialog

        candidates = [w for w in self.session.selected_works() if w.kind.value == "image"]
        return ImportDialog(
            [Path(f) for f in files],
            self.session.studio.catalog,
            candidates,
            creator=self.settings.creator,
            parent=self,
        )

    def import_files(self, files: list[str]) -> ImportDialog | None:
        """Ask for the license and the rest, then import on a worker thread (the dialog is window-modal)."""
        if self.session is None:
            return None
        dialog = self.import_dialog(files)

        def start() -> None:
            self.session.import_files(dialog.files, dialog.options())
            self.jobs_dock.show()

        dialog.accepted.connect(start)
        dialog.open()
        return dialog

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(
            Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES for u in event.mimeData().urls()
        ):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [
            u.toLocalFile()
            for u in event.mimeData().urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES
        ]
        if files:
            event.acceptProposedAction()
            self.import_files(files)

    # -- deleting -----------------------------------------------------------------------------------------
    def delete_selected(self) -> None:
        from studio.ui.trash import TrashCommand

        ids = list(self.session.selection)
        if ids:
            self.undo_stack.push(TrashCommand(self.session, ids))
            self.show_message(
                f"Moved {len(ids)} work{'s' if len(ids) != 1 else ''} to the trash (Undo with "
                f"{QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)})"
            )

    def open_trash(self) -> TrashDialog:
        from studio.ui.trash import TrashDialog

        dialog = TrashDialog(self.session, self)
        dialog.open()
        return dialog

    # -- creating -----------------------------------------------------------------------------------------
    def _create(self, mode: str) -> None:
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

    def open_demo(self, folder: Path | None = None) -> int | None:
        """Open the demo library, building it first when there is none (see `studio.ui.demo_library`)."""
        from studio.ui.demo_library import open_demo

        return open_demo(self, folder)

    def _work_created(self, work_id: str) -> None:
        self.show_message("New work added to the library")
        self.session.select([work_id])

    # -- publishing ---------------------------------------------------------------------------------------
    def open_publish(self) -> PublishDialog | None:
        work = self.session.current()
        if work is None or work.kind.value != "image":  # only images are published
            return None
        from studio.ui.publish_dialog import PublishDialog

        dialog = PublishDialog(self.session, work, self)
        dialog.open()
        return dialog

    # -- settings and libraries ---------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        from studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings, self.session.studio.publishing, library_default=str(self.session.library_dir), parent=self
        )
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()
        return dialog

    def open_engines(self) -> EnginesDialog:
        """Settings ▸ Engines: the ComfyUI servers, their connection and their model files."""
        from studio.ui.engines_settings import EnginesDialog

        dialog = EnginesDialog(self.session, self)
        dialog.open()
        return dialog

    def apply_settings(self, settings: Settings) -> None:
        old = self.settings
        self.settings = settings
        self.settings_store.save(settings)
        self.create_panel.models_dir = settings.models_dir
        self.review_panel.set_default_reviewer(settings.creator)
        app = QApplication.instance()
        if settings.theme != old.theme and isinstance(app, QApplication):
            apply_theme(app, settings.theme)
        if self.session is not None and settings.library_dir and Path(settings.library_dir) != self.session.library_dir:
            self.open_library(Path(settings.library_dir))

    def choose_library(self) -> None:
        start = str(self.session.library_dir) if self.session is not None else self.settings.library_dir
        folder = QFileDialog.getExistingDirectory(self, "Open a library folder", start)
        if folder:
            self.open_library(Path(folder))

    def open_library(self, folder: Path) -> bool:
        """Switch to another library; the current one stays open if the new one cannot be used."""
        from studio.app.session import StudioSession
        from studio.services import Studio

        try:
            studio = Studio.open(folder)
        except StudioError as exc:
            self.warn("Cannot open the library", str(exc))
            return False
        self.shutdown()
        self.settings = self.settings.with_changes(library_dir=str(folder))
        self.settings_store.save(self.settings)
        for action in self._tab_actions:
            self.view_menu.removeAction(action)
        self._tab_actions.clear()
        for widget in (self.centralWidget(), self.jobs_dock.widget()):
            if widget is not None:
                widget.deleteLater()
        self.install(StudioSession(studio, parent=self))
        return True

    def _policy_changed(self, policy: str) -> None:
        self.settings = self.settings.with_changes(royalty_policy=policy)

    # -- status and closing -------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def warn(self, title: str, text: str) -> QMessageBox:
        """A window-modal warning that does not block the event loop (workers keep reporting)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.open()
        return box

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Remix Studio",
            "Remix Studio: generate and remix images with local models, "
            "with lineage, licenses and royalties, and publish them on Story.",
        )

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(1280, 800)
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))

    def save_window_settings(self) -> None:
        self.settings = self.settings.with_changes(
            window_geometry=bytes(self.saveGeometry().toBase64().data()).decode(),
            window_state=bytes(self.saveState().toBase64().data()).decode(),
        )
        self.settings_store.save(self.settings)

    def shutdown(self) -> None:
        """Stop every worker and close the library (idempotent); the views show nothing from then on."""
        if self._shell_jobs is not None:
            self._shell_jobs.wait_for_done()
        if self.session is None:
            return
        if self.work_actions is not None:
            self.work_actions.close_viewer()
        self.library.model.close()
        self.review_panel.close_model()
        self.thumbnails.shutdown()
        self.session.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        running = self.session.jobs.active_count(housekeeping=False) if self.session is not None else 0
        if (
            running
            and QMessageBox.question(
                self,
                "Jobs are running",
                f"{running} job{'s are' if running != 1 else ' is'} still running. Cancel and quit?",
            )
            != QMessageBox.StandardButton.Yes
        ):
            event.ignore()
            return
        self._closing = True
        self.save_window_settings()
        self.shutdown()
        event.accept()
