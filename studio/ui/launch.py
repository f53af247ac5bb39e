"""`studio` with no arguments: open the window on a library folder (the settings' one, else the default).

The window shows first and the library opens behind it: loading the studio's engines (the license catalogue,
the store, the publishing client) takes longer than drawing the window, and the window stays responsive while
they load.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.app.qt_compat import keep_constants_alive
from studio.app.settings import SettingsStore
from studio.ui.library_switcher import open_session
from studio.ui.main_window import MainWindow
from studio.ui.system_libraries import check_window_libraries
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
    app = application()
    store = store or SettingsStore()
    settings = store.load()
    apply_theme(app, settings.theme)
    folder = library_dir if library_dir is not None else (settings.library_dir or None)
    return MainWindow(open_session(folder), store, settings)


# Set to 1, the window quits (exit status 0) once it is shown and its library is open, or with status 1 when the
# library has not opened within SMOKE_TIMEOUT_MS: how the packaging smoke test checks that the window starts.
SMOKE_QUIT_ENV = "STUDIO_SMOKE_QUIT_AFTER_SHOWN"
SMOKE_TIMEOUT_MS = 120_000


def run(library_dir: str | Path | None = None) -> int:
    check_window_libraries()
    app = application()
    window = start(library_dir)
    if os.environ.get(SMOKE_QUIT_ENV) == "1":
        _quit_once_open(app, window)
    return app.exec()


def _quit_once_open(app: QApplication, window: MainWindow) -> None:
    def opened() -> None:
        print(f"window shown, library open ({SMOKE_QUIT_ENV})", file=sys.stderr)
        app.exit(0)

    def timed_out() -> None:
        print(f"the window's library did not open within {SMOKE_TIMEOUT_MS // 1000} s", file=sys.stderr)
        app.exit(1)

    window.library_opened.connect(opened)
    QTimer.singleShot(SMOKE_TIMEOUT_MS, window, timed_out)
