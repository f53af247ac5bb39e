"""Opening and switching the window's library, and its settings: the cold start opens the library as a job on
the window's job queue (which the library's session then takes over), File ▸ Open Library switches at once, and
the settings dialogs apply what they change."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QFileDialog

from studio.app.jobs import JobQueue
from studio.app.settings import Settings
from studio.errors import StudioError
from studio.ui.theme import apply_theme

if TYPE_CHECKING:
    from studio.ui.engines_settings import EnginesDialog
    from studio.ui.first_run import FirstRunDialog
    from studio.ui.settings_dialog import SettingsDialog


def _open_studio(folder: Path | str | None) -> Any:
    """Load the studio's engines and open the library (a job, so the window paints meanwhile)."""
    from studio.services import Studio

    return Studio.open(Path(folder) if folder else None)


class LibrarySwitching:
    """Mixed into `MainWindow`: opens libraries (in the background at start, at once when switching) and applies
    the settings."""

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

    def _prompts_changed(self, prompts: list[str]) -> None:
        self.settings = self.settings.with_changes(recent_prompts=tuple(prompts))
        self.settings_store.save(self.settings)

    # -- settings and libraries ---------------------------------------------------------------------------
    def open_settings(self) -> SettingsDialog:
        from studio.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings, self.session.studio.publish_setup, library_default=str(self.session.library_dir),
            defaults=self.session.studio.generation.defaults, catalog=self.session.studio.catalog, parent=self
        )
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()
        return dialog

    def welcome_if_first_run(self) -> FirstRunDialog | None:
        """The first-run questions (creator, license of new works, where to publish), once: answered or skipped,
        they are not asked again; Settings changes the answers."""
        from studio.ui.first_run import FirstRunDialog

        if self.settings.welcomed or self.session is None:
            return None
        studio = self.session.studio
        dialog = FirstRunDialog(studio.catalog, studio.generation.defaults, studio.publish_setup,
                                creator=self.settings.creator, parent=self)

        def answered(_result: int) -> None:
            creator = studio.generation.defaults.load().creator or self.settings.creator
            self.settings = self.settings.with_changes(welcomed=True, creator=creator)
            self.settings_store.save(self.settings)
            self.review_panel.set_default_reviewer(creator)
            self.session.library_changed.emit()  # the panels' notes name the new defaults

        dialog.finished.connect(answered)
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
