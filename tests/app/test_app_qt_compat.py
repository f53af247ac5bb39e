"""The workaround for PySide6 6.12 on Python 3.11 spending references to None, True and False."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studio.app.qt_compat import binding_spends_none

CALLS = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from studio.app.qt_compat import keep_constants_alive
if sys.argv[1] == "with":
    keep_constants_alive()
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage, QPainter

class Source(QObject):
    changed = Signal(int)

image = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(image)
source = Source()
for n in range(300_000):
    painter.save()  # returns None
    painter.restore()
    source.changed.emit(n)  # returns True or False
painter.end()
print("alive")
"""


def run(mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CALLS, mode], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not binding_spends_none(), reason="this Python and PySide6 do not have the bug")
def test_the_window_survives_many_void_calls_that_would_abort_the_interpreter():
    without = run("without")
    assert without.returncode != 0 and "deallocating" in without.stderr  # the bug, as users would meet it
    with_fix = run("with")
    assert with_fix.returncode == 0, with_fix.stderr
    assert with_fix.stdout.strip() == "alive"
