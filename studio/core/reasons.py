"""A decision with its machine code and the text a creator reads, shared by the license and royalty engines.

Scopes say what a blocking reason stops: `make` (making the work or a derivative of it), `commercial`
(using it commercially), `publish` (registering it on Story now) or `train` (training a model on it). A
`block` stops its scope; `warn` and `info` only explain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["block", "warn", "info"]
Scope = Literal["make", "commercial", "publish", "train"]
SEVERITIES: tuple[Severity, ...] = ("block", "warn", "info")
SCOPES: tuple[Scope, ...] = ("make", "commercial", "publish", "train")


@dataclass(frozen=True)
class Reason:
    """One decision with its machine code and the text a creator reads."""

    code: str
    message: str
    work_id: str | None = None
    severity: Severity = "block"
    scope: Scope = "make"

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def to_dict(self) -> dict[str, str]:
        data = {"code": self.code, "message": self.message, "severity": self.severity, "scope": self.scope}
        if self.work_id is not None:
            data["work_id"] = self.work_id
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        """Rebuild a stored reason (e.g. a work's flag); unknown severities and scopes fall back to block/make."""
        severity = data.get("severity", "block")
        scope = data.get("scope", "make")
        return cls(
            code=str(data.get("code") or "flag"),
            message=str(data.get("message") or data.get("code") or "flagged"),
            work_id=data.get("work_id"),
            severity=severity if severity in SEVERITIES else "block",
            scope=scope if scope in SCOPES else "make",
        )


def distinct(reasons: Iterable[Reason]) -> list[Reason]:
    """One line per message: the engine may give the same reason for several scopes."""
    seen: set[str] = set()
    return [r for r in reasons if not (r.message in seen or seen.add(r.message))]
