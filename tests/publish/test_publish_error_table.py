"""Every custom error Story's contracts can raise is named, shown with its arguments and explained, with a line that
says what to do: the errors of every ABI the Story SDK ships, every error declared in Story's contracts v1.3.2 and
the libraries they are built with (the committed list), the devnet's, and other library versions'."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
from eth_abi import encode
from eth_abi.tools import get_abi_strategy
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.story.chain import ChainClient
from studio.story.error_table import (
    DECLARED_ERRORS_FILE,
    LIBRARY_ERRORS,
    CustomError,
    ErrorTable,
    advice_rule,
    declared_errors,
    errors_in_abi,
    explain,
    sdk_abi_dir,
    selector,
    story_errors,
    what_to_do,
)
from studio.story.errors import ChainReverted
from studio.story.networks import NETWORKS

PCT = 1_000_000
ELEMENTARY = re.compile(r"^(address|bool|string|bytes([1-9]|[12][0-9]|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96"
                        r"|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256))$")


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


def _revert_data(error: CustomError, args: list | tuple | None = None) -> str:
    return error.selector + encode(error.types, [_sample(t) for t in error.types] if args is None else args).hex()


def _sdk_errors() -> list[CustomError]:
    folder = sdk_abi_dir()
    assert folder is not None, "the Story SDK is installed with its ABIs"
    abis = [json.loads(path.read_text()) for path in sorted(folder.glob("*.json"))]
    found = {e.signature: e for abi in abis for e in errors_in_abi(abi)}
    return list(found.values())


@cache
def _table() -> ErrorTable:
    client = ChainClient(NETWORKS["devnet"], "http://127.0.0.1:9")
    try:
        return client.errors
    finally:
        client.close()


def _line(data: str, what: str = "registering the remix") -> str:
    """The one line the studio shows for a revert with this data, as the chain client raises it."""
    client = ChainClient(NETWORKS["devnet"], "http://127.0.0.1:9")
    try:
        error = client._decoded(data, what)
    finally:
        client.close()
    assert isinstance(error, ChainReverted)
    return str(error)


def _assert_decodes(table: ErrorTable, error: CustomError) -> None:
    decoded = table.decode(_revert_data(error))
    assert decoded is not None, error.signature
    assert decoded.error.signature == error.signature, (decoded.error.signature, error.signature)
    assert len(decoded.args) == len(error.types), error.signature
    assert decoded.explanation() and decoded.shown().startswith(error.name)
    assert advice_rule(error.name) is not None, f"no written or shared advice for {error.name}"
    assert decoded.advice() and "\n" not in decoded.advice()


def test_every_error_of_the_sdks_abis_decodes_with_its_arguments_and_advice() -> None:
    errors = _sdk_errors()
    assert len(errors) > 300
    table = _table()
    for error in errors:
        _assert_decodes(table, error)


def test_every_error_declared_in_story_v1_3_2_and_its_libraries_decodes_with_advice() -> None:
    errors = declared_errors()
    table = _table()
    for error in errors:
        _assert_decodes(table, error)
        if error.types:  # Story's own names; OpenZeppelin leaves MissingPrecompile's one argument unnamed
            assert len(error.arg_names) == len(error.types), error.signature
            assert all(error.arg_names) or error.name == "MissingPrecompile", error.signature


def test_the_declared_list_is_canonical_and_says_where_it_comes_from() -> None:
    text = DECLARED_ERRORS_FILE.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    for fact in ("protocol-core-v1", "protocol-periphery-v1", "v1.3.2", "51617212363d8c428538fc32e7a1156504faec4e",
                 "ef97b5804d8ef2df43d7d5cdc23ae15c20c5c899", "@openzeppelin/contracts@5.2.0", "solady@0.0.285",
                 "erc6551@0.3.1"):
        assert any(fact in line for line in header), fact
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert all(len(row) == 5 for row in rows)
    signatures = [row[1] for row in rows]
    assert len(signatures) == len(set(signatures)) == len(declared_errors()) > 440
    for sel, signature, _names, raised, source in rows:
        assert sel == "0x" + keccak(text=signature)[:4].hex(), signature
        assert raised in {"yes", "no"} and "@" in source and ":" in source
        for kind in CustomError(signature).types:
            base = re.sub(r"(\[\d*\])+$", "", kind)
            assert ELEMENTARY.match(base) or base.startswith("("), f"{signature}: {kind} is not an ABI type"
    assert set(LIBRARY_ERRORS).isdisjoint(signatures), "library errors are listed once"


REACHABLE = {
    "LicenseRegistry__TooManyParents(address,uint256,uint256)": ("ipId", "parents", "maxParents"),
    "LicensingModule__IncompatibleRoyaltyPolicy(address,address)": ("royaltyPolicy", "anotherRoyaltyPolicy"),
    "PILicenseTemplate__MintingFeeRequiresCurrencyToken()": (),
    "PILicenseTemplate__CommercializerCheckerNotRegistered(address)": ("commercializerChecker",),
    "LicenseToken__NotLicenseTokenOwner(uint256,address,address)": ("tokenId", "ipOwner", "tokenOwner"),
    "SPGNFT__CallerNotOwner(uint256,address,address)": ("tokenId", "caller", "owner"),
    "GroupingModule__GroupRoyaltyVaultNotCreated(address)": ("groupId",),
    "RegistrationWorkflows__CallerNotSigner(address,address)": ("caller", "signer"),
    "LicenseAttachmentWorkflows__CallerNotSigner(address,address)": ("caller", "signer"),
    "DerivativeWorkflows__CallerNotSigner(address,address)": ("caller", "signer"),
}


def test_the_errors_of_the_publish_and_group_paths_are_declared_as_story_declares_them() -> None:
    declared = {e.signature: e.arg_names for e in declared_errors()}
    for signature, names in REACHABLE.items():
        assert declared.get(signature) == names, signature
    assert "GroupingWorkflows__CallerNotSigner(address,address)" in declared


ALICE = "0x" + "ab" * 20
BOB = "0x" + "cd" * 20


@pytest.mark.parametrize(
    ("signature", "args", "expected"),
    [
        ("LicenseRegistry__TooManyParents(address,uint256,uint256)", [ALICE, 17, 16],
         ["parents=17", "maxParents=16", "link at most 16 parents (this remix lists 17)"]),
        ("LicensingModule__IncompatibleRoyaltyPolicy(address,address)", [ALICE, BOB],
         ["cannot be combined", "same royalty policy", to_checksum_address(BOB)]),
        ("PILicenseTemplate__MintingFeeRequiresCurrencyToken()", [],
         ["need a currency", "currency to WIP, or set --minting-fee 0"]),
        ("PILicenseTemplate__CommercializerCheckerNotRegistered(address)", [ALICE],
         [f"commercializerChecker={to_checksum_address(ALICE)}", "commercializer checker empty"]),
        ("LicenseToken__NotLicenseTokenOwner(uint256,address,address)", [42, ALICE, BOB],
         ["tokenId=42", f"token 42 is held by {to_checksum_address(BOB)}", "--wallet"]),
        ("SPGNFT__CallerNotOwner(uint256,address,address)", [5, ALICE, BOB],
         [f"token 5 is owned by {to_checksum_address(BOB)}", "--wallet"]),
        ("GroupingModule__GroupRoyaltyVaultNotCreated(address)", [ALICE],
         ["no royalty vault yet", "publish a model or a remix of the group"]),
        ("RegistrationWorkflows__CallerNotSigner(address,address)", [ALICE, BOB],
         ["signed by another wallet", f"sent by {to_checksum_address(ALICE)}, signed by {to_checksum_address(BOB)}"]),
        ("LicenseAttachmentWorkflows__CallerNotSigner(address,address)", [ALICE, BOB],
         ["publish again with one wallet"]),
        ("DerivativeWorkflows__CallerNotSigner(address,address)", [ALICE, BOB], ["publish again with one wallet"]),
        ("GroupingWorkflows__CallerNotSigner(address,address)", [ALICE, BOB], ["publish again with one wallet"]),
        ("LicensingModule__ExceedMaxRevenueShare(address,address,uint256,uint32,uint32)",
         [ALICE, BOB, 2, 18_500_000, 10 * PCT],
         ["revenueShare=18.5%", "maxRevenueShare=10%", "(18.5% against 10%)", "raise --max-rev-share to at least 19"]),
    ],
)
def test_a_publish_or_group_revert_is_one_line_with_its_arguments_and_what_to_do(signature, args, expected) -> None:
    error = CustomError(signature)
    line = _line(_revert_data(error, args))
    assert "\n" not in line and line.startswith("registering the remix reverted: ")
    assert f"[{error.name}" in line
    for text in expected:
        assert text in line, (text, line)


def test_addresses_are_checksummed_and_ids_and_amounts_shown_as_numbers() -> None:
    data = _revert_data(CustomError("ERC20InsufficientBalance(address,uint256,uint256)"), [ALICE, 5, 9])
    decoded = _table().decode(data)
    assert decoded is not None
    assert decoded.shown() == f"ERC20InsufficientBalance(sender={to_checksum_address(ALICE)}, balance=5, needed=9)"


def test_a_shared_selector_is_decoded_by_the_arguments_the_data_encodes() -> None:
    """transfer(address,uint256) and many_msg_babbage(bytes1) share 0xa9059cbb."""
    first, second = CustomError("transfer(address,uint256)"), CustomError("many_msg_babbage(bytes1)")
    assert first.selector == second.selector
    table = ErrorTable([first, second])
    assert list(table.collisions()) == [first.selector]
    assert table.decode(_revert_data(first, [ALICE, 3])).name == "transfer"
    assert table.decode(_revert_data(second, [b"\x01"])).name == "many_msg_babbage"


def test_no_selector_of_storys_errors_is_shared() -> None:
    assert _table().collisions() == {}


_ALL_ERRORS = sorted({e.signature: e for e in [*declared_errors(), *_sdk_errors()]}.values(),
                     key=lambda e: e.signature)


@st.composite
def _error_with_args(draw):
    error = draw(st.sampled_from(_ALL_ERRORS))
    args = draw(get_abi_strategy(f"({','.join(error.types)})")) if error.types else ()
    return error, args


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_error_with_args())
def test_any_error_with_any_arguments_round_trips(case) -> None:
    error, args = case
    decoded = _table().decode(error.selector + encode(error.types, list(args)).hex())
    assert decoded is not None and decoded.error.signature == error.signature
    assert encode(error.types, list(decoded.args)) == encode(error.types, list(args))
    line = f"{decoded.explanation()} [{decoded.shown()}] ({decoded.advice()})"
    assert decoded.name in line and line.isprintable()
    for value, kind in zip(args, error.types, strict=True):
        if kind == "address":
            assert to_checksum_address(value) in line


def test_every_error_with_its_selector_alone_is_still_named() -> None:
    """Data cut short by a node still names the error; the arguments are left out rather than guessed."""
    table = _table()
    for error in declared_errors():
        decoded = table.decode(error.selector)
        assert decoded is not None and decoded.name == error.name
        assert decoded.args == () and decoded.advice() and decoded.explanation()


def test_library_errors_are_named() -> None:
    table = _table()
    for signature in LIBRARY_ERRORS:
        assert table.lookup(selector(signature)) is not None, signature
        assert advice_rule(signature.split("(")[0]) is not None, signature
    assert selector("InsufficientAllowance()") == "0x13be252b"
    decoded = table.decode("0x13be252b")
    assert decoded is not None and decoded.name == "InsufficientAllowance"
    assert "approve" in decoded.advice()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GroupingModule__GroupIPHasNoLicenseTerms", "GroupingModule refused it: group IP has no license terms"),
        ("Unheard", "the contract refused it: unheard"),
    ],
)
def test_errors_without_a_written_explanation_are_explained_from_their_name(name: str, expected: str) -> None:
    assert explain(name) == expected


def test_an_unknown_error_still_gets_a_line_to_act_on() -> None:
    assert advice_rule("Unheard") is None
    assert "report it" in what_to_do("Unheard")


def test_an_unknown_selector_is_not_guessed() -> None:
    assert story_errors().lookup("0xdeadbeef") is None
