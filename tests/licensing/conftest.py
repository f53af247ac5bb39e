"""Fixtures for the license engine: the real catalogue and a builder for ancestries."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from studio.core.types import Relation, WorkKind
from studio.licensing import License, LicenseCatalog, LicensedWork, WorkTerms

_DEFAULT_RELATION = {
    WorkKind.image: Relation.remix_of,
    WorkKind.model: Relation.generated_with,
    WorkKind.lora: Relation.styled_with,
}


@pytest.fixture(scope="session")
def catalog() -> LicenseCatalog:
    return LicenseCatalog.load()


class Lineage:
    """Builds the `works` mapping the engine reads, one work at a time."""

    def __init__(self, catalog: LicenseCatalog) -> None:
        self.catalog = catalog
        self.works: dict[str, LicensedWork] = {}

    def add(
        self,
        work_id: str,
        license: str | License = "pil-commercial-remix",
        *,
        parents: tuple[str | tuple[str, str], ...] = (),
        kind: str = "image",
        title: str | None = None,
        creator: str | None = "Ann",
        on_chain: bool = False,
        owned: bool = False,
        flags: tuple[Any, ...] = (),
        training: tuple[Any, ...] = (),
        confirmed: tuple[str, ...] = (),
        **terms: Any,
    ) -> LicensedWork:
        lic = license if isinstance(license, License) else self.catalog.get(license)
        edges = []
        for ref in parents:
            if isinstance(ref, tuple):
                edges.append((ref[0], Relation(ref[1])))
            else:
                edges.append((ref, _DEFAULT_RELATION[self.works[ref].kind]))
        work = LicensedWork(
            id=work_id,
            title=title or work_id.upper(),
            creator=creator,
            kind=WorkKind(kind),
            terms=WorkTerms(lic, **terms),
            parents=tuple(edges),
            on_chain=on_chain,
            flags=flags,
            owned=owned,
            training=training,
            confirmed=frozenset(confirmed),
        )
        self.works[work_id] = work
        return work

    def custom_license(self, base: str, new_id: str, **pil_changes: Any) -> License:
        """A PIL license outside the catalogue (Story accepts any valid PILTerms), derived from a flavor."""
        lic = self.catalog.get(base)
        return replace(lic, id=new_id, name=new_id, on_story=new_id, pil=replace(lic.pil, **pil_changes))


@pytest.fixture
def lineage(catalog: LicenseCatalog) -> Lineage:
    return Lineage(catalog)
