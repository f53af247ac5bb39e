"""Bringing an image file into the library: check it, store the file, then its rows in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.types import Relation, Work, WorkKind
from studio.errors import InvalidInput
from studio.lineage.graph import LineageGraph, ParentLink
from studio.store.files import sha256_bytes
from studio.store.images import DEFAULT_MAX_PIXELS, check_image
from studio.store.library import Library
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


def read_file(path: Path) -> bytes:
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", hint="check the path")
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder", hint="give one image file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


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

