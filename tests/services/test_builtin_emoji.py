"""The built-in studio-emoji model is a work with lineage: its recipe is its training recipe, it is trained_on the
OpenMoji works (imported once per library, each with its author and license), and what it makes reaches them."""

from __future__ import annotations

import json

import pytest

from studio.core.modes import Mode
from studio.core.types import Relation, WorkKind
from studio.generate.emoji_builtin import WEIGHTS_DIR
from studio.generate.emoji_data import trained_emoji
from studio.services.generation import CreateRequest
from studio.services.studio import Studio


@pytest.fixture
def studio(tmp_path, monkeypatch):
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    opened = Studio.open(tmp_path / "lib")
    yield opened
    opened.close()


def test_the_default_built_in_model_is_studio_emoji_trained_on_the_openmoji_works(studio) -> None:
    model = studio.models.default()
    assert model.name == "studio-emoji" and model.arch == "studio-emoji"
    work = model.work
    assert work.license_id == "cc-by-sa-4.0"
    recipe = json.loads((WEIGHTS_DIR / "recipe.json").read_text())
    assert work.recipe.extra["weights_sha256"] == recipe["weights_sha256"]
    assert work.recipe.extra["data"]["manifest_sha256"] == recipe["data"]["manifest_sha256"]
    [edge] = studio.parents(work.id)
    assert edge.relation is Relation.trained_on
    collection = studio.work(edge.parent_id)
    assert collection.kind is WorkKind.collection
    summary = studio.collections.summary(collection.id, limit=3)
    emoji = trained_emoji()
    assert summary.count == len({e.svg_sha256 for e in emoji})  # one work per distinct SVG file
    assert collection.recipe.extra["emoji"] == recipe["data"]["trained_on"] == 4395
    [group] = summary.groups
    assert group.license_id == "cc-by-sa-4.0" and group.works == summary.count
    assert summary.creators == len({e.author for e in emoji}) - 1  # one author drew only a shared flag
    first = summary.members[0]
    assert first.creator == emoji[0].author and first.sha256 == emoji[0].svg_sha256
    assert first.location.startswith("npm:openmoji@17.0.0/color/svg/") and first.file_path is None


def test_the_openmoji_works_are_imported_once_per_library(studio) -> None:
    studio.models.default()
    before = studio.library.works.count()
    studio.models.builtin()
    assert studio.models.get("studio-emoji").work.id == studio.models.default().work.id
    assert studio.library.works.count() == before


def test_studio_tiny_stays_available_by_name(studio) -> None:
    tiny = studio.models.get("studio-tiny")
    assert tiny.arch == "studio-tiny" and studio.models.default().name == "studio-emoji"


def test_an_image_made_with_studio_emoji_has_the_model_and_its_training_set_as_ancestors(studio) -> None:
    image = studio.generation.create(CreateRequest(mode=Mode.txt2img, prompt="a red apple", seed=1))
    assert (image.width, image.height) == (64, 64)
    nodes = {n.id: n for n in studio.graph.ancestors(image.id)}
    kinds = sorted(studio.work(i).kind.value for i in nodes)
    assert kinds == ["collection", "model"] and studio.graph.ancestor_count(image.id) == 2
