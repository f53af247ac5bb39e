"""The main window: the library on the left, the work's tabs on the right (Create, Lineage, License & royalty,
Review, Model, and any tab a feature adds with `add_tab`), the jobs in a dock, menus with keyboard shortcuts.

The window can show before any library is open (its shell: the menu bar and an "Opening the library…" note) and
`install` a session once the library is ready. It holds a menu bar (`menu_bar.WindowMenuBar`), a library switcher
(`library_switcher.LibrarySwitcher`) and, once a library is open, its views (`workspace.Workspace`), whose module
brings in the studio's engines and is loaded with the first library, off the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from studio.app.action_state import NO_PROMPT
from studio.app.settings import SettingsStore, WindowSettings
from studio.app.values import Mode, StudioError
from studio.ui.gallery import IMAGE_SUFFIXES
from studio.ui.library_switcher import LibrarySwitcher, load_views
from studio.ui.menu_bar import PUBLISHABLE, WindowMenuBar
from studio.ui.theme import apply_theme

if TYPE_CHECKING:  # the session module loads the engines: the shell shows before it is imported
    from studio.app.session import StudioSession

APP_TITLE = "Remix Studio"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


class MainWindow(QMainWindow):
    library_opened = Signal()

    def __init__(
        self,
        session: StudioSession | None,
        settings_store: SettingsStore | None = None,
        settings: WindowSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings_store = settings_store or SettingsStore()
        self.settings = settings or self.settings_store.load()
        self.session: StudioSession | None = None
        self.views: Any = None  # the Workspace over the open library
        self.work_actions: Any = None
        self.demo: Any = None  # the demo library's view-model, made with the first library
        self.undo_stack = QUndoStack(self)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("jobs-dock")
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        self.switcher = LibrarySwitcher(self)
        self.switcher.opened.connect(self.install)
        self.switcher.failed.connect(self._open_failed)
        self.switcher.team_opened.connect(self._team_opened)
        self.team_dialog: QWidget | None = None
        self._closing = False
        self._pending_state: str | None = None
        self.menus = WindowMenuBar(self.menuBar(), self._commands(), self.undo_stack,
                                   self.jobs_dock.toggleViewAction(), self)
        self.actions_by_name: dict[str, QAction] = self.menus.actions_by_name
        self.note: QLabel | None = QLabel("Opening the library…", alignment=Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(self.note)
        self.setWindowTitle(APP_TITLE)
        self.menus.enable_library_actions(False)
        if session is not None:
            self.install(session)
        self._restore_geometry()

    def _commands(self) -> dict[str, Any]:
        """What each menu action does."""
        commands: dict[str, Any] = {
            "import": self.choose_import,
            "open_library": self.choose_library,
            "open_team_library": self.open_team_dialog,
            "open_work": lambda: self._on_current(self.work_actions.open),
            "export": lambda: self._on_current(self.work_actions.export),
            "settings": self.open_settings,
            "engines": self.open_engines,
            "quit": self.close,
            "delete": self.delete_selected,
            "trash": self.open_trash,
            "find": lambda: self.library.filters.search.setFocus(),
            "copy_credits": lambda: self.license_panel.copy_attribution(),
            "publish": self.open_publish,
            "show_lineage": lambda: self.tabs.setCurrentWidget(self.lineage),
            "show_license": lambda: self.tabs.setCurrentWidget(self.license_panel),
            "show_review": lambda: self.tabs.setCurrentWidget(self.review_panel),
            "refresh": lambda: self.session.library_changed.emit(),
        }
        for mode in Mode:
            commands[mode] = lambda m=mode: self._create(m)
        return commands

    # -- building -----------------------------------------------------------------------------------------
    def install(self, session: StudioSession) -> None:
        """Build the views over one session (again when another library is opened)."""
        views = load_views()
        if self.work_actions is not None:
            self.work_actions.close_viewer()
            self.work_actions.deleteLater()
        workspace = views.Workspace(session, self.settings, self, message=self.show_message,
                                    show_jobs=self.jobs_dock.show, signer=lambda: self.settings.creator or None)
        self.session, self.views = session, workspace
        self.thumbnails, self.library, self.tabs = workspace.thumbnails, workspace.library, workspace.tabs
        self.create_panel, self.lineage = workspace.create_panel, workspace.lineage
        self.license_panel, self.review_panel = workspace.license_panel, workspace.review_panel
        self.model_page, self.jobs, self.work_actions = workspace.model_page, workspace.jobs, workspace.work_actions
        for panel, title in workspace.panels:
            self.add_tab(panel, title)
        self.setCentralWidget(workspace.splitter)  # deletes the "Opening the library…" note
        self.note = None
        self.jobs_dock.setWidget(self.jobs)
        self._restore_docks()
        if self.demo is None:
            self.demo = views.DemoLibrary(self)
            self.demo.ready.connect(self.open_library)
            self.demo.building.connect(self._demo_building)
        self.library.gallery.files_dropped.connect(self.import_files)
        self.library.empty.import_requested.connect(lambda: self.choose_import())
        self.library.empty.generate_requested.connect(self._start_generating)
        self.library.empty.demo_requested.connect(lambda: self.open_demo())
        self.library.gallery.open_requested.connect(self.work_actions.open_row)
        self.library.gallery.menu_requested.connect(
            lambda row, at: self.work_actions.popup(self.library.model.work_at(row).id, at)
        )
        self.create_panel.recent.changed.connect(self._prompts_changed)
        self.create_panel.submitted.connect(lambda _job: self.jobs_dock.show())
        self.create_panel.states_changed.connect(self._sync_create_actions)
        self.license_panel.policy_changed.connect(self._policy_changed)
        self.license_panel.publish_requested.connect(self.open_publish)
        self.license_panel.model_requested.connect(self.show_model)
        session.message.connect(self.show_message)
        session.jobs.job_failed.connect(lambda _job, text: self.show_message(text))
        session.work_created.connect(self._work_created)
        session.selection_changed.connect(self._update_actions)
        self.undo_stack.clear()
        # The window system appends the application's display name unless the title already ends with it.
        self.setWindowTitle(f"{session.library_name} — {APP_TITLE}")
        self.menus.enable_library_actions(True)
        self._update_actions()
        self._sync_create_actions()
        self.library_opened.emit()

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a tab beside Create, Lineage, License & royalty and Review; returns its index. Ctrl+<n> switches to
        it."""
        index = self.tabs.addTab(widget, title)
        self.menus.add_tab_action(index, title, lambda: self.tabs.setCurrentWidget(widget))
        return index

    def show_model(self, model_id: str) -> None:
        """The Model tab of a model or LoRA a work was made with (its link in the work's details)."""
        if self.session is None:
            return
        self.session.select([model_id])
        self.tabs.setCurrentWidget(self.model_page)

    # -- opening libraries --------------------------------------------------------------------------------
    def open_in_background(self, folder: Path | str | None) -> None:
        """Open a library off the GUI thread and install it when ready (the window's cold start)."""
        if self.note is not None:
            self.note.setText(f"Opening the library {folder or ''}…")
        self.switcher.open_in_background(folder)

    def _open_failed(self, message: str) -> None:
        if self.note is not None:
            self.note.setText(
                f"The library could not be opened: {message}\nUse File ▸ Open Library… to choose another."
            )
        self.warn("Cannot open the library", message)

    def choose_library(self) -> None:
        start = str(self.session.library_dir) if self.session is not None else self.settings.library_dir
        folder = QFileDialog.getExistingDirectory(self, "Open a library folder", start)
        if folder:
            self.open_library(Path(folder))

    def open_library(self, folder: Path) -> bool:
        """Switch to another library; the current one stays open if the new one cannot be used."""
        try:
            session = self.switcher.open_now(folder)
        except StudioError as exc:
            self.warn("Cannot open the library", str(exc))
            return False
        self.settings = self.settings.with_changes(library_dir=str(folder))
        self.settings_store.save(self.settings)
        self._switch_to(session)
        return True

    def _switch_to(self, session: StudioSession) -> None:
        """Close the open library and its views, and show `session`'s."""
        self.shutdown()
        self.menus.clear_tab_actions()
        for widget in (self.centralWidget(), self.jobs_dock.widget()):
            if widget is not None:
                widget.deleteLater()
        self.install(session)

    def open_team_dialog(self) -> QWidget:
        """File ▸ Open Team Library…: the dialog stays open, with one line saying why, until the library opens."""
        dialog = load_views().TeamLibraryDialog(self.settings.recent_team_libraries, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_requested.connect(self.open_team_library)
        self.switcher.team_failed.connect(dialog.failed)
        self.team_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "team_dialog", None))
        dialog.show()
        return dialog

    def open_team_library(self, address: str, member: str, password: str, remember: bool) -> bool:
        """Open a team library as `member` on a job; the library open now stays open if it cannot be used."""
        return self.switcher.open_team(address, member, password or None, remember)

    def _team_opened(self, session: StudioSession, url: str) -> None:
        recent = (url, *(u for u in self.settings.recent_team_libraries if u != url))
        self.settings = self.settings.with_changes(recent_team_libraries=recent)
        self.settings_store.save(self.settings)
        self._switch_to(session)
        if self.team_dialog is not None:
            self.team_dialog.accept()

    # -- settings -----------------------------------------------------------------------------------------
    def open_settings(self) -> QWidget:
        dialog = self.views.settings_dialog(self.settings, self)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()
        return dialog

    def welcome_if_first_run(self) -> QWidget | None:
        """The first-run questions (creator, license of new works, where to publish), once: answered or skipped,
        they are not asked again; Settings changes the answers."""
        if self.settings.welcomed or self.session is None:
            return None
        library = self.views.library_settings()
        dialog = self.views.first_run_dialog(library, self.settings.creator, self)

        def answered(_result: int) -> None:
            creator = library.new_work_defaults().creator or self.settings.creator
            self.settings = self.settings.with_changes(welcomed=True, creator=creator)
            self.settings_store.save(self.settings)
            self.review_panel.set_default_reviewer(creator)
            self.session.library_changed.emit()  # the panels' notes name the new defaults

        dialog.finished.connect(answered)
        dialog.open()
        return dialog

    def open_engines(self) -> QWidget:
        """Settings ▸ Engines: the ComfyUI servers, their connection and their model files."""
        dialog = self.views.engines_dialog(self)
        dialog.open()
        return dialog

    def apply_settings(self, settings: WindowSettings) -> None:
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

    def _prompts_changed(self, prompts: list[str]) -> None:
        self.settings = self.settings.with_changes(recent_prompts=tuple(prompts))
        self.settings_store.save(self.settings)

    def _policy_changed(self, policy: str) -> None:
        self.settings = self.settings.with_changes(royalty_policy=policy)

    # -- importing ----------------------------------------------------------------------------------------
    def choose_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import images", self.settings.library_dir or str(Path.home()), IMAGE_FILTER
        )
        if files:
            self.import_files(files)

    def import_files(self, files: list[str]) -> QWidget | None:
        """Ask for the license and the rest, then import on a worker thread (the dialog is window-modal)."""
        if self.session is None:
            return None
        dialog = self.views.import_dialog(files, self.settings.creator, self)

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
        ids = list(self.session.selection)
        if ids:
            self.undo_stack.push(self.views.trash_command(ids))
            self.show_message(
                f"Moved {len(ids)} work{'s' if len(ids) != 1 else ''} to the trash (Undo with "
                f"{QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)})"
            )

    def open_trash(self) -> QWidget:
        dialog = self.views.trash_dialog(self)
        dialog.open()
        return dialog

    # -- creating -----------------------------------------------------------------------------------------
    def _create(self, mode: Mode) -> None:
        self.tabs.setCurrentWidget(self.create_panel)
        if self.create_panel.states[mode].reason == NO_PROMPT:
            self.create_panel.prompt.setFocus()
            self.show_message(NO_PROMPT)
            return
        self.create_panel.start(mode)

    def _start_generating(self) -> None:
        self.tabs.setCurrentWidget(self.create_panel)
        self.create_panel.prompt.setFocus()

    def _sync_create_actions(self) -> None:
        self.menus.sync_create_actions(self.create_panel.states)

    def open_demo(self, folder: Path | None = None) -> int | None:
        """Open the demo library, building it first (a job) when there is none; returns the build's job id."""
        if self.session is None:
            return None
        return self.demo.open(self.session.jobs, folder)

    def _demo_building(self, building: bool) -> None:
        if self.session is None:
            return
        self.library.empty.set_building(building)
        if building:
            self.jobs_dock.show()

    def _work_created(self, work_id: str) -> None:
        self.show_message("New work added to the library")
        self.session.select([work_id])

    # -- the current work ---------------------------------------------------------------------------------
    def _on_current(self, action: Any) -> None:
        current = self.session.current() if self.session is not None else None
        if current is not None:
            action(current.id)

    def _update_actions(self) -> None:
        self.menus.update_for_selection(len(self.session.selection), self.session.current())

    def open_publish(self) -> QWidget | None:
        work = self.session.current()
        if work is None or work.kind.value not in PUBLISHABLE:
            return None
        dialog = self.views.publish_dialog(work, self)
        dialog.open()
        return dialog

    # -- status and closing -------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def warn(self, title: str, text: str) -> QMessageBox:
        """A window-modal warning that does not block the event loop (workers keep reporting)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.open()
        return box

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(1280, 800)
        self._pending_state = self.settings.window_state or None
        if self.views is not None:
            self._restore_docks()

    def _restore_docks(self) -> None:
        if self._pending_state is None:
            return
        state, self._pending_state = self._pending_state, None
        # After the views' first layout pass: restored over the "Opening the library…" note (or before the
        # splitter is laid out), the Jobs dock took all the height the note left free, most of the window.
        QTimer.singleShot(0, lambda: self.restoreState(QByteArray.fromBase64(state.encode())))

    def save_window_settings(self) -> None:
        # The docks' layout is only worth keeping with a library's views in it; quitting before one opened keeps
        # the layout saved last time.
        state = bytes(self.saveState().toBase64().data()).decode() if self.views is not None else None
        self.settings = self.settings.with_changes(
            window_geometry=bytes(self.saveGeometry().toBase64().data()).decode(),
            window_state=state or self._pending_state or self.settings.window_state,
        )
        self.settings_store.save(self.settings)

    def shutdown(self) -> None:
        """Stop every worker and close the library (idempotent); the views show nothing from then on."""
        self.switcher.wait()
        if self.session is None:
            return
        self.views.close()
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
        self.switcher.closing = True
        self.save_window_settings()
        self.shutdown()
        event.accept()
