"""A member's password for a team library, kept in the OS keyring under the library's display address and the
member's name (`studio library login`), and read from there when the library opens: it reaches the database driver
as an argument of its own, never an address, a log line or a setting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from studio.secrets import Secret, SecretStore, SecretsUnavailable
from studio.store.team_address import display_url


def member_of(url: str) -> str | None:
    """The member an address connects as (`postgresql://NAME@host/db` or `?user=NAME`), or None."""
    parts = urlsplit(url)
    return parts.username or parse_qs(parts.query).get("user", [None])[-1]


def secret_name(url: str, member: str) -> str:
    return f"team-library {display_url(url)} {member}"


def save_password(url: str, member: str, password: Secret, store: SecretStore | None = None) -> None:
    (store or SecretStore()).set(secret_name(url, member), password)


def forget_password(url: str, member: str, store: SecretStore | None = None) -> bool:
    return (store or SecretStore()).delete(secret_name(url, member))


def password_for(url: str, store: SecretStore | None = None) -> Secret | None:
    """The stored password of the member the address names; None when none is stored or no keyring can be used
    (then the server decides: it may trust the connection, and a refusal says how to log in)."""
    member = member_of(url)
    if member is None:
        return None
    try:
        return (store or SecretStore()).get_secret(secret_name(url, member))
    except SecretsUnavailable:
        return None


def with_member(url: str, member: str) -> str:
    """The address `url` connecting as `member` (whoever it named before)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("user="))
    return parts._replace(netloc=f"{member}@{host}", query=query).geturl()
