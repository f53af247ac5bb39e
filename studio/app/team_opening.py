"""What File ▸ Open Team Library… checks before it opens anything: the address and the member's name, and whether
this machine's OS keyring already holds the member's password (then the window does not ask for it)."""

from __future__ import annotations

from urllib.parse import urlsplit

from studio.errors import InvalidInput, StudioError
from studio.store.team_address import check_url, display_url, is_postgres_url
from studio.store.team_login import member_of, password_for, with_member
from studio.store.team_roles import check_member_name

MAX_ADDRESS = 2000


def member_address(address: str, member: str) -> str:
    """The address that connects to the team library at `address` as `member`; StudioError says in one line what
    is wrong with either (a folder, a password in the address, a name the server would not take)."""
    address, member = address.strip(), member.strip()
    if not is_postgres_url(address):
        raise InvalidInput(f"{_shown(address) or 'an empty address'} is not a team library's address",
                           hint="give its postgresql:// address; a library folder opens with File ▸ Open Library…")
    if not address.isprintable():
        raise InvalidInput(f"the address {_shown(address)} holds control characters",
                           hint="type or paste the address again")
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise InvalidInput(f"{_shown(address)} is not a valid address ({exc})",
                           hint="give it as postgresql://server:5432/library") from None
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"the address is too long ({len(address):,} characters)",
                           hint=f"a team library's address fits in {MAX_ADDRESS} characters")
    check_url(address)
    if not member:
        raise InvalidInput("give the member name you log in with")
    problem = check_member_name(member)
    if problem is not None:
        raise InvalidInput(f"invalid member name {_shown(member)!r}", hint=problem)
    return with_member(address, member)


def _shown(text: str) -> str:
    """Typed text quoted in a message: control characters replaced, and cut short."""
    clean = "".join(c if c.isprintable() else "?" for c in text)
    return clean if len(clean) <= 80 else clean[:79] + "…"


def has_saved_password(address: str, member: str) -> bool:
    """Whether the OS keyring holds the member's password for the library (False for input that is not valid)."""
    try:
        return password_for(member_address(address, member)) is not None
    except StudioError:
        return False


def recent_parts(url: str) -> tuple[str, str]:
    """A remembered team library split for the dialog: its address without a member, and the member."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("user="))
    # Built by hand: urlunsplit drops the "//" of an empty host (a server reached through its socket folder).
    address = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}{'?' + query if query else ''}"
    return address, member_of(url) or ""


def recent_label(url: str) -> str:
    """How the dialog lists a remembered team library: member at server and database."""
    return f"{member_of(url) or '?'} at {display_url(url)}"
