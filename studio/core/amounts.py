"""Amounts of IP, Story's token, as creators type and read them; stored and sent on chain as wei (10^18 per IP).

One unit everywhere a person sees or types a fee: IP ("0.5"), or wei when spelled out ("250wei"). Shares (rev
share, royalty) are typed in percent and kept in Story's units: 10^6 per percent, so 0.000001 % is the finest step.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

WEI_PER_IP = 10**18
MAX_AMOUNT = 2**256
UNITS_PER_PERCENT = 10**6  # Story's royalty and rev-share units (100 % = 100_000_000)


def parse_ip_amount(text: str) -> int:
    """'0.5' or '0.5 IP' -> wei; '250wei' -> 250. ValueError says why anything else is refused."""
    cleaned = str(text).strip().lower().replace("_", "")
    try:
        if cleaned.endswith("wei"):
            value = Decimal(cleaned[:-3].strip())
        else:
            value = Decimal(cleaned.removesuffix("ip").strip()) * WEI_PER_IP
    except InvalidOperation:
        raise ValueError("is not an amount: give IP like 0.5, or wei like 500000000000000000wei") from None
    if not value.is_finite() or value < 0:
        raise ValueError("must be a positive amount of IP, like 0.5")
    if value != value.to_integral_value():
        raise ValueError("has more than 18 decimals (IP has 18; give wei like 250wei for exact amounts)")
    if value >= MAX_AMOUNT:
        raise ValueError("is larger than any amount on chain")
    return int(value)


def ip_text(wei: int, *, exact: bool = False) -> str:
    """'0.5 IP'; with `exact`, the wei too where rounding could hide it: '0.5 IP (500000000000000000 wei)'."""
    text = f"{Decimal(wei) / WEI_PER_IP:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} IP ({wei} wei)" if exact and wei else f"{text} IP"


def parse_percent_units(text: str) -> int:
    """'12.5' (percent) -> 12_500_000 Story units. ValueError says why anything else is refused: not a number,
    outside 0 to 100, or finer than Story's step of 0.000001 % (a value like 1e-300 would silently become 0)."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError("is not a number (give a percentage between 0 and 100, like 12.5)") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError("is out of range (give a percentage between 0 and 100, like 12.5)")
    units = value * UNITS_PER_PERCENT
    if units != units.to_integral_value():
        raise ValueError("is finer than Story can record (percentages go in steps of 0.000001, like 12.345678)")
    return int(units)


def percent_text(value: float) -> str:
    """A share already in percent, as creators read it: up to six decimals, no trailing zeros ("12.5%")."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return f"{text}%"
