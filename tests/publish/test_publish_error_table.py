"""Every custom error Story's contracts can raise is named and explained: the errors of every ABI the Story
SDK ships, the devnet's, and the OpenZeppelin and solady errors Story's contracts are built with."""

from __future__ import annotations

import json

import pytest
from eth_abi import encode

from studio.publish.chain import ChainClient
from studio.publish.error_table import (
    LIBRARY_ERRORS,
    CustomError,
    errors_in_abi,
    explain,
    sdk_abi_dir,
    selector,
    story_errors,
)
from studio.publish.networks import NETWORKS

PCT = 1_000_000


def _sample(kind: str) -> object:
    if kind.endswith("]"):
        return []
    if kind.startswith("("):
        return tuple(_sample(t) for t in CustomError(f"x{kind}").types)
    if kind == "address":
        return "0x" + "11" * 20
    if kind == "bool":
        return True
    if kind == "string":
        return "text"
    if kind == "bytes":
        return b"\x01\x02"
    if kind.startswith("bytes"):
        return b"\x07" * int(kind[5:])
    return 7


def _revert_data(error: CustomError) -> str:
    args = [_sample(t) for t in error.types]
    return error.selector + encode(error.types, args).hex()


def _sdk_errors() -> list[CustomError]:
    folder = sdk_abi_dir()
    assert folder is not None, "the Story SDK is installed with its ABIs"
    abis = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
    found = {e.signature: e for abi in abis for e in errors_in_abi(abi)}
    return list(found.values())


def _table():
    client = ChainClient(NETWORKS["devnet"], "http://127.0.0.1:9")
    try:
        return client.errors
    finally:
        client.close()


def test_every_error_of_the_sdks_abis_decodes_with_its_arguments() -> None:
    errors = _sdk_errors()
    assert len(errors) > 300
    table = _table()
    for error in errors:
        decoded = table.decode(_revert_data(error))
        assert decoded is not None, error.signature
        assert decoded.name == error.name and len(decoded.args) == len(error.types), error.signature
        assert decoded.explanation() and decoded.shown().startswith(error.name)


def test_library_errors_are_named() -> None:
    table = _table()
    for signature in LIBRARY_ERRORS:
        assert table.lookup(selector(signature)) is not None, signature
    assert selector("InsufficientAllowance()") == "0x13be252b"
    decoded = table.decode("0x13be252b")
    assert decoded is not None and decoded.name == "InsufficientAllowance"
    assert "approve" in decoded.explanation()
    data = selector("ERC20InsufficientAllowance(address,uint256,uint256)") + encode(
        ["address", "uint256", "uint256"], ["0x" + "22" * 20, 5, 9]).hex()
    assert table.decode(data).args == ("0x" + "22" * 20, 5, 9)


def test_a_too_low_max_rev_share_says_how_high_to_go() -> None:
    signature = "LicensingModule__ExceedMaxRevenueShare(address,address,uint256,uint32,uint32)"
    assert selector(signature) == "0xa514e447"
    data = selector(signature) + encode(
        ["address", "address", "uint256", "uint32", "uint32"],
        ["0x" + "33" * 20, "0x" + "44" * 20, 2, 18_500_000, 10 * PCT],
    ).hex()
    decoded = _table().decode(data)
    assert decoded is not None and decoded.name == "LicensingModule__ExceedMaxRevenueShare"
    assert decoded.named_args["revenueShare"] == 18_500_000
    assert "raise --max-rev-share to at least 19" in decoded.explanation()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GroupingModule__GroupIPHasNoLicenseTerms", "GroupingModule refused it: group IP has no license terms"),
        ("Unheard", "the contract refused it: unheard"),
    ],
)
def test_errors_without_a_written_explanation_are_explained_from_their_name(name: str, expected: str) -> None:
    assert explain(name) == expected


def test_an_unknown_selector_is_not_guessed() -> None:
    assert story_errors().lookup("0xdeadbeef") is None
