"""The window's views over one open library: the gallery, the tabs (Create, Lineage, License & royalty, Review,
Model), the jobs list and the work menu's actions, and the dialogs that need a library (import,
trash, publish, settings, first run, engines).

This module brings in the studio's engines (through the view-models it uses), which is what a cold start waits
for: the window imports it on the worker thread that opens its first library (`library_switcher.load_views`),
so that the window shows first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from studio.app.demo import DemoLibrary as DemoLibrary
from studio.app.library_opening import new_session as new_session
from studio.app.library_opening import open_studio as open_studio
from studio.app.library_opening import open_team_studio as open_team_studio
from studio.app.library_settings import LibrarySettings
from studio.app.session import StudioSession
from studio.app.settings import WindowSettings
from studio.app.values import Work
from studio.ui.create_panel import CreatePanel
from studio.ui.engines_settings import EnginesDialog
from studio.ui.first_run import FirstRunDialog
from studio.ui.import_dialog import ImportDialog
from studio.ui.jobs_panel import JobsPanel
from studio.ui.library_panel import LibraryPanel
from studio.ui.license_panel import LicensePanel
from studio.ui.lineage_view import LineageView
from studio.ui.model_page import ModelPage
from studio.ui.publish_dialog import PublishDialog
from studio.ui.review_panel import ReviewPanel
from studio.ui.settings_dialog import SettingsDialog
from studio.ui.team_library_dialog import TeamLibraryDialog as TeamLibraryDialog
from studio.ui.thumbnails import ThumbnailProvider
from studio.ui.trash import TrashCommand, TrashDialog
from studio.ui.work_actions import WorkActions


class Workspace:
    """Builds the views over `session` inside `window` (their parent); `message` shows a status line,
    `show_jobs` the jobs list, and `signer` names who signs an export (the creator in the settings)."""

    def __init__(self, session: StudioSession, settings: WindowSettings, window: QWidget, *,
                 message: Callable[[str], None], show_jobs: Callable[[], None],
                 signer: Callable[[], str | None]) -> None:
        self.session = session
        self.thumbnails = ThumbnailProvider(session.thumbnail_file, session.jobs, window)
        self.library = LibraryPanel(session, self.thumbnails)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.create_panel = CreatePanel(session)
        self.create_panel.models_dir = settings.models_dir
        self.create_panel.recent.set_prompts(settings.recent_prompts)
        self.lineage = LineageView(session, self.thumbnails)
        self.license_panel = LicensePanel(session, settings.royalty_policy)
        self.review_panel = ReviewPanel(session, settings.creator)
        self.model_page = ModelPage(session)
        # In this order on the tab bar (Ctrl+1 … Ctrl+5).
        self.panels: list[tuple[QWidget, str]] = [
            (self.create_panel, "Create"),
            (self.lineage, "Lineage"),
            (self.license_panel, "License && royalty"),
            (self.review_panel, "Review"),
            (self.model_page, "Model"),
        ]
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.library)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.jobs = JobsPanel(session.jobs, session.file_of)
        self.work_actions = WorkActions(
            session, window=window, works=self.library.model, tabs=self.tabs, create_panel=self.create_panel,
            message=message, show_jobs=show_jobs, signer=signer,
        )

    def close(self) -> None:
        """Stop what the views run (the viewer, the gallery's reads, the review list, the thumbnails)."""
        self.work_actions.close_viewer()
        self.library.model.close()
        self.review_panel.close_model()
        self.thumbnails.shutdown()

    # -- the dialogs that need a library ------------------------------------------------------------------
    def import_dialog(self, files: Sequence[str], creator: str, parent: QWidget) -> ImportDialog:
        """Asks the license and the rest of what an import records; the selected images are offered as parents."""
        candidates = [w for w in self.session.selected_works() if w.kind.value == "image"]
        return ImportDialog([Path(f) for f in files], self.session.catalog, candidates, creator=creator,
                            parent=parent)

    def trash_command(self, work_ids: Sequence[str]) -> TrashCommand:
        return TrashCommand(self.session, list(work_ids))

    def trash_dialog(self, parent: QWidget) -> TrashDialog:
        return TrashDialog(self.session, parent)

    def publish_dialog(self, work: Work, parent: QWidget) -> PublishDialog:
        return PublishDialog(self.session, work, parent)

    def library_settings(self) -> LibrarySettings:
        return LibrarySettings(self.session)

    def settings_dialog(self, settings: WindowSettings, parent: QWidget) -> SettingsDialog:
        return SettingsDialog(settings, self.library_settings(), library_default=str(self.session.library_dir),
                              parent=parent)

    def first_run_dialog(self, library: LibrarySettings, creator: str, parent: QWidget) -> FirstRunDialog:
        return FirstRunDialog(library, creator=creator, parent=parent)

    def engines_dialog(self, parent: QWidget) -> EnginesDialog:
        return EnginesDialog(self.session, parent)
