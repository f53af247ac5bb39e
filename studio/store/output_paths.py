"""Where a command may write a file the user named (a report, a signed export).

Nothing but the store writes inside a library folder: a report written over `library.db`, or an export written
over another work's stored image, would destroy the library silently. So an output path is refused when it lies
inside the open library's folder or inside any folder laid out as a Remix Studio library, and an existing file is
replaced only when the user says so.
"""

from __future__ import annotations

from pathlib import Path

from studio.errors import InvalidInput

# Names whose presence makes a folder a library: the database, the lock every opener holds, the store layout.
_LIBRARY_MARKERS = ("library.db", "library.lock")
_STORE_FOLDERS = ("files", "pending", "thumbs")


def is_library_folder(folder: Path) -> bool:
    try:
        if any((folder / name).exists() for name in _LIBRARY_MARKERS):
            return True
        return (folder / "files").is_dir() and any((folder / name).is_dir() for name in _STORE_FOLDERS[1:])
    except OSError:
        return False


def library_holding(path: Path) -> Path | None:
    """The library folder `path` lies in (the nearest enclosing one), or None."""
    for folder in path.parents:
        if is_library_folder(folder):
            return folder
    return None


def check_output_path(target: Path, *, library_root: Path | None = None, overwrite: bool = False) -> Path:
    """The absolute path to write to, or InvalidInput saying why not.

    Symbolic links are followed first, so a link pointing into a library is refused like the path itself.
    """
    resolved = Path(target).expanduser().resolve()
    inside = None
    if library_root is not None:
        root = Path(library_root).expanduser().resolve()
        if resolved == root or root in resolved.parents:
            inside = root
    inside = inside or library_holding(resolved)
    if inside is not None:
        raise InvalidInput(
            f"{target} is inside the library folder {inside}; only the library itself writes there",
            hint="choose a file outside the library folder",
        )
    if resolved.is_dir():
        raise InvalidInput(f"{target} is a folder", hint="give a file name")
    if resolved.exists() or resolved.is_symlink():
        if not resolved.is_file():
            raise InvalidInput(f"{target} exists and is not a regular file", hint="choose another file name")
        if not overwrite:
            raise InvalidInput(f"{target} already exists", hint="pass --force to replace it, or choose another name")
    return resolved
