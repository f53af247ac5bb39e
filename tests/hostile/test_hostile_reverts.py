"""Hostile revert data from a node: the data a reverted call returns is the node's word, not the contract's. Each
case still becomes one printable, bounded line that names the error where its selector is known, and never raises
anything but the chain client's own error."""

from __future__ import annotations

import pytest
from eth_abi import encode

from studio.story.chain import ChainClient
from studio.story.error_table import CustomError
from studio.story.errors import ChainReverted
from studio.story.networks import NETWORKS
from tests.helpers.hostile_library import DEAD_RPC

STRING_TOO_LONG = CustomError("StringTooLong(string)")
ORG_DEPLOYED = CustomError("OrgStoryNFTFactory__OrgAlreadyDeployed(string,address)")
BAD_SIGNATURE = CustomError("OrgStoryNFTFactory__InvalidSignature(bytes)")
GRAPH_FAILED = CustomError("LicenseRegistry__AddParentIpToIPGraphFailed(address,address[])")
TOO_MANY_PARENTS = CustomError("LicenseRegistry__TooManyParents(address,uint256,uint256)")
EVIL_TEXT = "ok\nSECOND LINE\r\x1b[2J\x1b[31mred\u202eevil\u200b\x00" * 500
ADDRESS = "0x" + "12" * 20


def _data(error: CustomError, args: list) -> str:
    return error.selector + encode(error.types, args).hex()


CORPUS: list[tuple[str, str, str | None]] = [
    ("control characters and a huge string", _data(STRING_TOO_LONG, [EVIL_TEXT]), "StringTooLong"),
    ("a huge string beside an address", _data(ORG_DEPLOYED, [EVIL_TEXT * 4, ADDRESS]),
     "OrgStoryNFTFactory__OrgAlreadyDeployed"),
    ("100 KB of bytes", _data(BAD_SIGNATURE, [b"\xff" * 100_000]), "OrgStoryNFTFactory__InvalidSignature"),
    ("an array of 5000 addresses", _data(GRAPH_FAILED, [ADDRESS, [ADDRESS] * 5000]),
     "LicenseRegistry__AddParentIpToIPGraphFailed"),
    ("arguments cut short", _data(TOO_MANY_PARENTS, [ADDRESS, 17, 16])[:60], "LicenseRegistry__TooManyParents"),
    ("arguments with trailing garbage", _data(TOO_MANY_PARENTS, [ADDRESS, 17, 16]) + "ff" * 7,
     "LicenseRegistry__TooManyParents"),
    ("a string offset pointing past the end", STRING_TOO_LONG.selector + f"{2**64:064x}" + "00" * 32,
     "StringTooLong"),
    ("a string length far past the end", STRING_TOO_LONG.selector + f"{32:064x}" + f"{2**200:064x}",
     "StringTooLong"),
    ("text that is not hex", TOO_MANY_PARENTS.selector + "zz" * 40, "LicenseRegistry__TooManyParents"),
    ("an odd number of hex digits", TOO_MANY_PARENTS.selector + "123", "LicenseRegistry__TooManyParents"),
    ("a selector in capitals", TOO_MANY_PARENTS.selector.upper().replace("0X", "0x"),
     "LicenseRegistry__TooManyParents"),
    ("a selector nobody declares", "0xdeadbeef" + "00" * 64, None),
    ("control characters instead of a selector", "0x\n\x1b[2J\u202e" + "00" * 64, None),
    ("an address that is not one", TOO_MANY_PARENTS.selector + "ff" * 32 + f"{17:064x}" + f"{16:064x}",
     "LicenseRegistry__TooManyParents"),
]


@pytest.mark.parametrize(("case", "data", "name"), CORPUS, ids=[case for case, _, _ in CORPUS])
def test_hostile_revert_data_becomes_one_bounded_line(case: str, data: str, name: str | None) -> None:
    client = ChainClient(NETWORKS["devnet"], DEAD_RPC)
    try:
        error = client._decoded(data, "registering the remix")
    finally:
        client.close()
    assert isinstance(error, ChainReverted)
    line = str(error)
    assert line.isprintable(), case
    assert len(line) < 1500, (case, len(line))
    assert error.error_name == name
    if name:
        assert f"[{name}" in line and error.hint
    else:
        assert "no Story contract declares (" in line
