"""The built-in emoji model as a work with lineage: its recipe is its training recipe, and it is `trained_on` a
collection holding the OpenMoji works it learned from, each with its author and license.

The works are imported once per library from the list shipped with the weights, in one transaction (origin
`builtin`: they come with the studio, belong to their authors, and stay out of the library's lists unless asked
for with `studio list --origin builtin` or reached through the collection). No file is
copied (each work records the SVG's sha256 and its place in the pinned npm package), so the import takes a
fraction of a second. Identical SVGs under several code points (some flags share a drawing) are one file and
so one work, titled with every annotation; the model was trained on each code point as a caption of it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

from studio.core.types import Origin, Recipe, Relation, Terms, Work, WorkKind
from studio.generate.emoji_builtin import EMOJI_ID, WEIGHTS_DIR, emoji_recipe
from studio.generate.emoji_data import OPENMOJI_LICENSE_ID, OPENMOJI_SOURCE, TrainedEmoji, trained_emoji
from studio.lineage.graph import LineageGraph, ParentLink, check_kinds
from studio.store.db import Database
from studio.store.members import MemberRecords
from studio.store.works import NewWork, WorkRepository

OPENMOJI_CREATOR = "OpenMoji contributors"
# The model adapts its CC BY-SA 4.0 data, so it carries the same share-alike license (see docs/models.md).
EMOJI_LICENSE = "cc-by-sa-4.0"
EMOJI_DESCRIPTION = (
    "Built-in emoji model (about 23 million weights, 64 px), trained by `studio train builtin` on 4,395 OpenMoji "
    "emoji (CC BY-SA 4.0): it draws faces, animals, food, objects, weather and symbols named in the prompt."
)


def collection_sha256(weights_dir: Path = WEIGHTS_DIR) -> str:
    """A fixed identity for the built-in training set: the same in every library, new when the weights change."""
    weights = emoji_recipe(weights_dir)["weights_sha256"]
    joined = "".join(f"{k}={v}\n" for k, v in sorted(weights.items()))
    return hashlib.sha256(f"studio collection {EMOJI_ID}\n{joined}".encode()).hexdigest()


def model_recipe(weights_dir: Path = WEIGHTS_DIR) -> Recipe:
    """The model work's recipe: the training recipe as written by the training script."""
    recipe = emoji_recipe(weights_dir)
    hyper = recipe.get("hyperparameters", {})
    return Recipe(
        model=EMOJI_ID, seed=hyper.get("seed"), steps=hyper.get("steps"), width=recipe["data"].get("image_size"),
        height=recipe["data"].get("image_size"), software="Remix Studio: studio train builtin", mode="train",
        extra={key: value for key, value in recipe.items() if key != "model"},
    )


def ensure_openmoji_collection(works: WorkRepository, members: MemberRecords, db: Database,
                               weights_dir: Path = WEIGHTS_DIR) -> Work:
    """The OpenMoji training set of this library, imported on first use (one transaction for every work)."""
    sha = collection_sha256(weights_dir)
    existing = works.by_sha256(sha)
    if existing is not None:
        return existing
    emoji = trained_emoji(weights_dir)
    by_file: dict[str, list[TrainedEmoji]] = defaultdict(list)
    for item in emoji:
        by_file[item.svg_sha256].append(item)
    with db.atomic():
        collection = works.insert(NewWork(
            kind=WorkKind.collection, sha256=sha, title=f"OpenMoji 17 ({len(emoji):,} emoji)", creator=OPENMOJI_CREATOR,
            description=f"{len(emoji):,} OpenMoji emoji ({len(by_file):,} distinct SVG files) from "
                        f"{OPENMOJI_SOURCE}, licensed CC BY-SA 4.0; the held-out emoji are not in it.",
            origin=Origin.builtin, terms=Terms("cc0-1.0"), location=OPENMOJI_SOURCE, format="collection",
            recipe=Recipe(software="Remix Studio", mode="collection",
                          extra={"source": OPENMOJI_SOURCE, "emoji": len(emoji), "works": len(by_file)}),
        ))
        member_ids = [_emoji_work(works, items).id for items in by_file.values()]
        members.add(collection.id, member_ids)
    return works.get(collection.id)


def _emoji_work(works: WorkRepository, items: list[TrainedEmoji]) -> Work:
    first = items[0]
    found = works.by_sha256(first.svg_sha256)
    if found is not None:  # the same SVG was imported before: it is that work
        return found
    # A shared drawing is credited to the author of its first code point; the others are named beside it.
    codes = "; ".join(f"{item.hexcode} ({item.annotation}, by {item.author})" for item in items)
    return works.insert(NewWork(
        kind=WorkKind.image, sha256=first.svg_sha256, title=" / ".join(i.annotation for i in items)[:200],
        creator=first.author, description=f"OpenMoji {codes}, group {first.group}",
        origin=Origin.builtin, terms=Terms(OPENMOJI_LICENSE_ID), location=first.location, format="svg",
    ))


def link_training_set(graph: LineageGraph, model: Work, collection: Work) -> None:
    """Record `model trained_on collection` once (call inside a transaction)."""
    if any(edge.relation is Relation.trained_on for edge in graph.parents(model.id)):
        return
    check_kinds(Relation.trained_on, model.kind, collection.kind)
    graph.add_parents(model.id, [ParentLink(collection.id, Relation.trained_on)])
