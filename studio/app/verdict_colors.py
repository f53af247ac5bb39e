"""The colours that mark an answer in the window's text: allowed, refused, a warning. The view-models write
them into the rich text they prepare; the theme uses the same ones."""

from __future__ import annotations

from PySide6.QtGui import QColor

REFUSED = QColor(200, 60, 60)
ALLOWED = QColor(46, 150, 90)
WARNED = QColor(210, 140, 30)
