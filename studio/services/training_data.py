"""Training sets as the license engine sees them.

A collection's members are not parent edges (a training set may hold thousands of works), so the engine would
never meet their licenses. For each collection in an ancestry the license view adds one node per license its
members carry, "4,200 works in OpenMoji 17 by 118 creators" under CC BY-SA 4.0, as a part the collection is
composed of. The engine then treats them like any ancestor:
- a model or LoRA `trained_on` the collection adapts its data: a share-alike license there binds the model's own
  license, and a non-commercial one makes the model non-commercial;
- an image generated with that model uses the model as a tool: it carries the data's credit line and a
  non-commercial term, but not share-alike (the image is not an adaptation of each training work).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from studio.core.types import Relation, Work, WorkKind
from studio.licensing import LicenseCatalog, LicensedWork, WorkTerms
from studio.store.members import MemberRecords

GROUP_SEPARATOR = "/"


def group_id(collection_id: str, license_id: str) -> str:
    return f"{collection_id}{GROUP_SEPARATOR}{license_id}"


def is_group_id(node_id: str) -> bool:
    return GROUP_SEPARATOR in node_id


def data_nodes(
    works: Mapping[str, Work], members: MemberRecords, catalog: LicenseCatalog,
    licensed: Callable[[Work, tuple[tuple[str, Relation], ...]], LicensedWork],
) -> dict[str, LicensedWork]:
    """For every collection among `works`: itself with its license groups as parts, and those groups."""
    found: dict[str, LicensedWork] = {}
    for work in works.values():
        if work.kind is not WorkKind.collection:
            continue
        parts: list[tuple[str, Relation]] = []
        for license_id, count, creators in members.license_groups(work.id):
            node = group_id(work.id, license_id)
            noun = "work" if count == 1 else "works"
            found[node] = LicensedWork(
                id=node, title=f"{count:,} {noun} in {work.title}",
                creator="1 creator" if creators == 1 else f"{creators:,} creators",
                kind=WorkKind.image, terms=WorkTerms(catalog.get(license_id)), owned=False,
            )
            parts.append((node, Relation.composite_of))
        found[work.id] = licensed(work, tuple(parts))
    return found
