"""Training relations: a model is trained_on a collection whose members sit beside the graph, so a collection of
thousands never counts against a derivative's 1024-ancestor limit; credits group the members."""

from __future__ import annotations

import pytest

from studio.core.types import MAX_ANCESTORS, Origin, Relation, Terms, WorkKind
from studio.errors import LineageError
from studio.lineage.graph import LineageGraph, ParentLink, check_kinds
from studio.store.db import ConstraintViolation
from studio.store.migrations import MIGRATIONS, migrate
from studio.store.works import NewWork


def _insert(library, kind: WorkKind, name: str, creator: str | None = None, license_id: str = "cc0-1.0") -> str:
    new = NewWork(kind=kind, sha256=f"sha-{name}", title=name, origin=Origin.imported, terms=Terms(license_id),
                  creator=creator)
    return library.works.insert(new).id


def test_a_collection_of_more_members_than_the_ancestor_limit_stays_out_of_ancestry(library) -> None:
    members = 2 * MAX_ANCESTORS + 7
    with library.db.atomic():
        collection = _insert(library, WorkKind.collection, "set")
        ids = [_insert(library, WorkKind.image, f"m{i}", creator=f"artist {i % 3}", license_id="cc-by-sa-4.0")
               for i in range(members)]
        assert library.members.add(collection, ids) == members
        model = _insert(library, WorkKind.model, "model")
        image = _insert(library, WorkKind.image, "made")
        graph = LineageGraph(library.db)
        graph.add_parents(model, [ParentLink(collection, Relation.trained_on)])
        graph.add_parents(image, [ParentLink(model, Relation.generated_with)])
    graph = LineageGraph(library.db)
    assert graph.ancestor_count(image) == 2
    assert {n.id: n.relation for n in graph.ancestors(image)} == {model: Relation.generated_with,
                                                                  collection: Relation.trained_on}
    assert library.members.count(collection) == members
    assert library.members.members(collection, limit=2) == ids[:2]
    groups = library.members.credit_groups(collection)
    assert sum(n for _, _, n in groups) == members and {c for c, _, _ in groups} == {"artist 0", "artist 1",
                                                                                     "artist 2"}
    assert ids[5] in library.members.members(collection)


def test_adding_a_member_twice_keeps_it_once(library) -> None:
    with library.db.atomic():
        collection = _insert(library, WorkKind.collection, "set")
        a, b = _insert(library, WorkKind.image, "a"), _insert(library, WorkKind.image, "b")
        assert library.members.add(collection, [a]) == 1
        assert library.members.add(collection, [a, b]) == 1
    assert library.members.members(collection) == [a, b]


def test_a_member_cannot_be_deleted_while_a_collection_holds_it(library) -> None:
    with library.db.atomic():
        collection = _insert(library, WorkKind.collection, "set")
        a = _insert(library, WorkKind.image, "a")
        library.members.add(collection, [a])
    with pytest.raises(ConstraintViolation):
        library.db.execute("DELETE FROM works WHERE id = ?", (a,))


def test_training_relations_join_the_right_kinds() -> None:
    check_kinds(Relation.trained_on, WorkKind.model, WorkKind.collection)
    check_kinds(Relation.trained_on, WorkKind.lora, WorkKind.collection)
    check_kinds(Relation.finetuned_from, WorkKind.lora, WorkKind.model)
    with pytest.raises(LineageError, match="cannot be trained_on a image"):
        check_kinds(Relation.trained_on, WorkKind.model, WorkKind.image)
    with pytest.raises(LineageError):
        check_kinds(Relation.finetuned_from, WorkKind.image, WorkKind.model)
    assert Relation.trained_on.parent_kind is WorkKind.collection
    assert Relation.finetuned_from.parent_kind is WorkKind.model


def test_migration_widens_kinds_and_relations_of_an_existing_library_and_keeps_its_rows(make_db) -> None:
    db = make_db("old")
    migrate(db, MIGRATIONS[:7])
    db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
               "VALUES ('old', 'image', 'h', 't', 'imported', 'cc0-1.0', 'now', 'now')")
    with pytest.raises(ConstraintViolation):
        db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                   "VALUES ('c', 'collection', 'h2', 't', 'imported', 'cc0-1.0', 'now', 'now')")
    assert migrate(db, MIGRATIONS[:8]) == ["m008_collections_and_training"]
    db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
               "VALUES ('c', 'collection', 'h2', 't', 'imported', 'cc0-1.0', 'now', 'now')")
    db.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES ('old', 'c', 'trained_on')")
    with pytest.raises(ConstraintViolation):  # still a closed set
        db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                   "VALUES ('x', 'folder', 'h3', 't', 'imported', 'cc0-1.0', 'now', 'now')")
    db.close()
    reopened = make_db("old")
    assert reopened.integrity_check() == "ok"
    assert reopened.one("SELECT count(*) FROM works")[0] == 2
