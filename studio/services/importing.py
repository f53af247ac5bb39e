"""Bringing an image file into the library: check it, store the file, then its rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.types import Relation, Work, WorkKind
from studio.lineage.graph import LineageGraph, ParentLink
from studio.store.files import sha256_bytes
from studio.store.images import DEFAULT_MAX_PIXELS, MAX_FILE_BYTES, check_image
from studio.store.library import Library
from studio.store.reading import read_regular_file
from studio.store.works import NewWork


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    title: str | None = None
    creator: str | None = None
    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None
    parents: tuple[str, ...] = ()
    relation: Relation = Relation.remix_of
    description: str | None = None


@dataclass(frozen=True)
class ImportOutcome:
    work: Work
    created: bool
    recipe_source: str | None = None
    recipe_notes: tuple[str, ...] = ()  # embedded recipe fields that were ignored as unusable


def read_file(path: Path) -> bytes:
    """The image file's bytes: a regular file (not a pipe or device) no larger than the store accepts."""
    return read_regular_file(path, MAX_FILE_BYTES, what="an image file")


def store_image(
    library: Library,
    data: bytes,
    *,
    name: str,
    new_work: NewWork,
    parents: Sequence[ParentLink] = (),
    flags_for: Callable[[str], Sequence[dict]] | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImportOutcome:
    """Validate and store `data` as a new image work (or return the existing one with the same bytes).

    The file reaches disk (fsynced, renamed) before its row; the work row and its edges are one transaction,
    and `flags_for(work_id)` (license audit) runs inside it so a flagged work is never visible unflagged.
    """
    checked = check_image(data, name=name, max_pixels=max_pixels)
    sha256 = sha256_bytes(data)
    existing = library.works.by_sha256(sha256)
    if existing is not None:
        return ImportOutcome(work=existing, created=False)
    graph = LineageGraph(library.db)
    with library.staged_file(data, sha256, checked.ext) as relative, library.db.atomic():
        work = library.works.insert(
            replace(
                new_work,
                kind=WorkKind.image,
                sha256=sha256,
                phash=checked.phash,
                file_path=relative,
                format=checked.format,
                width=checked.width,
                height=checked.height,
                size_bytes=len(data),
            )
        )
        if parents:
            graph.add_parents(work.id, parents)
        if flags_for is not None:
            flags = flags_for(work.id)
            if flags:
                library.works.set_flags(work.id, flags)
        work = library.works.get(work.id)
    return ImportOutcome(work=work, created=True)


def default_title(path: Path) -> str:
    return path.stem.replace("_", " ").replace("-", " ").strip() or path.name

