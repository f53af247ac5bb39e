"""What can be done with one work from the gallery: open it in the viewer, export a signed copy, reveal its file,
copy its recipe, use it as the parent of a remix, or reuse its recipe in the Create panel; a training set, model
or LoRA may be published on Story from here too (an image from the Work menu). The gallery's context menu and the
File menu share these actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu

from studio.core.types import Recipe, Work, WorkKind
from studio.metadata.a1111 import format_parameters

if TYPE_CHECKING:
    from studio.ui.main_window import MainWindow
    from studio.ui.viewer import ImageViewer

UrlOpener = Callable[[QUrl], Any]

MENU = (
    ("open", "&Open"),
    ("export", "&Export Signed Copy…"),
    ("reveal", "&Reveal File"),
    ("copy_recipe", "Copy Re&cipe"),
    ("use_as_parent", "Use as &Parent"),
    ("reuse_recipe", "Re&use Recipe"),
    ("train_lora", "&Train a LoRA…"),
)
# Training sets publish as Story groups, models and LoRAs as their derivatives: the menu offers it for them.
PUBLISH_KINDS = (WorkKind.collection, WorkKind.model, WorkKind.lora)


class WorkActions(QObject):
    """The actions of one window; `opener` opens folders (the desktop's file manager unless a test swaps it)."""

    def __init__(self, window: MainWindow, opener: UrlOpener | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.opener: UrlOpener = opener or QDesktopServices.openUrl
        self.viewer: ImageViewer | None = None
        self._exports: dict[int, Path] = {}
        window.session.jobs.job_finished.connect(self._exported)

    @property
    def session(self) -> Any:
        return self.window.session

    def _work(self, work_id: str) -> Work:
        return self.session.studio.work(work_id)

    # -- the menu -----------------------------------------------------------------------------------------
    def menu_for(self, work_id: str) -> QMenu:
        work = self._work(work_id)
        menu = QMenu(self.window)
        image = work.kind is WorkKind.image
        has_file = bool(work.file_path)
        recipe = work.recipe
        has_recipe = recipe is not None and bool(recipe.prompt or recipe.model or recipe.seed is not None)
        enabled = {
            "open": has_file and image,
            "export": has_file and image,
            "reveal": has_file,
            "copy_recipe": has_recipe,
            "use_as_parent": image,
            "reuse_recipe": has_recipe,
            "train_lora": image,
        }
        slots: dict[str, Callable[[str], object]] = {
            "open": self.open,
            "export": self.export,
            "reveal": self.reveal,
            "copy_recipe": self.copy_recipe,
            "use_as_parent": self.use_as_parent,
            "reuse_recipe": self.reuse_recipe,
            "train_lora": self.train_lora,
        }
        for name, text in MENU:
            action = QAction(text, menu)
            action.setObjectName(name)
            action.setEnabled(enabled[name])
            action.triggered.connect(lambda _checked=False, s=slots[name]: s(work_id))
            menu.addAction(action)
            if name in ("open", "reveal", "reuse_recipe"):
                menu.addSeparator()
        if work.kind in PUBLISH_KINDS:
            menu.addSeparator()
            action = QAction("Publish on &Story…", menu)
            action.setObjectName("publish")
            action.triggered.connect(lambda _checked=False: self.publish(work_id))
            menu.addAction(action)
        return menu

    def popup(self, work_id: str, at: QPoint) -> QMenu:
        menu = self.menu_for(work_id)
        menu.popup(at)
        return menu

    # -- the actions --------------------------------------------------------------------------------------
    def open(self, work_id: str) -> ImageViewer | None:
        """Show the work large, stepping through the gallery's current order."""
        model = self.window.library.model
        row = model.row_of(work_id)
        if row is None:
            return None
        return self.open_row(row)

    def open_row(self, row: int) -> ImageViewer | None:
        from studio.ui.viewer import ImageViewer

        if self.viewer is None:
            self.viewer = ImageViewer(self.window.library.model, self.session.studio.file_of, self.window)
            self.viewer.work_shown.connect(lambda work_id: self.session.select([work_id]))
        if not self.viewer.show_row(row):
            return None
        self.viewer.show()
        self.viewer.raise_()
        self.viewer.activateWindow()
        return self.viewer

    def export(self, work_id: str, target: Path | None = None) -> int | None:
        """Write a copy signed with Content Credentials (asks where when `target` is None); returns the job id."""
        work = self._work(work_id)
        if target is None:
            start = str(Path.home() / f"{_file_stem(work.title)}.{work.format or 'png'}")
            chosen, _ = QFileDialog.getSaveFileName(self.window, "Export a signed copy", start)
            if not chosen:
                return None
            target = Path(chosen)
        signer = self.window.settings.creator or None

        def task(_ctx: Any, studio: Any) -> Any:
            # The save dialog already asked before replacing an existing file.
            return studio.credential_service.export(work_id, target, signer=signer, overwrite=target.exists())

        job_id = self.session.submit("export", f"Export “{work.title}”", task)
        self._exports[job_id] = target
        self.window.jobs_dock.show()
        return job_id

    def _exported(self, job_id: int, _result: Any) -> None:
        target = self._exports.pop(job_id, None)
        if target is not None:
            self.window.show_message(f"Exported a signed copy to {target}")

    def close_viewer(self) -> None:
        if self.viewer is not None:
            self.viewer.close()
            self.viewer.deleteLater()
            self.viewer = None

    def reveal(self, work_id: str) -> QUrl | None:
        """Open the folder holding the work's file in the desktop's file manager."""
        path = self.session.studio.file_of(self._work(work_id))
        if path is None:
            self.window.show_message("This work has no file in the library")
            return None
        url = QUrl.fromLocalFile(str(path.parent))
        self.opener(url)
        return url

    def copy_recipe(self, work_id: str) -> str:
        """Put the recipe on the clipboard as generation parameters text (the form other tools paste too)."""
        text = format_parameters(self._work(work_id).recipe or Recipe())
        QGuiApplication.clipboard().setText(text)
        self.window.show_message("Recipe copied")
        return text

    def use_as_parent(self, work_id: str) -> None:
        self.session.select([work_id])
        self.window.tabs.setCurrentWidget(self.window.create_panel)

    def train_lora(self, work_id: str) -> Any:
        """Open the training dialog on the selection (the window keeps it until it closes)."""
        self.train_dialog = _train_lora_dialog(self, work_id)
        self.train_dialog.open()
        return self.train_dialog

    def publish(self, work_id: str) -> Any:
        """Open the publish dialog for the work (a training set, model or LoRA included); it publishes through
        the window's job queue."""
        from studio.ui.publish_dialog import PublishDialog

        self.publish_dialog = PublishDialog(self.session, self._work(work_id), self.window)
        self.publish_dialog.open()
        return self.publish_dialog

    def reuse_recipe(self, work_id: str) -> list[str]:
        """Fill the Create panel with the work's prompt, seed, model, LoRAs and sizes; returns what was not found."""
        self.window.tabs.setCurrentWidget(self.window.create_panel)
        missing = self.window.create_panel.apply_recipe(self._work(work_id).recipe or Recipe())
        if missing:
            self.window.show_message("Not in this library, left out: " + ", ".join(missing))
        return missing


def _train_lora_dialog(actions: WorkActions, work_id: str) -> Any:
    from studio.ui.train_lora_dialog import TrainLoraDialog

    # The menu acts on the selection when the clicked work is part of it, else on that work alone.
    selection = list(actions.session.selection)
    return TrainLoraDialog(actions.session, selection if work_id in selection else [work_id], actions.window)


def _file_stem(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_" else " " for c in title)
    return "-".join(keep.split()).lower() or "work"
