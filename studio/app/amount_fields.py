"""Amounts of IP as the window's forms show and take them: the core's one parser and wording, an empty field
meaning "none", and a refusal as one line that says what to type."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from studio.core.amounts import WEI_PER_IP, ip_text, parse_ip_amount
from studio.errors import InvalidInput

NONE_SHOWN = "–"


def fee_from_text(text: str, what: str = "minting fee") -> int | None:
    """'0.5' (IP) or '250wei' -> wei; '' -> None."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        return parse_ip_amount(cleaned)
    except ValueError as exc:
        raise InvalidInput(f"{what} {cleaned[:80]!r} {exc}", hint="e.g. 0.5 (IP) or 250wei") from None


def fee_text(wei: int | None) -> str:
    """An amount shown exactly ('0.25 IP'), or a dash for none."""
    return NONE_SHOWN if wei is None else ip_text(wei)


def balance_text(wei: int | None) -> str:
    """A balance to read at a glance (four decimals); fees are always shown exactly with `fee_text`."""
    return NONE_SHOWN if wei is None else f"{Decimal(wei) / WEI_PER_IP:,.4f} IP"


def wip_text(wei: int) -> str:
    """'0.5 WIP': WIP is IP wrapped one to one, written the same way."""
    return ip_text(wei).removesuffix(" IP") + " WIP"


def wip_short(wei: int) -> str:
    """For a table cell: six decimals at most, '≈' where that rounds (a note beside the table gives the exact
    totals, and the cells sort by the exact wei)."""
    exact = Decimal(wei) / WEI_PER_IP
    shown = exact.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
    text = f"{shown:f}".rstrip("0").rstrip(".") if "." in f"{shown:f}" else f"{shown:f}"
    return ("≈ " if shown != exact else "") + text + " WIP"
