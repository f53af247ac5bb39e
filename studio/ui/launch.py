"""`studio` with no arguments: open the window on a library folder (the settings' one, else the default).

The window shows first and the library opens behind it: loading the studio's engines (the license catalogue,
the store, the publishing client) takes longer than drawing the window, and the window stays responsive while
they load.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.app.qt_compat import keep_constants_alive
from studio.app.settings import SettingsStore
from studio.ui.main_window import MainWindow
from studio.ui.theme import apply_theme


def application() -> QApplication:
    keep_constants_alive()
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


def start(library_dir: str | Path | None = None, store: SettingsStore | None = None) -> MainWindow:
    """Show the window at once and open the library behind it (`MainWindow.library_opened` tells when)."""
    app = application()
    store = store or SettingsStore()
    settings = store.load()
    apply_theme(app, settings.theme)
    window = MainWindow(None, store, settings)
    window.show()
    folder = library_dir if library_dir is not None else (settings.library_dir or None)
    # The first-run questions come once the library is there (their answers are kept in it).
    window.library_opened.connect(window.welcome_if_first_run, Qt.ConnectionType.SingleShotConnection)
    QTimer.singleShot(0, window, lambda: window.open_in_background(folder))
    return window


def open_window(library_dir: str | Path | None = None, store: SettingsStore | None = None) -> MainWindow:
    """Build the window on an open library, synchronously (tools and tests); raises StudioError when the
    library cannot be opened."""
    from studio.app.session import StudioSession
    from studio.services import Studio

    app = application()
    store = store or SettingsStore()
    settings = store.load()
    apply_theme(app, settings.theme)
    folder = library_dir if library_dir is not None else (settings.library_dir or None)
    studio = Studio.open(folder)
    return MainWindow(StudioSession(studio), store, settings)


def run(library_dir: str | Path | None = None) -> int:
    app = application()
    start(library_dir)
    return app.exec()
