"""Amounts of IP, Story's token, as creators type and read them; stored and sent on chain as wei (10^18 per IP).

One unit everywhere a person sees or types a fee: IP ("0.5"), or wei when spelled out ("250wei").
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

WEI_PER_IP = 10**18
MAX_AMOUNT = 2**256


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
