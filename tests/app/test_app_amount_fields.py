"""Fees typed in the window's forms (import and publish dialogs): IP or wei through the core's one parser, an empty
field as none, and one-line refusals."""

from __future__ import annotations

import pytest

from studio.app.amount_fields import balance_text, fee_from_text, fee_text
from studio.errors import InvalidInput


def test_fees_are_read_as_ip_or_wei_and_an_empty_field_is_none() -> None:
    assert fee_from_text("  ") is None
    assert fee_from_text("0.5") == 5 * 10**17 and fee_from_text("0.5 IP") == 5 * 10**17
    assert fee_from_text("250wei") == 250  # the publish dialog took IP only before


@pytest.mark.parametrize("typed", ["lots", "-1", "0.1234567890123456789", "nan"])
def test_a_bad_fee_is_one_line_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        fee_from_text(typed, "minting fee")
    assert str(refused.value).startswith(f"minting fee {typed!r}") and "\n" not in str(refused.value)


def test_amounts_are_shown_exactly_and_balances_at_a_glance() -> None:
    assert fee_text(None) == "–" and fee_text(25 * 10**16) == "0.25 IP"
    assert balance_text(None) == "–" and balance_text(1234 * 10**15) == "1.2340 IP"
