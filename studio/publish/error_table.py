"""Every custom error Story's contracts can revert with, by selector, and what it means to someone publishing.

The table is built from the ABIs the installed Story SDK ships (the contracts the app calls), the devnet's own
artifacts, and the common errors of the libraries Story's contracts are built on (OpenZeppelin, solady), so a
revert is always named. Frequent errors have a hand-written explanation, some with a hint computed from the
error's arguments; every other one gets a generic explanation made from its name.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak

from studio.core.types import HUNDRED_PERCENT

# Errors of OpenZeppelin 5 and solady that Story's contracts (and the ERC-20s they move) revert with; the SDK's
# ABIs list only some of them.
LIBRARY_ERRORS: tuple[str, ...] = (
    # OpenZeppelin ERC-20 / ERC-721 / ERC-1155 (IERC6093)
    "ERC20InsufficientBalance(address,uint256,uint256)",
    "ERC20InvalidSender(address)",
    "ERC20InvalidReceiver(address)",
    "ERC20InsufficientAllowance(address,uint256,uint256)",
    "ERC20InvalidApprover(address)",
    "ERC20InvalidSpender(address)",
    "ERC721InvalidOwner(address)",
    "ERC721NonexistentToken(uint256)",
    "ERC721IncorrectOwner(address,uint256,address)",
    "ERC721InvalidSender(address)",
    "ERC721InvalidReceiver(address)",
    "ERC721InsufficientApproval(address,uint256)",
    "ERC721InvalidApprover(address)",
    "ERC721InvalidOperator(address)",
    "ERC1155InsufficientBalance(address,uint256,uint256,uint256)",
    "ERC1155MissingApprovalForAll(address,address)",
    # OpenZeppelin utilities, access and proxies
    "SafeERC20FailedOperation(address)",
    "SafeERC20FailedDecreaseAllowance(address,uint256,uint256)",
    "AddressEmptyCode(address)",
    "AddressInsufficientBalance(address)",
    "FailedInnerCall()",
    "FailedCall()",
    "InsufficientBalance(uint256,uint256)",
    "ReentrancyGuardReentrantCall()",
    "EnforcedPause()",
    "ExpectedPause()",
    "InvalidInitialization()",
    "NotInitializing()",
    "OwnableUnauthorizedAccount(address)",
    "OwnableInvalidOwner(address)",
    "AccessControlUnauthorizedAccount(address,bytes32)",
    "AccessControlBadConfirmation()",
    "AccessManagedUnauthorized(address)",
    "AccessManagedRequiredDelay(address,uint32)",
    "AccessManagedInvalidAuthority(address)",
    "ERC1967InvalidImplementation(address)",
    "ERC1967InvalidAdmin(address)",
    "ERC1967InvalidBeacon(address)",
    "ERC1967NonPayable()",
    "UUPSUnauthorizedCallContext()",
    "UUPSUnsupportedProxiableUUID(bytes32)",
    "ECDSAInvalidSignature()",
    "ECDSAInvalidSignatureLength(uint256)",
    "ECDSAInvalidSignatureS(bytes32)",
    "ERC2612ExpiredSignature(uint256)",
    "ERC2612InvalidSigner(address,address)",
    "InvalidAccountNonce(address,uint256)",
    "MathOverflowedMulDiv()",
    "SafeCastOverflowedUintDowncast(uint8,uint256)",
    "StringsInsufficientHexLength(uint256,uint256)",
    "StringTooLong(string)",
    "InvalidShortString()",
    "Create2EmptyBytecode()",
    "Create2FailedDeployment()",
    "Create2InsufficientBalance(uint256,uint256)",
    "ERC20ExceededCap(uint256,uint256)",
    # solady ERC-20 (the WIP token) and SafeTransferLib
    "TotalSupplyOverflow()",
    "AllowanceOverflow()",
    "AllowanceUnderflow()",
    "InsufficientBalance()",
    "InsufficientAllowance()",
    "InvalidPermit()",
    "PermitExpired()",
    "Permit2AllowanceIsFixedAtInfinity()",
    "ETHTransferFailed()",
    "TransferFromFailed()",
    "TransferFailed()",
    "ApproveFailed()",
    "Permit2Failed()",
    "Permit2AmountOverflow()",
    "Unauthorized()",
    "NewOwnerIsZeroAddress()",
    "NoHandoverRequest()",
    "AlreadyInitialized()",
    "Reentrancy()",
)

Hint = Callable[[Mapping[str, object]], str]


def _pct(value: object) -> str:
    return f"{int(value) * 100 / HUNDRED_PERCENT:g}%"  # type: ignore[call-overload]


def _arg(args: Mapping[str, object], *names: str) -> object:
    return next(args[n] for n in names if n in args)


def _whole_percent_up(value: object) -> int:
    return -(-int(value) // (HUNDRED_PERCENT // 100))  # type: ignore[call-overload]


# Hand-written explanations of the errors a publisher meets; a callable gets the error's named arguments.
EXPLANATIONS: dict[str, str | Hint] = {
    "LicenseRegistry__DerivativeAlreadyRegistered": "this work is already linked to parents on Story",
    "LicenseRegistry__DerivativeIpAlreadyHasLicense": "a work with its own license terms cannot become a remix",
    "LicenseRegistry__DerivativeIpAlreadyHasChild": "a work that already has remixes cannot be linked to parents",
    "LicenseRegistry__ParentIpHasNoLicenseTerms": "a parent does not offer the license terms the remix asks for",
    "LicenseRegistry__LicensorIpHasNoLicenseTerms": lambda a: (
        f"parent {a.get('ipId', '')} does not offer license terms {a.get('licenseTermsId', '')}; link it with "
        "terms it has attached"
    ),
    "LicenseRegistry__ParentIpExpired": "a parent's license has expired",
    "LicenseRegistry__DuplicateParentIp": "the same parent is listed twice",
    "LicenseRegistry__TooManyParents": "a remix may have at most 16 parents",
    "LicenseRegistry__TooManyAncestors": "the remix would have more than 1024 ancestors",
    "LicenseRegistry__ParentIpNotRegistered": "a parent is not registered on Story",
    "LicenseRegistry__ParentIpUnmatchedLicenseTemplate": "a parent uses another license template",
    "LicenseRegistry__IpExpired": "the work's license has expired",
    "LicensingModule__LicenseNotCompatibleForDerivative": (
        "the parents' license terms do not allow this remix (no remixes allowed, a non-reciprocal parent that is "
        "itself a remix, commercial and non-commercial parents mixed, or different reciprocal terms)"
    ),
    "LicensingModule__RoyaltyPolicyMismatch": "the parents use different royalty policies",
    "LicensingModule__ExceedMaxRevenueShare": lambda a: (
        "the parents ask for a larger revenue share than you confirmed"
        + (f" ({_pct(_arg(a, 'revenueShare', 'allocatedRevenueShare'))} against {_pct(a['maxRevenueShare'])}); "
           f"raise --max-rev-share to at least {_whole_percent_up(_arg(a, 'revenueShare', 'allocatedRevenueShare'))}"
           if a else "")
    ),
    "LicenseToken__CommercialRevenueShareExceedMaxRevenueShare": lambda a: (
        "the license asks for a larger revenue share than you confirmed"
        + (f"; raise --max-rev-share to at least {_whole_percent_up(a['commercialRevenueShare'])}"
           if "commercialRevenueShare" in a else "")
    ),
    "LicensingModule__MintingFeeExceedMaxMintingFee": "the parents charge more in minting fees than you confirmed",
    "LicensingModule__DerivativesCannotAddLicenseTerms": "a remix carries its parents' terms and cannot add others",
    "LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent": (
        "a remix may raise the share its own remixes pay, never lower it, and only under commercial terms"
    ),
    "LicensingModule__LicenseDenyMintLicenseToken": "the parent's terms do not allow licenses to be minted",
    "LicensingModule__LicenseDisabled": "the parent's owner disabled these license terms",
    "LicensingModule__DisputedIpId": "the work is disputed on Story",
    "RoyaltyModule__AboveMaxPercent": "the remix would owe more than 100% of its revenue to its ancestors",
    "RoyaltyPolicyLAP__AboveMaxPercent": "the parent's royalty stack plus this share would exceed 100%",
    "RoyaltyPolicyLRP__AboveMaxPercent": "the parent's royalty stack plus this share would exceed 100%",
    "RoyaltyModule__NotWhitelistedRoyaltyToken": "the currency is not a whitelisted revenue token",
    "RoyaltyModule__ReceiverIsNotRegistered": "the work to pay is not registered on Story",
    "RoyaltyModule__IpExpired": "the work's license has expired, so it cannot be paid",
    "RoyaltyModule__PaymentAmountIsTooLow": "the payment is too small for the treasury fee",
    "RoyaltyModule__ZeroAmount": "the amount is zero",
    "RoyaltyPolicyLAP__ZeroClaimableRoyalty": "there is nothing to move to the ancestor's vault",
    "RoyaltyPolicyLRP__ZeroClaimableRoyalty": "there is nothing to move to the ancestor's vault",
    "IpRoyaltyVault__NoClaimableTokens": "there is no revenue to claim",
    "ERC20InsufficientAllowance": "the workflow was not approved to take the fee in WIP",
    "ERC20InsufficientBalance": "the wallet holds too little WIP for the fee or payment",
    "InsufficientAllowance": "the contract was not approved to take that much WIP; approve it, then try again",
    "InsufficientBalance": "the wallet holds too little WIP (or IP) for this payment",
    "SPGNFT__MintingDenied": "the wallet may not mint in this collection",
    "SPGNFT__MintingClosed": "the collection is closed for minting",
    "SPGNFT__DuplicatedNFTMetadataHash": "this metadata was already minted in the collection",
    "PILicenseTemplate__CurrencyTokenNotWhitelisted": "the terms' currency is not a whitelisted revenue token",
    "PILicenseTemplate__RoyaltyPolicyNotWhitelisted": "the terms' royalty policy is not whitelisted",
    "PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired": "commercial terms need a royalty policy",
    "AccessController__PermissionDenied": "the wallet does not own this IP asset",
    "WIP__ZeroAmount": "the amount is zero",
    "EnforcedPause": "Story's protocol is paused; try again later",
    "InvalidInitialization": "the contract is already initialised",
}

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+")


@dataclass(frozen=True)
class CustomError:
    """One custom error: its signature and argument names (empty where only the signature is known)."""

    signature: str
    arg_names: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.signature.split("(", 1)[0]

    @property
    def types(self) -> list[str]:
        return split_types(self.signature[self.signature.index("(") + 1 : -1])

    @property
    def selector(self) -> str:
        return selector(self.signature)


@dataclass(frozen=True)
class DecodedError:
    error: CustomError
    args: tuple[object, ...]

    @property
    def name(self) -> str:
        return self.error.name

    @property
    def named_args(self) -> dict[str, object]:
        return {n: v for n, v in zip(self.error.arg_names, self.args, strict=False) if n}

    def shown(self) -> str:
        return f"{self.name}({', '.join(_show(a) for a in self.args)})" if self.args else self.name

    def explanation(self) -> str:
        return explain(self.name, self.named_args)


def selector(signature: str) -> str:
    return "0x" + keccak(text=signature)[:4].hex()


def split_types(types: str) -> list[str]:
    if not types:
        return []
    out, depth, current = [], 0, ""
    for ch in types:
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    out.append(current)
    return out


def explain(name: str, args: Mapping[str, object] | None = None) -> str:
    """What the error means; a generic sentence made from the name where nothing was written for it."""
    known = EXPLANATIONS.get(name)
    if callable(known):
        try:
            return known(args or {})
        except (KeyError, TypeError, ValueError):
            pass
    elif known:
        return known
    contract, _, cause = name.rpartition("__")
    words = " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in _WORDS.findall(cause or name))
    return f"{contract} refused it: {words}" if contract else f"the contract refused it: {words}"


def _abi_type(param: Mapping) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in param["components"]) + ")" + kind[5:]
    return kind


def errors_in_abi(abi: Iterable[Mapping]) -> list[CustomError]:
    return [
        CustomError(
            f"{item['name']}({','.join(_abi_type(p) for p in item['inputs'])})",
            tuple(str(p.get("name", "")) for p in item["inputs"]),
        )
        for item in abi if item.get("type") == "error"
    ]


def errors_in_artifacts(artifacts: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(signature, argument names) of every error the compiled contracts declare, each signature once."""
    found: dict[str, tuple[str, ...]] = {}
    for contract in artifacts.contracts.values():
        for error in errors_in_abi(contract.abi):
            found.setdefault(error.signature, error.arg_names)
    return tuple(sorted(found.items()))


def sdk_abi_dir() -> Path | None:
    """The ABI folder of the installed Story SDK, found without importing it (its import pulls in web3)."""
    spec = importlib.util.find_spec("story_protocol_python_sdk")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "abi" / "jsons"
    return folder if folder.is_dir() else None


def sdk_errors() -> list[CustomError]:
    folder = sdk_abi_dir()
    found: list[CustomError] = []
    for path in sorted(folder.glob("*.json")) if folder else ():
        try:
            abi = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(abi, list):
            found.extend(errors_in_abi(abi))
    return found


class ErrorTable:
    """Selector -> custom error. Sources added later do not replace a signature already known by name."""

    def __init__(self, errors: Iterable[CustomError] = ()) -> None:
        self._by_selector: dict[str, CustomError] = {}
        self.add(errors)

    def add(self, errors: Iterable[CustomError]) -> None:
        for error in errors:
            known = self._by_selector.get(error.selector)
            if known is None or (not any(known.arg_names) and any(error.arg_names)):
                self._by_selector[error.selector] = error

    def __len__(self) -> int:
        return len(self._by_selector)

    def lookup(self, revert_data: str) -> CustomError | None:
        return self._by_selector.get(revert_data[:10].lower()) if revert_data else None

    def decode(self, revert_data: str) -> DecodedError | None:
        error = self.lookup(revert_data)
        if error is None:
            return None
        try:
            args = tuple(abi_decode(error.types, bytes.fromhex(revert_data[10:]))) if error.types else ()
        except Exception:  # the arguments are a courtesy; the name is what matters
            args = ()
        return DecodedError(error, args)


@cache
def story_errors(devnet_signatures: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> ErrorTable:
    """The table the app decodes reverts with: the SDK's ABIs first (Story's own argument names), then the
    devnet's contracts, then the libraries'."""
    table = ErrorTable(sdk_errors())
    table.add(CustomError(sig, names) for sig, names in devnet_signatures)
    table.add(CustomError(sig) for sig in LIBRARY_ERRORS)
    return table


def _show(value: object) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)
