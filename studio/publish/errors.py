"""Errors of publishing on Story, one class per cause, each with a plain message and what to do.

Reverts carry the contract's custom error name and a human explanation of it.
"""

from __future__ import annotations

from studio.errors import StudioError


class PublishError(StudioError):
    """Publishing, importing or paying on Story failed."""

    exit_code = 7


class RpcUnreachable(PublishError):
    """The network's RPC endpoint does not answer."""


class WrongChain(PublishError):
    """The RPC endpoint serves another chain than the network expects."""


class MissingContract(PublishError):
    """A Story contract the studio needs has no code at its canonical address."""


class InsufficientFunds(PublishError):
    """The wallet cannot pay for gas, a minting fee or a tip."""


class ChainReverted(PublishError):
    """A call or transaction reverted; `error_name` is the contract's custom error when it is one we know."""

    def __init__(self, message: str, *, error_name: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.error_name = error_name


class NoWallet(PublishError):
    """No wallet key is in the keyring yet."""


class WalletExists(PublishError):
    """A wallet of that name is already in the keyring."""


class BadKey(PublishError):
    """Text that is not a private key was given to import (the text itself is never shown)."""

    exit_code = 2


class PublishRefused(PublishError):
    """The license engine, the royalty engine or the release gate refused to publish; nothing was sent."""

    exit_code = 5

    def __init__(self, message: str, reasons: list | None = None, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reasons = list(reasons or [])


class AlreadyPublished(PublishError):
    """The work is already on that network, or a publication of it is still waiting for its receipt."""


class NonceConflict(PublishError):
    """The wallet's next nonce is already taken by a transaction in the journal."""


class StorageError(PublishError):
    """Metadata or an image cannot be stored, uploaded or fetched, or its bytes do not match their hash."""


class ImportFailed(PublishError):
    """An IP asset cannot be imported from Story into the library."""


# What the custom errors mean, in the words of someone publishing a work. Names not listed here are shown as
# the contract gives them.
EXPLANATIONS: dict[str, str] = {
    "LicenseRegistry__DerivativeAlreadyRegistered": "this work is already linked to parents on Story",
    "LicenseRegistry__DerivativeIpAlreadyHasLicense": "a work with its own license terms cannot become a remix",
    "LicenseRegistry__DerivativeIpAlreadyHasChild": "a work that already has remixes cannot be linked to parents",
    "LicenseRegistry__ParentIpHasNoLicenseTerms": "a parent does not offer the license terms the remix asks for",
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
    "LicensingModule__ExceedMaxRevenueShare": "the parents ask for a larger revenue share than you confirmed",
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
    "SPGNFT__MintingDenied": "the wallet may not mint in this collection",
    "SPGNFT__MintingClosed": "the collection is closed for minting",
    "SPGNFT__DuplicatedNFTMetadataHash": "this metadata was already minted in the collection",
    "PILicenseTemplate__CurrencyTokenNotWhitelisted": "the terms' currency is not a whitelisted revenue token",
    "PILicenseTemplate__RoyaltyPolicyNotWhitelisted": "the terms' royalty policy is not whitelisted",
    "PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired": "commercial terms need a royalty policy",
    "AccessController__PermissionDenied": "the wallet does not own this IP asset",
    "WIP__ZeroAmount": "the amount is zero",
}


def explain(error_name: str) -> str:
    return EXPLANATIONS.get(error_name, "the contract refused it")
