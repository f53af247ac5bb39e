"""`studio` with no arguments: open the window on a library folder (the settings' one, else the default)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from studio import __version__
from studio.app.session import StudioSession
from studio.app.settings import SettingsStore
from studio.errors import StudioError
from studio.services import Studio
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme


def application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scale factors (125%, 150%) are used as they are instead of rounded, so HiDPI layouts stay exact.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Remix Studio")
    app.setApplicationDisplayName("Remix Studio")
    app.setOrganizationName("remix-studio")
    app.setApplicationVersion(__version__)
    return app


def open_window(library_dir: str | Path | None = None, store: SettingsStore | None = None) -> MainWindow:
    """Build the window on a library; raises StudioError when the library cannot be opened."""
    app = application()
    store = store or SettingsStore()
    settings = store.load()
    apply_theme(app, settings.theme)
    folder = library_dir if library_dir is not None else (settings.library_dir or None)
    studio = Studio.open(folder)
    return MainWindow(StudioSession(studio), store, settings)


def run(library_dir: str | Path | None = None) -> int:
    app = application()
    try:
        window = open_window(library_dir)
    except StudioError as exc:
        QMessageBox.critical(None, "Remix Studio cannot open the library", str(exc))
        return 1
    window.show()
    return app.exec()
