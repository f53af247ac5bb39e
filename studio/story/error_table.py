"""Every custom error Story's contracts can revert with, by selector: its name, its arguments, what it means to
someone publishing and what to do about it.

The table is built from the ABIs the installed Story SDK ships (the contracts the app calls, with their argument
names), the list of every error declared in Story's contracts v1.3.2 and the libraries they are built with
(story_errors_v1_3_2.txt, read from Story's repositories and the npm packages of OpenZeppelin, solady and
erc6551), the devnet's own artifacts, and a few errors of other versions of those libraries, so a revert is always
named. Frequent errors have a hand-written explanation, some computed from the error's arguments; every other one
gets an explanation made from its name. Every error has a line that says what to do: written for the errors a
publisher meets, shared by kind (deployment checks, admin-only calls, token balances, signatures...) for the rest.

Its length is the table itself: the explanations and advice are data, one entry per error a publisher meets, kept
next to the decoding that uses them so that an error's selector, meaning and advice are read in one place.
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
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from studio.core.types import HUNDRED_PERCENT

# Every error declared in Story's contracts v1.3.2 and the libraries they import, with Story's argument names.
DECLARED_ERRORS_FILE = Path(__file__).with_name("story_errors_v1_3_2.txt")

# Errors of other versions of OpenZeppelin and solady that the ERC-20s Story moves (and older deployments) may
# revert with; the declared list holds the versions Story v1.3.2 is built with.
LIBRARY_ERRORS: tuple[str, ...] = (
    # OpenZeppelin 5.0 / 5.1 (Address, Math, Create2, ERC20Permit, Nonces)
    "AddressInsufficientBalance(address)",
    "FailedInnerCall()",
    "MathOverflowedMulDiv()",
    "Create2EmptyBytecode()",
    "Create2FailedDeployment()",
    "Create2InsufficientBalance(uint256,uint256)",
    "ERC2612ExpiredSignature(uint256)",
    "ERC2612InvalidSigner(address,address)",
    "InvalidAccountNonce(address,uint256)",
    # solady SafeTransferLib, Ownable, Initializable, ReentrancyGuard
    "ETHTransferFailed()",
    "TransferFromFailed()",
    "TransferFailed()",
    "ApproveFailed()",
    "Permit2Failed()",
    "Permit2AmountOverflow()",
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


def _first(args: Mapping[str, object], *names: str) -> object:
    return next((args[n] for n in names if n in args), None)


def _address(value: object) -> str:
    return to_checksum_address(str(value))


def _whole_percent_up(value: object) -> int:
    return -(-int(value) // (HUNDRED_PERCENT // 100))  # type: ignore[call-overload]


# Hand-written explanations of the errors a publisher meets; a callable gets the error's named arguments.
EXPLANATIONS: dict[str, str | Hint] = {
    "LicenseRegistry__DerivativeAlreadyRegistered": "this work is already linked to parents on Story",
    "LicenseRegistry__DerivativeIpAlreadyHasLicense": "a work with its own license terms cannot become a remix",
    "LicenseRegistry__DerivativeIpAlreadyHasChild": "a work that already has remixes cannot be linked to parents",
    "LicenseRegistry__ParentIpHasNoLicenseTerms": "a parent does not offer the license terms the remix asks for",
    "LicenseRegistry__LicensorIpHasNoLicenseTerms": lambda a: (
        f"parent {_address(a['ipId'])} does not offer license terms {a['licenseTermsId']}"
        if {"ipId", "licenseTermsId"} <= set(a) else "a parent does not offer the license terms the remix asks for"
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
        + (f" ({_pct(_arg(a, 'revenueShare', 'allocatedRevenueShare'))} against {_pct(a['maxRevenueShare'])})"
           if a else "")
    ),
    "LicenseToken__CommercialRevenueShareExceedMaxRevenueShare": lambda a: (
        "the license asks for a larger revenue share than you confirmed"
        + (f" ({_pct(a['commercialRevenueShare'])} against {_pct(a['maxRevenueShare'])})"
           if {"commercialRevenueShare", "maxRevenueShare"} <= set(a) else "")
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
    "InsufficientAllowance": "the contract was not approved to take that much WIP",
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
    "LicensingModule__IncompatibleRoyaltyPolicy": "the parents' terms use royalty policies that cannot be combined",
    "PILicenseTemplate__MintingFeeRequiresCurrencyToken": "license terms with a minting fee need a currency",
    "PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy": "license terms with a minting fee need a royalty policy",
    "PILicenseTemplate__CommercializerCheckerNotRegistered": lambda a: (
        f"the terms' commercializer checker {_address(a['commercializerChecker'])} is not a module registered on Story"
        if "commercializerChecker" in a else "the terms' commercializer checker is not a module registered on Story"
    ),
    "LicenseToken__NotLicenseTokenOwner": "the license token belongs to another wallet",
    "SPGNFT__CallerNotOwner": "the wallet does not own this NFT of the collection",
    "GroupingModule__GroupRoyaltyVaultNotCreated": "the group has no royalty vault yet, so it has no revenue to share",
    **{f"{workflow}__CallerNotSigner": "the permission was signed by another wallet than the one sending it"
       for workflow in ("RegistrationWorkflows", "LicenseAttachmentWorkflows", "DerivativeWorkflows",
                        "GroupingWorkflows", "RoyaltyTokenDistributionWorkflows", "Workflow")},
}

_SIGN_WITH_SENDER: Hint = lambda a: (  # noqa: E731 - one rule shared by the workflows
    "publish again with one wallet: the studio signs each permission with the wallet that sends it"
    + (f" (sent by {_address(a['caller'])}, signed by {_address(a['signer'])})" if {"caller", "signer"} <= set(a)
       else "")
)

# What to do about an error, written for the errors a publisher meets; a callable gets the error's named arguments.
ADVICE: dict[str, str | Hint] = {
    # linking a remix to its parents
    "LicenseRegistry__TooManyParents": lambda a: (  # Story names them parents/maxParents, the devnet count/max
        f"link at most {_first(a, 'maxParents', 'max') or 16} parents"
        + (f" (this remix lists {_first(a, 'parents', 'count')})" if _first(a, "parents", "count") else "")
        + ": drop some, or blend some of them into one work, publish it, and remix that"
    ),
    "LicenseRegistry__TooManyAncestors": (
        "choose parents with fewer ancestors in all (at most 1024 together), e.g. remix a recent work less often"
    ),
    "LicensingModule__TooManyAncestorsForMintingLicenseTokenAllowRegisterDerivative": (
        "the parent has too many ancestors to be remixed; choose a parent with a shorter lineage"
    ),
    "LicenseRegistry__DerivativeAlreadyRegistered": "nothing to send again: run `studio publish status` to see it",
    "LicenseRegistry__DerivativeIpAlreadyHasLicense": (
        "publish the remix as a new work: one with license terms of its own cannot be linked to parents"
    ),
    "LicenseRegistry__DerivativeIpAlreadyHasChild": "publish it as a new work; one with remixes cannot gain parents",
    "LicenseRegistry__DerivativeIsParent": "remove the work from its own parents",
    "LicenseRegistry__DuplicateParentIp": "list each parent once",
    "LicenseRegistry__ParentIpHasNoLicenseTerms": (
        "link each parent with license terms it offers: run `studio import-ip` on it to refresh its terms"
    ),
    "LicenseRegistry__LicensorIpHasNoLicenseTerms": (
        "link each parent with license terms it offers: run `studio import-ip` on it to refresh its terms"
    ),
    "LicenseRegistry__ParentIpNotRegistered": (
        "publish the parent first (leave out --no-ancestors), or import it with `studio import-ip`"
    ),
    "LicenseRegistry__ParentIpExpired": "leave the expired parent out of the remix",
    "LicenseRegistry__ParentIpTagged": "leave the disputed parent out of the remix until its dispute is resolved",
    "LicenseRegistry__ParentIpUnmatchedLicenseTemplate": "link parents under Story's PIL terms only",
    "LicenseRegistry__ParentIpIsEmptyGroup": "add members to the group before remixing it",
    "LicenseRegistry__GroupMustBeSoleParent": (
        "link a remix of a group (e.g. a model of a training set) to that group only"
    ),
    "LicenseRegistry__GroupCannotHasParentIp": "a group cannot be a remix; link its members, not the group, to parents",
    "LicenseRegistry__IpExpired": "the work's license has expired; publish it again as a new work",
    "LicensingModule__LicenseNotCompatibleForDerivative": (
        "remix only parents whose terms allow remixes, and do not mix commercial with non-commercial parents; "
        "`studio publish` checks this before sending"
    ),
    "LicensingModule__LicenseTokenNotCompatibleForDerivative": (
        "remix only parents whose terms allow remixes, and do not mix commercial with non-commercial parents"
    ),
    "LicensingModule__RoyaltyPolicyMismatch": (
        "link parents whose terms use the same royalty policy (all LAP or all LRP)"
    ),
    "LicensingModule__IncompatibleRoyaltyPolicy": lambda a: (
        "link parents whose terms use the same royalty policy (all LAP or all LRP)"
        + (f"; these use {_address(a['royaltyPolicy'])} and {_address(a['anotherRoyaltyPolicy'])}"
           if {"royaltyPolicy", "anotherRoyaltyPolicy"} <= set(a) else "")
    ),
    "LicensingModule__ExceedMaxRevenueShare": lambda a: (
        f"raise --max-rev-share to at least {_whole_percent_up(_arg(a, 'revenueShare', 'allocatedRevenueShare'))}"
        " or remix other parents" if a else "raise --max-rev-share, or remix other parents"
    ),
    "LicenseToken__CommercialRevenueShareExceedMaxRevenueShare": lambda a: (
        f"raise --max-rev-share to at least {_whole_percent_up(a['commercialRevenueShare'])}"
        if "commercialRevenueShare" in a else "raise --max-rev-share, or remix other parents"
    ),
    "LicensingModule__MintingFeeExceedMaxMintingFee": "raise --max-fee to the parents' minting fees, or remix others",
    "LicensingModule__DerivativesCannotAddLicenseTerms": (
        "publish the remix without --license: it carries its parents' terms"
    ),
    "LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent": (
        "give the remix a --rev-share at least its parents' share, under commercial terms, or leave it unset"
    ),
    "LicensingModule__LicenseDenyMintLicenseToken": "ask the parent's owner for a license, or remix another work",
    "LicensingModule__LicenseDisabled": "remix another work, or ask the parent's owner to enable its terms again",
    "LicensingModule__DisputedIpId": "wait until the dispute over the work is resolved, or leave it out",
    "LicensingModule__LicensorIpNotRegistered": "publish the parent first, or import it with `studio import-ip`",
    "LicensingModule__NoParentIp": "give the remix at least one parent, or publish it as an original work",
    "LicensingModule__LicenseTermsLengthMismatch": "give one license terms id for each parent",
    "LicensingHelper__ParentIpIdsAndLicenseTermsIdsMismatch": "give one license terms id for each parent",
    "RoyaltyModule__AboveMaxPercent": (
        "lower the remix's --rev-share or remix parents with smaller shares: ancestors may take at most 100%"
    ),
    "RoyaltyPolicyLAP__AboveMaxPercent": (
        "lower the remix's --rev-share or remix parents with smaller shares: ancestors may take at most 100%"
    ),
    "RoyaltyPolicyLRP__AboveMaxPercent": (
        "lower the remix's --rev-share or remix parents with smaller shares: ancestors may take at most 100%"
    ),
    "RoyaltyModule__AboveMaxRts": "let the remix give its ancestors their royalty tokens (publish without a cap)",
    # license terms
    "PILicenseTemplate__MintingFeeRequiresCurrencyToken": (
        "set the terms' currency to WIP, or set --minting-fee 0"
    ),
    "PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy": (
        "use commercial terms (they carry a royalty policy), or set --minting-fee 0"
    ),
    "PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken": "set the terms' currency to WIP",
    "PILicenseTemplate__CommercializerCheckerNotRegistered": (
        "leave the terms' commercializer checker empty (the zero address), or use a hook registered on Story"
    ),
    "PILicenseTemplate__CommercializerCheckerDoesNotSupportHook": (
        "leave the terms' commercializer checker empty (the zero address), or use a hook registered on Story"
    ),
    "PILicenseTemplate__CurrencyTokenNotWhitelisted": "use WIP as the terms' currency",
    "PILicenseTemplate__RoyaltyPolicyNotWhitelisted": "use Story's LAP or LRP royalty policy in the terms",
    "PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired": "give commercial terms Story's LAP or LRP policy",
    "PILicenseTemplate__PILTermsURIContainsDoubleQuote": 'remove the double quote (") from the terms\' URI',
    "LicensingModule__MintingFeeRequiresRoyaltyPolicy": (
        "use commercial terms (they carry a royalty policy), or set --minting-fee 0"
    ),
    "LicensingModule__LicensingConfigMintingFeeBelowLicenseTerms": (
        "set --minting-fee at least the fee the license terms ask"
    ),
    "LicensingModule__LicensingHookMintingFeeBelowLicenseTerms": (
        "set --minting-fee at least the fee the license terms ask"
    ),
    "LicenseRegistry__LicenseTermsAlreadyAttached": "nothing to do: the work already offers these terms",
    "LicenseRegistry__UnmatchedLicenseTemplate": "attach terms of the license template the work already uses (PIL)",
    "LicenseToken__NotLicenseTokenOwner": lambda a: (
        "use license tokens the wallet holds, or publish with the wallet that holds them (--wallet)"
        + (f"; token {a['tokenId']} is held by {_address(a['tokenOwner'])}" if {"tokenId", "tokenOwner"} <= set(a)
           else "")
    ),
    "LicenseToken__CallerAndChildIPNotTokenOwner": (
        "use license tokens the wallet holds, or publish with the wallet that holds them (--wallet)"
    ),
    "DerivativeWorkflows__CallerAndNotTokenOwner": (
        "use license tokens the wallet holds, or publish with the wallet that holds them (--wallet)"
    ),
    "LicenseToken__RevokedLicense": "the license was revoked (its licensor is disputed); remix another work",
    "LicenseToken__NotTransferable": "license tokens of these terms cannot change hands; mint one with this wallet",
    # collections and minting
    "SPGNFT__CallerNotOwner": lambda a: (
        "change the NFT with the wallet that owns it (--wallet)"
        + (f": token {a['tokenId']} is owned by {_address(a['owner'])}" if {"tokenId", "owner"} <= set(a) else "")
    ),
    "SPGNFT__MintingDenied": "publish into a collection of your own: the studio creates one for the wallet",
    "SPGNFT__MintingClosed": "publish into another collection; this one is closed",
    "SPGNFT__MaxSupplyReached": "publish into another collection; this one is full",
    "SPGNFT__DuplicatedNFTMetadataHash": "nothing to send again: run `studio publish status` to see the earlier one",
    "Workflow__CallerNotAuthorizedToMint": (
        "publish into a collection of your own: the studio creates one for the wallet"
    ),
    "RegistrationWorkflows__CallerNotSigner": _SIGN_WITH_SENDER,
    "LicenseAttachmentWorkflows__CallerNotSigner": _SIGN_WITH_SENDER,
    "DerivativeWorkflows__CallerNotSigner": _SIGN_WITH_SENDER,
    "GroupingWorkflows__CallerNotSigner": _SIGN_WITH_SENDER,
    "RoyaltyTokenDistributionWorkflows__CallerNotSigner": _SIGN_WITH_SENDER,
    "AccessController__PermissionDenied": "publish with the wallet that owns the IP asset (--wallet)",
    "AccessController__CallerIsNotIPAccountOrOwner": "publish with the wallet that owns the IP asset (--wallet)",
    "IPAccount__InvalidSigner": "publish with the wallet that owns the IP asset (--wallet)",
    "IPAccount__InvalidSignature": "publish again: the studio signs a fresh permission",
    "IPAccount__ExpiredSignature": "publish again: the permission's signature expired before it was sent",
    # groups (training sets)
    "GroupingModule__GroupRoyaltyVaultNotCreated": (
        "publish a model or a remix of the group (or mint a license of it) first; its vault and revenue come then"
    ),
    "GroupingModule__GroupIPHasNoLicenseTerms": "attach license terms to the group before adding members",
    "GroupingModule__CannotAddGroupToGroup": "add the set's works, not another group, to the group",
    "GroupingModule__CannotAddDisputedIpToGroup": "leave the disputed work out of the training set",
    "GroupingModule__DisputedGroupCannotAddIp": "wait until the group's dispute is resolved",
    "GroupingModule__DisputedGroupCannotClaimReward": "wait until the group's dispute is resolved",
    "GroupingModule__DisputedGroupCannotCollectRoyalties": "wait until the group's dispute is resolved",
    "GroupingModule__GroupFrozenDueToHasDerivativeIps": (
        "publish the new members as a new training set: a group with remixes is frozen"
    ),
    "GroupingModule__GroupFrozenDueToAlreadyMintLicenseTokens": (
        "publish the new members as a new training set: a group that licensed is frozen"
    ),
    "GroupingModule__TotalGroupRewardShareExceeds100Percent": "lower the members' expected reward shares",
    "GroupingModule__IpExpectedShareExceedsMaxAllowedShare": "lower the member's expected reward share",
    "GroupingModule__MaxAllowedRewardShareExceeds100Percent": "set the group's maximum reward share at most 100%",
    "GroupingModule__GroupIPLicenseHasNotSpecifyRevenueToken": "give the group's terms a currency (WIP)",
    "GroupingModule__TokenNotMatchGroupRevenueToken": "claim the group's revenue in its terms' currency (WIP)",
    "GroupingModule__RoyaltyTokenNotWhitelisted": "claim revenue in WIP",
    "GroupIPAssetRegistry__GroupSizeExceedsLimit": "split the training set into groups of at most the limit",
    "EvenSplitGroupPool__MaxGroupSizeReached": "split the training set into groups of at most the limit",
    "LicenseRegistry__IpHasNoGroupLicenseTerms": "attach the group's license terms to each member before adding it",
    "LicenseRegistry__IpExpectGroupRewardPoolNotSet": "set each member's pool config to the group's pool first",
    "LicenseRegistry__IpExpectGroupRewardPoolNotMatch": "set each member's pool config to the group's pool first",
    "LicenseRegistry__IpMintingFeeNotMatchWithGroup": "give each member the group's minting fee in its config",
    "LicenseRegistry__IpLicensingHookNotMatchWithGroup": "give each member the group's licensing hook",
    "LicenseRegistry__IpLicensingHookDataNotMatchWithGroup": "give each member the group's licensing hook data",
    "LicenseRegistry__GroupIpCommercialRevShareConfigMustNotLessThanIp": (
        "give the group a revenue share at least each member's"
    ),
    "LicenseRegistry__CannotAddIpWithExpirationToGroup": "leave works whose license expires out of the training set",
    "LicenseRegistry__IpLicenseDisabled": "enable the member's terms again, or leave it out of the training set",
    "LicenseRegistry__LicenseTermsCannotAttachToGroupIp": "give the group LRP terms: LAP terms cannot go on a group",
    "LicenseRegistry__GroupIpAlreadyHasLicenseTerms": "a group has one set of terms; publish a new group for others",
    "LicenseRegistry__EmptyGroupCannotMintLicenseToken": "add members to the group first",
    # paying and claiming
    "RoyaltyModule__NotWhitelistedRoyaltyToken": "pay in WIP",
    "RoyaltyModule__ReceiverIsNotRegistered": "publish or import the work before paying it",
    "RoyaltyModule__IpExpired": "the work's license expired; it can no longer be paid",
    "RoyaltyModule__IpIsTagged": "wait until the dispute over the work is resolved",
    "RoyaltyModule__PaymentAmountIsTooLow": "pay a larger amount",
    "RoyaltyModule__ZeroAmount": "pay an amount above zero",
    "RoyaltyModule__ZeroReceiverVault": "pay it once a license or remix of it exists: that creates its royalty vault",
    "RoyaltyPolicyLAP__ZeroClaimableRoyalty": "nothing to claim yet; claim again after the remix earns",
    "RoyaltyPolicyLRP__ZeroClaimableRoyalty": "nothing to claim yet; claim again after the remix earns",
    "IpRoyaltyVault__NoClaimableTokens": "nothing to claim yet; claim again after the work earns",
    "IpRoyaltyVault__ZeroBalance": "nothing to claim: the wallet holds none of the work's royalty tokens",
    "IpRoyaltyVault__InvalidTargetIpId": "claim for works that have a royalty vault (a license or remix of it exists)",
    "IpRoyaltyVault__EnforcedPause": "royalty vaults are paused by Story's operators; try again later",
    "IpRoyaltyVault__GroupPoolMustClaimViaGroupingModule": "claim a training set's revenue through the group",
    "RoyaltyTokenDistributionWorkflows__RoyaltyVaultNotDeployed": (
        "attach commercial terms first: they create the vault"
    ),
    "RoyaltyTokenDistributionWorkflows__TotalSharesExceedsIPAccountBalance": (
        "share out at most the royalty tokens the IP account holds (100% in all)"
    ),
    "WIP__ZeroAmount": "wrap or pay an amount above zero",
    "WIP__IPTransferFailed": "unwrap to an address that accepts IP (not a contract that refuses it)",
    "ERC20InsufficientBalance": "add WIP to the wallet (wrap IP into WIP), then try again",
    "ERC20InsufficientAllowance": "approve the contract for at least that much WIP, then try again",
    "InsufficientAllowance": "approve the contract for at least that much WIP, then try again",
    "InsufficientBalance": "add WIP (or IP) to the wallet, then try again",
    "EnforcedPause": "Story's protocol is paused by its operators; try again later",
    # older releases' and the devnet's names for the same causes
    "RoyaltyModule__AboveParentLimit": "link at most 16 parents: drop some, or blend some into one work and remix that",
    "RoyaltyModule__AboveAncestorsLimit": "choose parents with fewer ancestors in all (at most 1024 together)",
    "LicensingModule__LicensorIpHasTooManyAncestors": "choose a parent with a shorter lineage",
    "RoyaltyModule__LastPositionNotAbleToMintLicense": "choose a parent with a shorter lineage",
    "LicenseRegistry__NoParentIp": "give the remix at least one parent, or publish it as an original work",
    "IPAssetRegistry__AlreadyRegistered": "nothing to send again: run `studio publish status` to see it",
    "Module__IpNotRegistered": "publish the work, or import it with `studio import-ip`, first",
    "RoyaltyModule__IpIsNotRegistered": "publish the work, or import it with `studio import-ip`, first",
    "RoyaltyModule__ExceedsMaxRts": "let the remix give its ancestors their royalty tokens (publish without a cap)",
    "RoyaltyModule__NotWhitelistedRoyaltyPolicy": "use Story's LAP or LRP royalty policy in the terms",
    "RoyaltyTokenDistributionWorkflows__TotalSharesExceedSupply": (
        "share out at most the royalty tokens the IP account holds (100% in all)"
    ),
    "RoyaltyWorkflows__NoRoyaltyVault": "claim for works that have a royalty vault (a license or remix of it exists)",
    "IpRoyaltyVault__NotWhitelistedRoyaltyToken": "claim revenue in WIP",
    "SPGNFT__CallerNotTokenOwner": "change the NFT with the wallet that owns it (--wallet)",
    "Workflow__CallerNotSigner": _SIGN_WITH_SENDER,
    "IPTransferFailed": "unwrap to an address that accepts IP (not a contract that refuses it)",
}

_DEPLOYMENT = (
    "Story's contracts at this network's addresses are set up wrongly, not your work: check --network and --rpc, "
    "or tell the network's operators"
)
_ADMIN = "only Story's protocol admins may do this; nothing on your side can change it"
_INTERNAL = (
    "a step only Story's own contracts take failed; nothing you entered can fix it: report it with this line"
)

# What to do, shared by kind: the first pattern that matches an error's name.
GROUP_ADVICE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), advice) for pattern, advice in (
    # contracts set up without an address they need, and broken proxies
    (r"__Zero(Access|Protocol|[A-Za-z]*(Registry|Module|Template|Token|ACL|Acl|Treasury|NFT|Pool|Beacon|Impl"
     r"|ImplBeacon|OOV3|Liveness|Cooldown|Limit|PolicyLAP|RoyaltyPolicy|ArbitrationPolicy|TokenTemplate"
     r"|Implementation)$)", _DEPLOYMENT),
    (r"^(IPAccountRegistry_Zero|TotalLicenseTokenLimitHook_Zero|AccessControlled__ZeroAddress|IPAssetRegistry__Zero"
     r"|ProtocolPauseAdmin__Zero)", _DEPLOYMENT),
    (r"^(InvalidInitialization|NotInitializing|AlreadyInitialized|ERC1967|UUPS|BeaconInvalid|UnauthorizedCallContext"
     r"|UpgradeFailed|IPAccount__UUPSUpgradeDisabled|AddressEmptyCode|MissingPrecompile|GroupingModule__InvalidGroupNFT"
     r"|FnSelectorNotRecognized)", _DEPLOYMENT),
    # paused
    (r"(EnforcedPause|ExpectedPause)$", "Story's protocol is paused by its operators; try again later"),
    # calls only the protocol's admins make
    (r"^(AccessManager|AccessManaged|AccessControl(Unauthorized|BadConfirmation)|Ownable(Unauthorized|Invalid)"
     r"|Unauthorized$|NewOwnerIsZeroAddress|NoHandoverRequest"
     r"|ProtocolPauseAdmin__|ModuleRegistry__|IPGraphACL__|RoyaltyModule__(Policy|NotWhitelistedOrRegistered"
     r"|InvalidExternal|ZeroRoyaltyPolicy|ZeroRoyaltyToken|ZeroTreasury|ZeroAccumulated|AboveAccumulated"
     r"|GroupRewardPoolNotWhitelisted)|GroupingModule__GroupRewardPoolNotWhitelisted|DisputeModule__(NotAllowedTo"
     r"|CannotBlacklist|NotArbitrationRelayer|ZeroArbitration)|ArbitrationPolicyUMA__(BondAboveMax|Liveness|MinLiveness"
     r"|MaxBond|IpOwnerTimePercent|Zero|CurrencyNotWhitelisted)|SPGNFT__(CallerNotFeeRecipient|ZeroMaxSupply)"
     r"|TokenizerModule__TokenTemplateNotWhitelisted|OrgStoryNFTFactory__NftTemplateNotWhitelisted"
     r"|LicenseRegistry__(UnregisteredLicenseTemplate|NotLicenseTemplate|LicenseTemplateCannotBeZeroAddress))", _ADMIN),
    # a group's licensing is fixed once it has members
    (r"^LicensingModule__GroupIpCannot", "a training set's licensing is fixed once it has members; publish the "
                                        "set again as a new group to change it"),
    # steps Story's contracts take for each other
    (r"__(CallerNot(LicensingModule|GroupingModule|PeripheryContract|OrgStoryNFTFactory)|CallerIsNot(GroupingModule"
     r"|IpAccount|IPAccountOrOwner)|NotRoyaltyModule|NotAllowedCaller|NotAllowedToAddTokenToVault|NotDisputeModule"
     r"|NotOOV3|OnlyDisputePolicyUMA|CallFailed|AddParentIpToIPGraphFailed|NotRegisteredModule|NotIpAccount"
     r"|BothCallerAndRecipientAreNotRegisteredModule|VaultsMustClaimAsSelf|VaultDoesNotBelongToAnAncestor"
     r"|SameIpTransfer|SameFromToAddress|NegativeValueUnsafeCastingToUint256|InvalidCalldata|InvalidOperation"
     r"|InvalidBatchLengths|IndexOutOfBounds|PageSizeExceedsLimit|NoParentsOnLinking|UnlinkableToParents"
     r"|DepositWithZeroTokenAddress|InvalidGroupRewardPool|GroupRewardPoolNotRegistered|NotRegisteredGroupIP"
     r"|NotRegisteredIP|ModulesAndSelectorsMismatch|ToAndFuncAreZeroAddressShouldCallSetAllPermissions"
     r"|PermissionIsNotValid|SignerIsZeroAddress|IPAccountIs(NotValid|ZeroAddress)|OwnerIsIPAccount|InvalidLicensingHook"
     r"|InvalidLicenseTermsId|LicenseTermsNotFound|LicenseTermsNotExists|ChildIPAlreadyHasBeenMintedLicenseTokens"
     r"|DerivativeAlreadyHasBeenMintedLicenseTokens|AllLicenseTokensMustFromSameLicenseTemplate|InvalidRoyaltyPercent"
     r"|InvalidToken|UnsupportedIERC721(Metadata)?|MetadataAlreadyFrozen|GroupIpCannot\w+|EmptyLicenseTokens"
     r"|NoLicenseToken|NoLicense(Terms)?Data|MintAmountZero|ReceiverZeroAddress|ZeroAddressParam|ZeroAmount"
     r"|ZeroParentIpId)$", _INTERNAL),
    (r"^(ReentrancyGuardReentrantCall|Reentrancy|SelfOwnDetected|OperationNotSupported|AccountCreationFailed"
     r"|FailedCall|FailedInnerCall|FailedDeployment|Create2|EnumerableMapNonexistentKey|ERC721EnumerableForbidden"
     r"|ERC721OutOfBoundsIndex|ERC20InvalidCap|ERC20ExceededCap|ERC1155InvalidArrayLength)", _INTERNAL),
    # arithmetic and text checks of the libraries
    (r"^(SafeCast|MathOverflow|Strings|StringNot7BitASCII|StringTooLong|InvalidShortString|TooBigForSmallString"
     r"|HexLengthInsufficient|TotalSupplyOverflow|AllowanceOverflow|AllowanceUnderflow|Permit2AmountOverflow)",
     "a value is out of the range the contract accepts (an amount, id or text too large); use a smaller one, "
     "or report it with this line"),
    # token balances, allowances and ownership
    (r"^(ERC20InsufficientBalance|ERC1155InsufficientBalance|AddressInsufficientBalance|InsufficientBalance"
     r"|IpRoyaltyVault__InsufficientBalance|ETHTransferFailed|TransferFailed|TransferFromFailed|SafeERC20Failed"
     r"|Create2InsufficientBalance)", "add enough WIP (or IP for gas) to the wallet, then try again"),
    (r"^(ERC20InsufficientAllowance|InsufficientAllowance|ApproveFailed|Permit2|ERC1155MissingApprovalForAll"
     r"|ERC721InsufficientApproval)", "approve the contract to move that much (the studio approves before paying), "
                                      "then try again"),
    (r"^(ERC20|ERC721|ERC1155)Invalid", "send to and from real addresses, not the zero address or a contract that "
                                        "cannot take tokens"),
    (r"^(ERC721IncorrectOwner|ERC721NonexistentToken|ERC721InvalidOwner)",
     "use a token that exists and that the wallet owns (--wallet)"),
    # signatures
    (r"^(ECDSA|InvalidPermit|PermitExpired|ERC2612|InvalidAccountNonce)|__(InvalidSignature|SignatureAlreadyUsed"
     r"|ExpiredSignature)$", "sign again: the studio makes a fresh signature with the wallet that sends"),
    # license terms that contradict themselves
    (r"^PILicenseTemplate__CommercialDisabled_", "leave revenue share, royalty policy, ceilings, attribution and "
     "commercializers out of non-commercial terms, or make the terms commercial"),
    (r"^PILicenseTemplate__DerivativesDisabled_", "leave approval, attribution, reciprocity and ceilings for remixes "
     "out of terms that allow no remixes, or allow remixes"),
    # the devnet's own names for steps Story's contracts take
    (r"^(Admin__CallerNotAdmin|LicensingModule__UnregisteredLicenseTemplate)$", _ADMIN),
    (r"^(IPAssetRegistry__UnsupportedChainId|RoyaltyModule__ZeroMax(Parents|Ancestors))$|__AlreadyInitialized$",
     _DEPLOYMENT),
    (r"^(Clones__DeployFailed|IPAccount__EmptyBatch|LicensingModule__LicensingHookNotSupported|Multicall3__"
     r"|RoyaltyModule__IpRoyaltyVaultAlreadyDeployed|RoyaltyWorkflows__InvalidInput)", _INTERNAL),
    (r"^TokenOps__TransferFailed$", "add enough WIP (or IP for gas) to the wallet, then try again"),
    (r"^TokenOps__ApproveFailed$", "approve the contract to move that much (the studio approves before paying), "
                                   "then try again"),
    # licensing hooks of Story's periphery
    (r"^LockLicenseHook_LicenseLocked", "the parent's owner locked its licenses; remix another work"),
    (r"^TotalLicenseTokenLimitHook_(TotalLicenseTokenLimitExceeded|LimitLowerThanTotalSupply)",
     "the parent's owner capped its licenses and the cap is reached; remix another work"),
    # tokenizing, disputes and Story's org/badge NFTs: not made by the studio
    (r"^TokenizerModule__(DisputedIpId|IpExpired|IpAlreadyTokenized|UnsupportedOwnableERC20)|^OwnableERC20__",
     "tokenize only registered, undisputed, unexpired works, each once; the studio does not tokenize works"),
    (r"^(DisputeModule|ArbitrationPolicyUMA)__", "raise and answer disputes with Story's dispute tools; the studio "
                                                 "only shows disputes"),
    (r"^(OrgNFT|OrgStoryNFTFactory|StoryBadgeNFT|StoryNFT)__", "use Story's org and badge NFT tools; the studio does "
                                                               "not mint them"),
))

_FALLBACK_ADVICE = "check the values sent against the error above, or report it with this line"


def advice_rule(name: str) -> str | Hint | None:
    """The written or shared advice for an error, or None where only the generic line fits."""
    if name in ADVICE:
        return ADVICE[name]
    return next((advice for pattern, advice in GROUP_ADVICE if pattern.search(name)), None)


def what_to_do(name: str, args: Mapping[str, object] | None = None) -> str:
    """One plain line that says what to do about the error."""
    rule = advice_rule(name)
    if callable(rule):
        try:
            return rule(args or {})
        except (KeyError, TypeError, ValueError):
            return _FALLBACK_ADVICE
    return rule or _FALLBACK_ADVICE

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
        """The error with its arguments, named where the names are known, each formatted for a person."""
        if not self.args:
            return self.name
        names = self.error.arg_names or ("",) * len(self.args)
        shown = (_show(value, name, kind) for value, name, kind in zip(self.args, names, self.error.types,
                                                                       strict=False))
        return f"{self.name}({', '.join(shown)})"

    def explanation(self) -> str:
        return explain(self.name, self.named_args)

    def advice(self) -> str:
        return what_to_do(self.name, self.named_args)


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


@cache
def declared_errors(path: Path = DECLARED_ERRORS_FILE) -> tuple[CustomError, ...]:
    """The errors of story_errors_v1_3_2.txt: selector, signature, argument names, raised, declaring file."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        _selector, signature, names, _raised, _source = line.split("\t")
        found.append(CustomError(signature, () if names == "-" else tuple(n.strip("_") for n in names.split(","))))
    return tuple(found)


class ErrorTable:
    """Selector -> custom error. Sources added later do not replace a signature already known by name; a
    different signature with the same selector is kept beside it, and decoding picks the one whose arguments the
    data encodes exactly."""

    def __init__(self, errors: Iterable[CustomError] = ()) -> None:
        self._by_selector: dict[str, list[CustomError]] = {}
        self.add(errors)

    def add(self, errors: Iterable[CustomError]) -> None:
        for error in errors:
            known = self._by_selector.setdefault(error.selector, [])
            same = next((i for i, k in enumerate(known) if k.signature == error.signature), None)
            if same is None:
                known.append(error)
            elif not any(known[same].arg_names) and any(error.arg_names):
                known[same] = error

    def __len__(self) -> int:
        return len(self._by_selector)

    def errors(self) -> list[CustomError]:
        return [error for known in self._by_selector.values() for error in known]

    def collisions(self) -> dict[str, list[CustomError]]:
        """Selectors that more than one signature shares."""
        return {sel: list(known) for sel, known in self._by_selector.items() if len(known) > 1}

    def lookup(self, revert_data: str) -> CustomError | None:
        known = self._by_selector.get(revert_data[:10].lower()) if revert_data else None
        return known[0] if known else None

    def decode(self, revert_data: str) -> DecodedError | None:
        known = self._by_selector.get(revert_data[:10].lower()) if revert_data else None
        if not known:
            return None
        try:
            data = bytes.fromhex(revert_data[10:])
        except ValueError:
            return DecodedError(known[0], ())
        for error in known:
            args = _exact_args(error, data)
            if args is not None:
                return DecodedError(error, args)
        return DecodedError(known[0], ())  # the arguments are a courtesy; the name is what matters


def _exact_args(error: CustomError, data: bytes) -> tuple[object, ...] | None:
    """The error's arguments if `data` is exactly their encoding, else None."""
    if not error.types:
        return () if not data else None
    try:
        args = tuple(abi_decode(error.types, data))
        return args if abi_encode(error.types, args) == data else None
    except Exception:  # malformed or hostile data: no arguments rather than a crash
        return None


@cache
def story_errors(devnet_signatures: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> ErrorTable:
    """The table the app decodes reverts with: the SDK's ABIs first (Story's own argument names), then every error
    declared in Story's contracts v1.3.2 and their libraries, then the devnet's contracts, then other library
    versions'."""
    table = ErrorTable(sdk_errors())
    table.add(declared_errors())
    table.add(CustomError(sig, names) for sig, names in devnet_signatures)
    table.add(CustomError(sig) for sig in LIBRARY_ERRORS)
    return table


# Story writes percentages as integers where 100_000_000 is 100% (revenue shares, royalty percents, reward shares).
_PERCENT_ARG = re.compile(r"(?i)(share|percent)|^ipAccountBalance$")
_MAX_TEXT = 64
_MAX_ITEMS = 8


def _show(value: object, name: str = "", kind: str = "") -> str:
    """One argument, as a person reads it; text and bytes from the chain are untrusted, so they are bounded and
    stripped of control characters."""
    shown = _shown_value(value, name, kind)
    return f"{name}={shown}" if name else shown


def _shown_value(value: object, name: str, kind: str) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and kind.startswith("uint") and _PERCENT_ARG.search(name):
        return _pct(value)
    if kind == "address" and isinstance(value, str):
        return _address(value)
    if isinstance(value, bytes):
        text = value.hex()
        return "0x" + (text if len(text) <= _MAX_TEXT else f"{text[:_MAX_TEXT]}… ({len(value)} bytes)")
    if isinstance(value, str):
        clean = "".join(ch if ch.isprintable() else "?" for ch in value)
        return repr(clean if len(clean) <= _MAX_TEXT else clean[:_MAX_TEXT] + "…")
    if isinstance(value, tuple | list):
        item_kind = kind[: kind.rindex("[")] if kind.endswith("]") else ""
        items = [_shown_value(v, "", item_kind) for v in value[:_MAX_ITEMS]]
        more = [f"… {len(value) - _MAX_ITEMS} more"] if len(value) > _MAX_ITEMS else []
        return "[" + ", ".join(items + more) + "]"
    return str(value)
