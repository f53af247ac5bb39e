"""Lenient number parsing for values read from other tools' metadata: a bad value reads as unknown (None)."""

from __future__ import annotations

import math
from typing import Any


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None


def as_finite(value: Any) -> float | None:
    """A finite number, or None (NaN and infinities have no place in a stored recipe, nor in strict JSON)."""
    number = as_float(value)
    return number if number is not None and math.isfinite(number) else None
