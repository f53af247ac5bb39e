"""A team library's postgresql:// address: recognised, checked and shown without loading the database driver
(the CLI reads `--library` with it, and a local library never loads psycopg)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from studio.errors import LibraryError

URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(text: str) -> bool:
    return text.startswith(URL_SCHEMES)


def check_url(url: str) -> None:
    """Refuse an address that carries a password: passwords live in the OS keyring, never in an address."""
    parts = urlsplit(url)
    if parts.password is not None or "password" in {key.lower() for key in parse_qs(parts.query)}:
        raise LibraryError(
            "the team library's address holds a password",
            hint="give the address without its password; Remix Studio keeps passwords in the OS keyring",
        )


def display_url(url: str) -> str:
    """The address to show and to name this machine's folder for the library by: server, port and database (a
    server reached through a unix socket is named by the socket's folder)."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = parts.hostname or query.get("host", ["localhost"])[-1]
    port = parts.port or query.get("port", [None])[-1]
    database = parts.path.lstrip("/") or query.get("dbname", [""])[-1]
    return f"postgresql://{host}{f':{port}' if port else ''}/{database}"
