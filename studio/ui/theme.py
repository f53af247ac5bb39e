"""Light and dark palettes on the Fusion style; "system" follows the desktop's colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from studio.app.verdict_colors import ALLOWED, REFUSED, WARNED

ACCENT = QColor(64, 132, 214)
__all__ = ["ACCENT", "ALLOWED", "REFUSED", "WARNED", "apply_theme"]


def system_is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolved(theme: str) -> str:
    """ "light" or "dark" for a setting of "system", "light" or "dark"."""
    if theme == "system":
        return "dark" if system_is_dark() else "light"
    return theme


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(30, 31, 34), QColor(43, 45, 48), QColor(222, 224, 227)
    disabled = QColor(120, 122, 126)
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, disabled),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor(53, 55, 59)),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor(255, 90, 90)),
        (QPalette.ColorRole.Link, ACCENT.lighter(130)),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.Mid, QColor(70, 72, 76)),
        (QPalette.ColorRole.Dark, QColor(20, 21, 23)),
        (QPalette.ColorRole.Light, QColor(80, 82, 86)),
    ):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply_theme(app: QApplication, theme: str) -> str:
    """Apply a theme setting; returns the scheme used ("light" or "dark")."""
    app.setStyle(QStyleFactory.create("Fusion"))
    scheme = resolved(theme)
    palette = _dark_palette() if scheme == "dark" else app.style().standardPalette()
    if scheme == "light":
        palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
        palette.setColor(QPalette.ColorRole.HighlightedText, QColor(255, 255, 255))
    app.setPalette(palette)
    app.setProperty("studio_scheme", scheme)
    return scheme
