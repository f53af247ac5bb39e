"""The one check of an http(s) address a person gives the studio (ComfyUI servers, RPC endpoints, IPFS services):
one line saying what is wrong with it, never a fault later when it is used.

An address never carries a secret: a user name or password (`user:pass@`) or a token in its query would be
stored in the library and printed by every listing, so such an address is refused with the way to hand the
secret to the OS keyring instead, and the refusal does not repeat the secret.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from studio.core.secret_text import url_credentials, without_credentials
from studio.errors import InvalidInput

MAX_URL_LENGTH = 2048
KEYRING_ONLY = "the studio keeps secrets only in the OS keyring"


def _shown(text: str) -> str:
    """The address as a refusal may quote it: without credentials, and short."""
    return repr(without_credentials(text)[:200]) if url_credentials(text) else repr(text[:200])


def parse_http_url(
    text: str, what: str, example: str, *, secret_way: str | None = None, kind: str | None = None
) -> SplitResult:
    """`text` split into its parts when it is a usable http(s) address; InvalidInput (one line) when not.

    `secret_way` says how this address's secret reaches the keyring instead (e.g. an option that asks for it);
    `kind` what an address of another scheme is not (default "an http(s) <what>").
    """
    text = str(text).strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise InvalidInput(f"{_shown(text)} is not a valid {what}", hint=f"give e.g. {example}")
    credentials = url_credentials(text)
    if credentials:
        raise InvalidInput(
            f"the {what} {_shown(text)} holds {' and '.join(credentials)}; {KEYRING_ONLY}, not in addresses",
            hint=(secret_way + ", and the address without it") if secret_way else "give the address without it",
        )
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError for a port that is not a number or not below 65536
    except ValueError as exc:
        why = "its port is not a number from 1 to 65535" if "port" in str(exc).lower() else "it cannot be read"
        raise InvalidInput(f"{_shown(text)} is not a valid {what}: {why}", hint=f"give e.g. {example}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{_shown(text)} is not {kind or 'an http(s) ' + what}", hint=f"give e.g. {example}")
    if port == 0:
        raise InvalidInput(f"{_shown(text)} is not a valid {what}: its port is not a number from 1 to 65535",
                           hint=f"give e.g. {example}")
    return parts


def check_http_url(text: str, what: str, example: str, *, secret_way: str | None = None) -> str:
    """The address as given (trimmed), once `parse_http_url` accepted it."""
    parse_http_url(text, what, example, secret_way=secret_way)
    return str(text).strip()
