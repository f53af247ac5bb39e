"""Minting fees: typed and shown in IP everywhere (wei when spelled out), stored in wei as before."""

from __future__ import annotations

import pytest

from studio.core.amounts import ip_text, parse_ip_amount


def test_import_takes_ip_and_explicit_wei_and_stores_wei(run, sample) -> None:
    half = run.json("import", str(sample()), "--license", "pil-commercial-use", "--minting-fee", "0.5")
    assert half["minting_fee"] == 5 * 10**17 and half["minting_fee_ip"] == "0.5"
    exact = run.json("import", str(sample()), "--license", "pil-commercial-use", "--minting-fee", "250wei")
    assert exact["minting_fee"] == 250
    assert "minting fee 0.5 IP (500000000000000000 wei)" in run("show", half["id"]).stdout


def test_license_check_words_the_fee_in_ip(run, sample) -> None:
    work = run.json("import", str(sample()), "--license", "pil-commercial-use", "--minting-fee", "0.25")
    data = run.json("license", "check", work["id"])
    assert data["story_terms"]["minting_fee"] == 25 * 10**16 and data["story_terms"]["minting_fee_ip"] == "0.25"
    text = run("license", "check", work["id"]).stdout
    assert "a minting fee of 0.25 IP" in text and "WIP" not in text


@pytest.mark.parametrize("bad", ["ten", "-1", "nan", "0.1234567890123456789", "10"])
def test_bad_fees_are_refused_in_one_line(run, sample, bad) -> None:
    result = run("import", str(sample()), "--license", "pil-commercial-use", "--minting-fee", bad, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.strip().count("\n") == 0 and "minting-fee" in result.stderr


def test_amount_helpers_round_trip() -> None:
    assert parse_ip_amount("1.5 IP") == 15 * 10**17 and parse_ip_amount("7wei") == 7
    assert ip_text(15 * 10**17) == "1.5 IP" and ip_text(1, exact=True) == "0.000000000000000001 IP (1 wei)"
    with pytest.raises(ValueError):
        parse_ip_amount("inf")
