"""What publishing still needs on this computer, in the words an artist reads in the window.

The core's errors end with what to type in a terminal (`studio wallet create`); the window has a button for each
of those steps, so it names the missing piece and the button, once, instead of the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studio.errors import StudioError
from studio.secrets import SecretsUnavailable
from studio.story.errors import NoWallet

Missing = Literal["keyring", "wallet"]

NO_KEYRING = (
    "Publishing keeps your wallet's key in the system keyring, and none is running on this computer: start your "
    "desktop's keyring service (GNOME Keyring, KWallet or KeePassXC), then check again."
)
NO_KEYRING_DEVNET = " On the local devnet you can publish now with its development wallet."
NO_WALLET = "No wallet yet: create one (its key stays in the system keyring) or paste a key to import."


@dataclass(frozen=True)
class SetupNeed:
    """What is missing (the keyring, or a wallet in it) and the one line that says so."""

    missing: Missing
    line: str


def setup_need(error: StudioError, *, devnet: bool) -> SetupNeed | None:
    """The set-up a check's error says is missing; None for any other error (shown as it is)."""
    if isinstance(error, SecretsUnavailable):
        return SetupNeed("keyring", NO_KEYRING + (NO_KEYRING_DEVNET if devnet else ""))
    if isinstance(error, NoWallet):
        return SetupNeed("wallet", NO_WALLET)
    return None
