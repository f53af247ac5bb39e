"""What a training set passes on: a model trained_on share-alike data must be share-alike, non-commercial data
makes it non-commercial, a fine-tune inherits its base model's terms, and images made with the model carry the
data's credit line and non-commercial term but not share-alike (they use the model; they do not adapt each work)."""

from __future__ import annotations

import pytest

from studio.core.types import Origin, Relation, Terms, WorkKind
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services.studio import Studio
from studio.store.works import NewWork


@pytest.fixture
def studio(tmp_path):
    opened = Studio.open(tmp_path / "lib")
    yield opened
    opened.close()


def _work(studio, name: str, license_id: str, kind: WorkKind = WorkKind.image, creator: str = "Ada",
          origin: Origin = Origin.imported) -> str:
    with studio.library.db.atomic():
        return studio.library.works.insert(NewWork(
            kind=kind, sha256=f"sha-{name}", title=name, origin=origin, terms=Terms(license_id), creator=creator,
        )).id


def _training_set(studio, license_id: str, count: int = 3) -> str:
    ids = [_work(studio, f"{license_id}-{i}", license_id, creator=f"artist {i}") for i in range(count)]
    return studio.collections.create("data", work_refs=ids).id


def _trained_model(studio, collection: str, license_id: str) -> str:
    model = _work(studio, f"model-{license_id}", license_id, kind=WorkKind.model, creator="Lab")
    with studio.library.db.atomic():
        LineageGraph(studio.library.edges).add_parents(model, [ParentLink(collection, Relation.trained_on)])
    return model


def test_a_model_trained_on_share_alike_data_must_carry_the_same_license(studio) -> None:
    collection = _training_set(studio, "cc-by-sa-4.0")
    free = studio.licenses.plan([(collection, Relation.trained_on)], license_id="cc-by-4.0")
    assert not free.can_make and "license_must_be_share_alike" in {r.code for r in free.reasons}
    bound = studio.licenses.plan([(collection, Relation.trained_on)])
    assert bound.license is not None and bound.license.license_id == "cc-by-sa-4.0" and bound.license_required
    assert any("3 works in data" in a.text and "3 creators" in a.text for a in bound.attribution)


def test_non_commercial_data_makes_the_model_and_its_images_non_commercial(studio) -> None:
    collection = _training_set(studio, "cc-by-nc-4.0")
    plan = studio.licenses.plan([(collection, Relation.trained_on)], commercial=True)
    assert not plan.can_use_commercially
    model = _trained_model(studio, collection, "cc-by-nc-4.0")
    image = studio.licenses.plan([(model, Relation.generated_with)], commercial=True)
    assert not image.can_use_commercially
    assert any(o.code == "non_commercial" for o in image.obligations)
    assert not any(o.code == "share_alike" for o in image.obligations)


def test_images_made_with_a_share_alike_model_carry_credit_but_not_share_alike(studio) -> None:
    collection = _training_set(studio, "cc-by-sa-4.0", count=4)
    model = _trained_model(studio, collection, "cc-by-sa-4.0")
    image = studio.licenses.plan([(model, Relation.generated_with)], commercial=True)
    assert image.can_make and image.can_use_commercially
    assert not image.license_required
    assert any(a.text.startswith('"4 works in data" by 4 creators') for a in image.attribution)
    assert not any(o.code == "share_alike" for o in image.obligations)


def test_a_fine_tune_inherits_its_base_models_terms(studio) -> None:
    base = _work(studio, "base", "cc-by-nc-sa-4.0", kind=WorkKind.model, creator="Lab")
    collection = _training_set(studio, "cc0-1.0")
    plan = studio.licenses.plan([(collection, Relation.trained_on), (base, Relation.finetuned_from)],
                                commercial=True)
    assert not plan.can_use_commercially
    assert plan.license is not None and plan.license.license_id == "cc-by-nc-sa-4.0"
