"""Is this folder's `library.db` one the studio may open, or start?

A database that is missing while the folder holds stored files, zero bytes long, not SQLite, or SQLite without
the studio's schema must never be taken for a new library: the new, empty database would vouch for none of the
stored files, and a clean-up would then treat every image as unreferenced. Such a library is refused, untouched.
"""

from __future__ import annotations

from pathlib import Path

from studio.errors import LibraryError
from studio.store.files import LocalFileStore

MIGRATIONS_TABLE = "_migrations"


def check_library_database(root: Path, db_path: Path) -> None:
    """Raise LibraryError unless `db_path` is absent from a folder without stored files, or not empty.

    Only `stat` is used: opening and closing the file here would drop the POSIX locks SQLite holds on it for
    any connection of this process. That the file is SQLite with the studio's schema is checked on the
    connection (`check_schema`).
    """
    try:
        size = db_path.stat().st_size
    except FileNotFoundError:
        if LocalFileStore(root).has_stored_files():
            raise LibraryError(
                f"the library database {db_path} is missing but {root} holds stored images", hint=what_to_do(db_path)
            ) from None
        return
    except OSError as exc:
        raise LibraryError(f"cannot read the library database {db_path}: {exc.strerror}") from None
    if size == 0:
        raise LibraryError(f"the library database {db_path} is empty (0 bytes)", hint=what_to_do(db_path))


def check_schema(tables: list[str], db_path: Path) -> None:
    """Raise LibraryError unless an existing SQLite database has the studio's schema record."""
    if MIGRATIONS_TABLE not in tables:
        what = "holds no tables" if not tables else "belongs to another program"
        raise LibraryError(f"{db_path} {what}: it is not a Remix Studio library database", hint=what_to_do(db_path))


def what_to_do(db_path: Path) -> str:
    backups = sorted(p.name for p in db_path.parent.glob(f"{db_path.name}.backup-*"))
    source = f"a backup (e.g. {backups[-1]} beside it)" if backups else "a backup"
    return f"restore {db_path.name} from {source}, or choose another --library folder; nothing was changed"
