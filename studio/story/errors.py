"""Errors of publishing on Story, one class per cause, each with a plain message and what to do.

Reverts carry the contract's custom error name and a human explanation of it.
"""

from __future__ import annotations

from studio.errors import LicenseRefused, StudioError


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


class PublishRefused(PublishError, LicenseRefused):
    """The license engine, the royalty engine or the release gate refused to publish; nothing was sent."""

    exit_code = LicenseRefused.exit_code


class AlreadyPublished(PublishError):
    """The work is already on that network, or a publication of it is still waiting for its receipt."""


class NonceConflict(PublishError):
    """The wallet's next nonce is already taken by a transaction in the journal."""


class StorageError(PublishError):
    """Metadata or an image cannot be stored, uploaded or fetched, or its bytes do not match their hash."""


class ImportFailed(PublishError):
    """An IP asset cannot be imported from Story into the library."""
