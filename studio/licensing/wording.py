"""How the engine words terms, percentages and dates in the messages creators read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from studio.core.amounts import ip_text
from studio.licensing.catalog import WorkTerms, effective_pil


def quoted(*titles: str) -> str:
    marks = [f"“{t}”" for t in titles]
    return marks[0] if len(marks) == 1 else ", ".join(marks[:-1]) + " and " + marks[-1]


def percent(units: int) -> str:
    return f"{(Decimal(units) / 1_000_000).normalize():f}%"


def describe_params(terms: WorkTerms) -> str:
    if not terms.license.is_pil:
        return ""
    pil = effective_pil(terms)
    parts = []
    if "rev_share" in terms.license.parameters:
        parts.append(f"a {percent(pil.commercial_rev_share)} rev share")
    if pil.default_minting_fee:
        parts.append(f"a minting fee of {ip_text(pil.default_minting_fee)}")
    if pil.royalty_policy:
        parts.append(f"{pil.royalty_policy.upper()} royalties")
    return " with " + ", ".join(parts) if parts else ""


def describe(terms: WorkTerms) -> str:
    return terms.license.name + describe_params(terms)


def date_text(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
