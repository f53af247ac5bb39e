"""Option values the studio cannot use are refused in one line while the command line is parsed: NaN and
infinities, out-of-range numbers, zero sizes, empty license ids, malformed URLs and addresses."""

from __future__ import annotations

import json

import pytest

from studio.cli.params import checksum_address
from tests.helpers.hostile_library import DEAD_RPC, snapshot

ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 test vector


def _refused(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "-1", "100.5", "1e309", "ten"])
def test_rev_share_must_be_a_finite_percentage(studio, make_image, value):
    _refused(studio("import", str(make_image()), "--rev-share", value), "--rev-share")
    _refused(studio("generate", "a harbour", "--rev-share", value), "--rev-share")
    _refused(studio("publish", "abc", "--rev-share", value, "--rpc", DEAD_RPC), "--rev-share")


@pytest.mark.parametrize("amount", ["nan", "inf", "-1", "sNaN", "1e-19", "0.5wei", "1e100", "", "ip"])
def test_revenue_pay_refuses_amounts_that_are_not_whole_wei(studio, amount):
    _refused(studio("revenue", "pay", "--yes", "--rpc", DEAD_RPC, "--", "abc", amount), "AMOUNT")


def test_revenue_pay_of_zero_is_refused(studio):
    line = studio("revenue", "pay", "abc", "0", "--yes", "--rpc", DEAD_RPC).stderr
    assert line.count("\n") == 1 and "0 pays nobody" in line


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:notaport", "ftp://x", "http://", "nourl"])
def test_a_malformed_rpc_url_is_one_line(studio, url):
    _refused(studio("import-ip", ADDRESS, "--rpc", url), "--rpc")
    _refused(studio("revenue", "show", "abc", "--rpc", url), "--rpc")


def test_a_malformed_rpc_url_in_the_settings_is_one_line(studio):
    result = studio("publish", "config", "rpc.devnet", "http://[::1")
    assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1 and "not a valid RPC URL" in result.stderr


@pytest.mark.parametrize(
    "ip_id",
    ["0x123", "123", "0x" + "g" * 40, "0x" + "1" * 41, ADDRESS[2:], " ", ADDRESS.lower() + "00"],
)
def test_import_ip_takes_only_twenty_byte_hex_addresses(studio, ip_id):
    _refused(studio("import-ip", ip_id, "--rpc", DEAD_RPC), "IP_ID", "not an address")


def test_an_address_with_a_wrong_checksum_is_refused_and_right_or_single_case_ones_pass(studio):
    wrong = ADDRESS[:3] + ADDRESS[3].swapcase() + ADDRESS[4:]
    _refused(studio("import-ip", wrong, "--rpc", DEAD_RPC), "checksum")
    for good in (ADDRESS, ADDRESS.lower(), "0x" + ADDRESS[2:].upper()):
        result = studio("import-ip", good, "--rpc", DEAD_RPC)
        assert result.exit_code not in (0, 2) and "cannot be reached" in result.stderr  # past validation


def test_eip55_matches_the_published_test_vectors():
    vectors = ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
               "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"]
    for vector in vectors:
        assert checksum_address(vector.lower()) == vector


@pytest.mark.parametrize(
    "args",
    [
        ["--steps", "0"], ["--steps", "-5"], ["--steps", "151"], ["--steps", "2.5"], ["--size", "0x0"],
        ["--size", "512"], ["--size", "100x100"], ["--size", "64x99999"], ["--guidance", "nan"],
        ["--guidance", "-1"], ["--seed", "-1"], ["--seed", str(2**64)], ["--license", ""], ["--license", "  "],
        ["--model", ""], ["--scheduler", ""], ["--title", "a\x1b[2Jb"],
    ],
)
def test_generation_values_are_refused_not_replaced_by_defaults(studio, make_image, args):
    studio.ok("import", str(make_image()))
    before = snapshot(studio.library)
    _refused(studio("generate", "a harbour", *args), args[0])
    assert snapshot(studio.library) == before


@pytest.mark.parametrize("value", ["nan", "0", "-0.1", "1.5", "inf"])
def test_strength_is_above_zero_and_at_most_one(studio, value):
    _refused(studio("remix", "abc", "a harbour", "--strength", value), "--strength")


def test_an_empty_license_is_refused_rather_than_read_as_all_rights_reserved(studio, make_image):
    _refused(studio("import", str(make_image()), "--license", ""), "--license", "must not be empty")
    _refused(studio("publish", "abc", "--license", "", "--rpc", DEAD_RPC), "--license")
    _refused(studio("models", "add", "x.safetensors", "--license", ""), "--license")


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "10", "0.5wei", str(2**63) + "wei"])
def test_import_minting_fee_is_an_amount_that_fits_the_database(studio, make_image, value):
    _refused(studio("import", str(make_image()), "--minting-fee", value), "--minting-fee")


@pytest.mark.parametrize("value", ["0", "-1", "x", "99999999999999999999999"])
def test_list_limit_is_a_positive_whole_number(studio, value):
    _refused(studio("list", "--limit", value), "--limit")


@pytest.mark.parametrize("value", ["1e-300", "0.0000001", "12.3456789", "5e-7", "99.9999999"])
def test_rev_share_finer_than_story_s_step_is_refused(studio, make_image, value):
    line = _refused(studio("import", str(make_image()), "--rev-share", value), "--rev-share")
    assert "0.000001" in line
    _refused(studio("generate", "a harbour", "--rev-share", value), "--rev-share")
    _refused(studio("publish", "abc", "--rev-share", value, "--rpc", DEAD_RPC), "--rev-share")


@pytest.mark.parametrize(("value", "units"), [("12.345678", 12_345_678), ("1e-6", 1), ("0", 0), ("100", 100_000_000),
                                              ("0.5", 500_000)])
def test_rev_share_in_story_s_steps_is_kept_exactly(studio, make_image, value, units):
    result = studio.ok("import", str(make_image()), "--license", "pil-commercial-remix", "--rev-share", value, "--json")
    assert round(json.loads(result.stdout)["rev_share"] * 1_000_000) == units
