"""Collections: named sets of works, used as training sets. A collection is a work of kind `collection`; its
members are kept by `MemberRecords`, not as parent edges, so a model `trained_on` it has one ancestor for the
whole set while credits still reach every member's creator."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from studio.core.types import Origin, Recipe, Relation, Terms, Work, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.licensing import LicenseCatalog
from studio.store.db import Database
from studio.store.edges import EdgeRecords
from studio.store.members import MemberRecords
from studio.store.works import NewWork, WorkRepository, new_id

# A list of works adds no expression of its own: the members' licenses govern what may be done with them.
COLLECTION_LICENSE = "cc0-1.0"
MEMBER_KINDS = frozenset({WorkKind.image, WorkKind.model, WorkKind.lora})


@dataclass(frozen=True)
class CreditGroup:
    """Members sharing one license: how many works, by how many creators."""

    license_id: str
    license_name: str
    works: int
    creators: int

    def text(self) -> str:
        by = "1 creator" if self.creators == 1 else f"{self.creators:,} creators"
        noun = "work" if self.works == 1 else "works"
        return f"{self.works:,} {noun} by {by}, {self.license_name}"


@dataclass(frozen=True)
class CollectionSummary:
    work: Work
    count: int
    creators: int
    groups: tuple[CreditGroup, ...]
    members: tuple[Work, ...]  # the first ones, in the collection's order
    members_sha256: str

    def credit_line(self) -> str:
        """'4,395 works by 119 creators, CC BY-SA 4.0' (one clause per license)."""
        if not self.groups:
            return "no works"
        return "; ".join(group.text() for group in self.groups)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.work.id,
            "title": self.work.title,
            "creator": self.work.creator,
            "count": self.count,
            "creators": self.creators,
            "members_sha256": self.members_sha256,
            "credit": self.credit_line(),
            "groups": [
                {"license": g.license_id, "license_name": g.license_name, "works": g.works, "creators": g.creators}
                for g in self.groups
            ],
            "members": [{"id": w.id, "title": w.title, "creator": w.creator, "license": w.license_id}
                        for w in self.members],
        }


@dataclass(frozen=True)
class TrainingCredit:
    """A model or LoRA in a work's lineage and the training set it learned from."""

    model: Work
    collection: CollectionSummary

    def text(self) -> str:
        return f"{self.model.title} was trained on “{self.collection.work.title}”: {self.collection.credit_line()}"

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model.id, "model_title": self.model.title, "text": self.text(),
                "collection": self.collection.to_dict()}


def members_hash(hashes: list[str]) -> str:
    """The training-set hash: sha256 over the members' sorted sha256s, one per line."""
    return hashlib.sha256("".join(f"{h}\n" for h in sorted(hashes)).encode()).hexdigest()


class CollectionService:
    def __init__(self, db: Database, works: WorkRepository, members: MemberRecords, catalog: LicenseCatalog,
                 edges: EdgeRecords) -> None:
        self.db = db
        self.works = works
        self.members = members
        self.catalog = catalog
        self.edges = edges

    def training_credits(self, work_id: str) -> list[TrainingCredit]:
        """Every model or LoRA in the work's lineage (the work itself included) with the set it was trained on:
        data -> model -> image, nearest model first."""
        found: list[TrainingCredit] = []
        edges = [e for e in self.edges.ancestor_edges(work_id) if e.relation is Relation.trained_on]
        edges.sort(key=lambda e: (e.child_id != work_id, e.child_id, e.position))
        for edge in edges:
            found.append(TrainingCredit(self.works.get(edge.child_id), self.summary(edge.parent_id, limit=0)))
        return found

    def create(
        self, title: str, *, creator: str | None = None, description: str | None = None,
        work_refs: list[str] | None = None, origin: Origin = Origin.generated,
    ) -> Work:
        title = title.strip()
        if not title:
            raise InvalidInput("a collection needs a title", hint="give one in quotes, e.g. \"my characters\"")
        members = self._resolve_members(work_refs or [])
        collection_id = new_id()
        with self.db.atomic():
            work = self.works.insert(NewWork(
                id=collection_id, kind=WorkKind.collection,
                # Its identity, not its content: members may be added later, and two sets may hold the same works.
                sha256=hashlib.sha256(f"studio collection {collection_id}".encode()).hexdigest(),
                title=title, creator=creator, description=description, origin=origin,
                terms=Terms(COLLECTION_LICENSE), format="collection",
            ))
            if members:
                self.members.add(work.id, [m.id for m in members])
            self._stamp(work.id)
        return self.works.get(work.id)

    def add(self, collection_ref: str, work_refs: list[str]) -> int:
        """Add works to a collection; returns how many were not in it yet."""
        collection = self.collection(collection_ref)
        members = self._resolve_members(work_refs)
        if not members:
            raise InvalidInput("name the works to add", hint="pass one or more work ids")
        with self.db.atomic():
            added = self.members.add(collection.id, [m.id for m in members])
            self._stamp(collection.id)
        return added

    def collection(self, ref: str) -> Work:
        work = self.works.resolve(ref)
        if work.kind is not WorkKind.collection:
            raise InvalidInput(f"work {work.id} ({work.title}) is a {work.kind.value}, not a collection",
                               hint="run `studio list --kind collection` to see the collections")
        return work

    def summary(self, ref: str, *, limit: int = 20) -> CollectionSummary:
        work = self.collection(ref)
        groups = tuple(
            CreditGroup(license_id, self._license_name(license_id), works, creators)
            for license_id, works, creators in self.members.license_groups(work.id)
        )
        creators = len({c for c, _, _ in self.members.credit_groups(work.id)})
        first = self.members.members(work.id, limit=limit)
        found = self.works.get_many(first)
        return CollectionSummary(
            work=work,
            count=self.members.count(work.id),
            creators=creators,
            groups=groups,
            members=tuple(found[i] for i in first if i in found),
            members_sha256=members_hash(self.members.member_hashes(work.id)),
        )

    def _resolve_members(self, refs: list[str]) -> list[Work]:
        works = [self.works.resolve(ref) for ref in refs]
        for work in works:
            if work.kind not in MEMBER_KINDS:
                raise InvalidInput(f"work {work.id} ({work.title}) is a {work.kind.value}; collections hold images, "
                                   "models and LoRAs", hint="add the collection's members instead")
            if work.deleted_at is not None:
                raise InvalidInput(f"work {work.id} ({work.title}) is in the trash",
                                   hint=f"restore it first with `studio restore {work.id}`")
        return works

    def _stamp(self, collection_id: str) -> None:
        """Record what the collection holds now in its recipe, so a model trained on it names that exact set."""
        recipe = Recipe(software="Remix Studio", mode="collection", extra={
            "members": self.members.count(collection_id),
            "members_sha256": members_hash(self.members.member_hashes(collection_id)),
        })
        self.works.set_recipe(collection_id, recipe)

    def _license_name(self, license_id: str) -> str:
        try:
            return self.catalog.get(license_id).name
        except NotFound:  # a license unknown to this version is still counted, by its id
            return license_id
