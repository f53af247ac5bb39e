"""Moments as people read them: stored as UTC ISO 8601 with microseconds, shown to the minute in local time."""

from __future__ import annotations

from datetime import UTC, datetime


def moment_text(stamp: str | None) -> str:
    """'2026-12-04T18:41:45.035260Z' -> '2026-12-04 19:41' (this computer's time zone); text that is not a moment
    is returned as it is, so nothing stored is hidden."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
