"""The main window: the library on the left, the work's tabs on the right (Create, Lineage, License & royalty,
Review, Model, and any tab a feature adds with `add_tab`), the jobs in a dock, menus with keyboard shortcuts.

The window can show before any library is open (its shell: menus and an "Opening the library…" note) and
`install` a session once the library is ready. The panels and dialogs are imported when first needed: they bring
in the studio's engines, whose loading is what a cold start waits for. The menus live in `main_menus`, opening and
switching libraries and the settings in `main_library`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
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
from studio.app.settings import SettingsStore, WindowSettings
from studio.ui.gallery import IMAGE_SUFFIXES
from studio.ui.main_library import LibrarySwitching
from studio.ui.main_menus import PUBLISHABLE, WindowMenus
from studio.ui.work_actions import WorkActions

if TYPE_CHECKING:
    from studio.app.session import StudioSession
    from studio.ui.import_dialog import ImportDialog
    from studio.ui.publish_dialog import PublishDialog
    from studio.ui.trash import TrashDialog

APP_TITLE = "Remix Studio"
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"


class MainWindow(WindowMenus, LibrarySwitching, QMainWindow):
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

    # -- building -----------------------------------------------------------------------------------------
    def show_model(self, model_id: str) -> None:
        """The Model tab of a model or LoRA a work was made with (its link in the work's details)."""
        if self.session is None:
            return
        self.session.select([model_id])
        self.tabs.setCurrentWidget(self.model_page)

    def install(self, session: StudioSession) -> None:
        """Build the views over one session (again when another library is opened)."""
        from studio.ui.create_panel import CreatePanel
        from studio.ui.jobs_panel import JobsPanel
        from studio.ui.library_panel import LibraryPanel
        from studio.ui.license_panel import LicensePanel
        from studio.ui.lineage_view import LineageView
        from studio.ui.model_page import ModelPage
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
        self.model_page = ModelPage(session)
        self.add_tab(self.model_page, "Model")
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
        self.license_panel.model_requested.connect(self.show_model)
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
        if work is None or work.kind.value not in PUBLISHABLE:
            return None
        from studio.ui.publish_dialog import PublishDialog

        dialog = PublishDialog(self.session, work, self)
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
