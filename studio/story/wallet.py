"""The publishing wallet: one private key per wallet name, kept only in the OS keyring.

The key is created here or imported from a prompt or stdin; only the address ever leaves this module in
clear. Errors about a bad key never repeat the text that was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore
from studio.story.errors import BadKey, NoWallet, WalletExists

DEFAULT_WALLET = "default"
# anvil's published development accounts: public, worthless, and meaningful on a local devnet only.
DEVNET_MNEMONIC = "test test test test test test test test test test test junk"
DEVNET_ACCOUNT_INDEX = 9
_KEY = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@dataclass(frozen=True)
class Wallet:
    name: str
    address: str


def secret_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"invalid wallet name {name!r}", hint="use letters, digits, '.', '-' or '_'")
    return f"wallet/{name}"


def _checked_key(text: str) -> Secret:
    key = text.strip()
    if not _KEY.fullmatch(key):
        raise BadKey("that is not a private key: expected 64 hex digits, with or without 0x",
                     hint="paste the key again; it is read from the prompt or stdin, never from arguments")
    value = int(key.removeprefix("0x"), 16)
    if not 0 < value < _SECP256K1_N:
        raise BadKey("that private key is out of range for secp256k1", hint="use another key")
    return Secret("0x" + key.removeprefix("0x").lower())


def _account() -> type:
    """eth-account's `Account` (half a second to import): loaded when a key is used, not with the publishing
    services the window imports on the way to its first page."""
    from eth_account import Account

    return Account


def address_of(key: Secret) -> str:
    return _account().from_key(key.reveal()).address


def devnet_dev_key(index: int) -> Secret:
    """The key of anvil's public development account `index` (derived from its published mnemonic, so no key is
    written in the source): for a local chain only, never for value."""
    account_class = _account()
    account_class.enable_unaudited_hdwallet_features()
    account = account_class.from_mnemonic(DEVNET_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
    return Secret("0x" + bytes(account.key).hex())


def devnet_dev_account() -> tuple[Wallet, Secret]:
    """One of anvil's public development accounts, for a devnet on a machine without an OS keyring. Its key is
    printed in anvil's own documentation: not a secret, and never used on any other network."""
    key = devnet_dev_key(DEVNET_ACCOUNT_INDEX)
    return Wallet("devnet-dev-account", address_of(key)), key


class WalletStore:
    """Wallets by name in the keyring; the address is derived from the key each time it is asked for."""

    def __init__(self, secrets: SecretStore) -> None:
        self.secrets = secrets

    def create(self, name: str = DEFAULT_WALLET) -> Wallet:
        self._refuse_existing(name)
        key = Secret("0x" + bytes(_account().create().key).hex())
        self.secrets.set(secret_name(name), key)
        return Wallet(name, address_of(key))

    def import_key(self, text: str, name: str = DEFAULT_WALLET) -> Wallet:
        key = _checked_key(text)
        self._refuse_existing(name)
        self.secrets.set(secret_name(name), key)
        return Wallet(name, address_of(key))

    def get(self, name: str = DEFAULT_WALLET) -> Wallet | None:
        key = self.secrets.get_secret(secret_name(name))
        return None if key is None else Wallet(name, address_of(key))

    def require(self, name: str = DEFAULT_WALLET) -> Wallet:
        wallet = self.get(name)
        if wallet is None:
            raise NoWallet(f"there is no wallet named {name!r} in the keyring",
                           hint="run `studio wallet create` or `studio wallet import`")
        return wallet

    def key(self, name: str = DEFAULT_WALLET) -> Secret:
        key = self.secrets.get_secret(secret_name(name))
        if key is None:
            raise NoWallet(f"there is no wallet named {name!r} in the keyring",
                           hint="run `studio wallet create` or `studio wallet import`")
        return key

    def _refuse_existing(self, name: str) -> None:
        if self.secrets.get_secret(secret_name(name)) is not None:
            raise WalletExists(f"a wallet named {name!r} is already in the keyring",
                               hint="choose another name with --wallet; the existing key was left as it is")
