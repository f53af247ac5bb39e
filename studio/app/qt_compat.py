"""A workaround for a reference-counting bug of the Qt binding, applied once before the window starts.

PySide6 6.12.0 returns None from void methods (`QPainter.save()`, `QObject.setObjectName()`, …) and True or
False from a signal's `emit()` without taking a reference to them. On Python 3.12 and later these constants are
immortal and that is harmless; on Python 3.11 each call costs the constant one reference, and after some
thousands of paint calls or signals its count reaches zero and the interpreter aborts ("deallocating None",
"deallocating True or False"). PySide6 6.11 does not have the bug.

Giving the constants a reference count they can never spend makes them as immortal as Python 3.12 does. They
are never freed in a running interpreter anyway, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

import PySide6

RESERVE = 1 << 40


def binding_spends_none() -> bool:
    """Whether this Python and this PySide6 have the bug (CPython before 3.12 with PySide6 6.12)."""
    return (
        sys.implementation.name == "cpython"
        and sys.version_info < (3, 12)
        and tuple(PySide6.__version_info__[:2]) >= (6, 12)
    )


def keep_constants_alive() -> bool:
    """Top the reference counts of None, True and False up (idempotent); True when the workaround was needed."""
    if not binding_spends_none():
        return False
    for constant in (None, True, False):
        # ob_refcnt is the first field of every object in CPython's (non-debug) object layout.
        count = ctypes.c_ssize_t.from_address(id(constant))
        if count.value < RESERVE // 2:
            count.value += RESERVE
    return True
