"""The plain values the window's views show and the errors they catch, from the core: re-exported here so that
`studio.ui` imports only `studio.app` (and Qt), never the core behind it. Values only: what computes lives in a
view-model."""

from __future__ import annotations

from studio.core.amounts import WEI_PER_IP
from studio.core.modes import Mode
from studio.core.reasons import Reason
from studio.core.types import Edge, Origin, Recipe, Relation, Work, WorkKind, percent_to_units, units_to_percent
from studio.errors import InvalidInput, StudioError

__all__ = [
    "WEI_PER_IP",
    "Edge",
    "InvalidInput",
    "Mode",
    "Origin",
    "Reason",
    "Recipe",
    "Relation",
    "StudioError",
    "Work",
    "WorkKind",
    "percent_to_units",
    "units_to_percent",
]
