"""The one root of every error the studio raises on purpose.

Each error carries a one-line message that says what went wrong and, where it helps, what to do next
(`hint`). The CLI prints `str(error)` as its single stderr line; the window shows the same text.
"""

from __future__ import annotations

from typing import Any


class StudioError(Exception):
    """Base class for errors meant to be shown to the user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(StudioError):
    """The user gave something the studio cannot use (a bad file, a bad id, a bad number)."""

    exit_code = 2


class NotFound(StudioError):
    """A work, model, license or publication that does not exist."""

    exit_code = 3


class LibraryError(StudioError):
    """The library folder or its database cannot be used as it is."""

    exit_code = 4


class LineageError(InvalidInput):
    """A lineage edge that would break the graph's rules (cycle, too many parents or ancestors)."""


class LicenseRefused(StudioError):
    """The license engine refused an action; `reasons` holds its machine codes and human texts."""

    exit_code = 5

    def __init__(self, message: str, reasons: list | None = None, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reasons = list(reasons or [])


class SoftwareIncomplete(StudioError):
    """A part of Remix Studio itself is missing or broken (a library, a module, its package record): a fault of
    the installation, not of what the user gave it."""

    exit_code = 70  # EX_SOFTWARE, as for any other fault of the program


class Cancelled(StudioError):
    """A job (a generation, a training run, the demo) was cancelled; no image was made. Here rather than with the
    generation request so the window's job queue knows it without importing the engines."""

    exit_code = 130  # as a command stopped by Ctrl-C

    def __init__(self, message: str = "Generation cancelled; no image was made", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
