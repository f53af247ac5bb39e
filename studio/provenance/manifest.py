"""What a signed image says about itself (a `ProvenanceClaim`) and `sign_image`, which embeds it.

The claim becomes a C2PA manifest: a `c2pa.actions` assertion chosen by the kind of creation, one ingredient
per parent or component image (an ingredient that already carries Content Credentials keeps them as its own
manifest in the store), and the studio's own assertions: `studio.work`, `studio.recipe` (model, LoRAs,
prompt, seed, steps), `studio.license`, once published `studio.story`, and the CAWG training-and-data-mining
assertion (`cawg.training-mining`) stating whether others may train AI models on the work.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from studio import __version__
from studio.core.types import MAX_PARENTS, Recipe
from studio.licensing.training import assertion_for
from studio.provenance import c2pa_sdk
from studio.provenance.container import MAX_MANIFEST_BYTES, normalize_mime, scan, sniff
from studio.provenance.errors import ProvenanceError
from studio.provenance.identity import CreatorIdentity
from studio.provenance.trust import checked_anchors

log = logging.getLogger(__name__)

CreationKind = Literal["generated", "remix", "inpaint", "blend", "composite", "imported"]
Relationship = Literal["parentOf", "componentOf"]
KINDS: tuple[str, ...] = ("generated", "remix", "inpaint", "blend", "composite", "imported")

SOFTWARE_AGENT = {"name": "Remix Studio", "version": __version__}
LABEL_WORK = "studio.work"
LABEL_RECIPE = "studio.recipe"
LABEL_LICENSE = "studio.license"
LABEL_STORY = "studio.story"
LABEL_TRAINING = "cawg.training-mining"
INGREDIENT_WORK_KEY = "studio:workId"
INGREDIENT_SHA256_KEY = "studio:sha256"
# The hash of the file the signer's library holds for the ingredient (its original, before any signed copy):
# another library holding the same original finds the parent by it.
INGREDIENT_ORIGINAL_KEY = "studio:originalSha256"

_DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED_ALGORITHMIC_MEDIA = _DST + "trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED = _DST + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = _DST + "composite"

MAX_INGREDIENT_BYTES = 256 * 1024 * 1024
_MAX_TEXT = 500
_IP_ID = re.compile(r"^0x[0-9a-fA-F]{40}$")
_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def _text(value: object, what: str, *, limit: int = _MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or not value.isprintable():
        raise ProvenanceError(f"invalid {what}: {value!r}", hint=f"use 1 to {limit} printable characters")
    return value


@dataclass(frozen=True)
class IngredientSource:
    """A parent or component image: its bytes (or a path to them) and what it is to the new work."""

    title: str
    relationship: Relationship
    data: bytes | None = None
    path: Path | None = None
    mime: str | None = None  # sniffed from the bytes when None
    work_id: str | None = None
    original_sha256: str | None = None  # the hash of the file the library holds for it, when `data` is a copy

    def __post_init__(self) -> None:
        _text(self.title, "ingredient title")
        if self.relationship not in ("parentOf", "componentOf"):
            raise ProvenanceError(
                f"invalid ingredient relationship {self.relationship!r}", hint="use parentOf or componentOf"
            )
        if (self.data is None) == (self.path is None):
            raise ProvenanceError(f"give either the bytes or the path of ingredient {self.title!r}, not both")
        if self.work_id is not None:
            _text(self.work_id, "ingredient work id", limit=128)
        if self.original_sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", self.original_sha256):
            raise ProvenanceError(f"invalid original sha256 of ingredient {self.title!r}: {self.original_sha256!r}")

    def load(self) -> tuple[bytes, str]:
        data = self.data if self.data is not None else self._read_path()
        mime = normalize_mime(self.mime) if self.mime else sniff(data)
        if mime is None:
            raise ProvenanceError(f"the ingredient {self.title!r} is not a PNG, JPEG or WebP image")
        return data, mime

    def _read_path(self) -> bytes:
        assert self.path is not None
        try:
            size = self.path.stat().st_size
            if size > MAX_INGREDIENT_BYTES:
                raise ProvenanceError(
                    f"the ingredient {self.title!r} is {size:,} bytes, over the {MAX_INGREDIENT_BYTES:,}-byte limit"
                )
            return self.path.read_bytes()
        except OSError as exc:
            raise ProvenanceError(
                f"the ingredient {self.title!r} could not be read from {self.path}: {exc.strerror}",
                hint="check that the file still exists",
            ) from None


@dataclass(frozen=True)
class LicenseRef:
    id: str
    url: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        _text(self.id, "license id", limit=128)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in {"id": self.id, "url": self.url, "name": self.name}.items() if v is not None}


@dataclass(frozen=True)
class StoryRef:
    """Where the work was registered on Story: the IP asset id and the chain."""

    ip_id: str
    chain_id: int
    chain: str | None = None
    tx_hash: str | None = None
    license_terms_id: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.ip_id, str) or not _IP_ID.match(self.ip_id):
            raise ProvenanceError(f"invalid Story IP id {self.ip_id!r}", hint="give a 0x-prefixed 20-byte address")
        if not isinstance(self.chain_id, int) or self.chain_id <= 0:
            raise ProvenanceError(f"invalid chain id {self.chain_id!r}", hint="give a positive integer")
        if self.tx_hash is not None and not _TX_HASH.match(self.tx_hash):
            raise ProvenanceError(f"invalid transaction hash {self.tx_hash!r}", hint="give a 0x-prefixed 32-byte hash")

    def to_dict(self) -> dict[str, Any]:
        data = {
            "ip_id": self.ip_id,
            "chain_id": self.chain_id,
            "chain": self.chain,
            "tx_hash": self.tx_hash,
            "license_terms_id": self.license_terms_id,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class ProvenanceClaim:
    """Everything the signed image will state about how it was made."""

    title: str
    work_id: str
    mime: str
    kind: CreationKind
    ingredients: tuple[IngredientSource, ...] = ()
    recipe: Recipe | None = None
    license: LicenseRef | None = None
    story: StoryRef | None = None
    training_allowed: bool | None = None  # may others train AI models on it; None states nothing

    def __post_init__(self) -> None:
        _text(self.title, "title")
        _text(self.work_id, "work id", limit=128)
        normalize_mime(self.mime)
        if self.kind not in KINDS:
            raise ProvenanceError(f"unknown kind of creation {self.kind!r}", hint=f"use one of {', '.join(KINDS)}")
        _check_ingredients(self.kind, self.ingredients)


def _check_ingredients(kind: str, ingredients: tuple[IngredientSource, ...]) -> None:
    parents = [i for i in ingredients if i.relationship == "parentOf"]
    components = [i for i in ingredients if i.relationship == "componentOf"]
    if len(ingredients) > MAX_PARENTS:
        raise ProvenanceError(f"a work can name at most {MAX_PARENTS} ingredients, not {len(ingredients)}")
    if len(parents) > 1:
        raise ProvenanceError("a work has at most one parentOf ingredient", hint="give the others as componentOf")
    if kind == "generated" and parents:
        raise ProvenanceError("a generated image has no parent", hint="use kind 'remix' or 'inpaint' for a parent")
    if kind in ("remix", "inpaint") and (not ingredients or ingredients[0].relationship != "parentOf"):
        raise ProvenanceError(f"a {kind} needs its parent image as the first ingredient (parentOf)")
    if kind == "blend" and len(components) < 2:
        raise ProvenanceError("a blend needs at least two componentOf ingredients")
    if kind == "composite" and not components:
        raise ProvenanceError("a composite needs at least one componentOf ingredient")
    if kind == "imported" and components:
        raise ProvenanceError("an imported image has only its source file as ingredient (parentOf)")


def sign_image(
    data: bytes,
    mime: str,
    claim: ProvenanceClaim,
    identity: CreatorIdentity,
    *,
    trust_anchors: list[str] | None = None,
    max_manifest_bytes: int = MAX_MANIFEST_BYTES,
) -> bytes:
    """Return `data` with the claim embedded as signed Content Credentials; `data` itself is left as it was.

    `trust_anchors` judge the ingredients' own credentials at signing time; by default the creator's CA.
    """
    started = time.perf_counter()
    mime = normalize_mime(mime)
    if normalize_mime(claim.mime) != mime:
        raise ProvenanceError(f"the claim describes a {claim.mime} file but the image is {mime}")
    info = scan(data, mime, max_manifest_bytes=max_manifest_bytes, what="the image to sign")
    ingredient_sources = claim.ingredients
    if claim.kind == "imported" and not ingredient_sources:
        # The imported file is its own parent, so credentials it already carries stay in the store.
        ingredient_sources = (IngredientSource(title=claim.title, relationship="parentOf", data=data, mime=mime),)
    elif info.manifest_bytes and claim.kind != "imported":
        raise ProvenanceError(
            "the image already carries Content Credentials, which signing would replace",
            hint="sign it as kind 'imported' to keep them as its ingredient",
        )
    ingredients = []
    for index, source in enumerate(ingredient_sources):
        body, ingredient_mime = source.load()
        scan(body, ingredient_mime, max_manifest_bytes=max_manifest_bytes, what=f"the ingredient {source.title!r}")
        definition = _ingredient_definition(source, index, hashlib.sha256(body).hexdigest())
        ingredients.append(c2pa_sdk.IngredientInput(definition, ingredient_mime, body))
    manifest = build_manifest(claim, ingredient_sources)
    anchors = trust_anchors if trust_anchors is not None else ([identity.anchor_pem] if identity.anchor_pem else [])
    signed = c2pa_sdk.sign(
        manifest,
        ingredients,
        data,
        mime,
        chain_pem=identity.chain_pem,
        key_pem=identity.private_key.reveal(),
        alg=identity.alg,
        trust_anchors=checked_anchors(anchors),
    )
    log.info(
        "signed %s (%s, %d ingredients) in %.1f ms, +%d bytes",
        claim.work_id,
        claim.kind,
        len(ingredients),
        (time.perf_counter() - started) * 1000,
        len(signed) - len(data),
    )
    return signed


def _ingredient_label(index: int) -> str:
    return f"ingredient-{index}"


def _ingredient_definition(source: IngredientSource, index: int, sha256: str) -> dict[str, Any]:
    """The ingredient's entry; its work id and content hash let another library find the parent it holds."""
    metadata = {INGREDIENT_SHA256_KEY: sha256}
    if source.work_id:
        metadata[INGREDIENT_WORK_KEY] = source.work_id
    if source.original_sha256:
        metadata[INGREDIENT_ORIGINAL_KEY] = source.original_sha256
    return {
        "title": source.title,
        "relationship": source.relationship,
        "label": _ingredient_label(index),
        "metadata": metadata,
    }


def build_manifest(claim: ProvenanceClaim, ingredients: tuple[IngredientSource, ...]) -> dict[str, Any]:
    assertions: list[dict[str, Any]] = [
        {"label": "c2pa.actions", "data": {"actions": _actions(claim, ingredients)}},
        {"label": LABEL_WORK, "data": {"work_id": claim.work_id, "kind": claim.kind}},
    ]
    if claim.recipe is not None:
        assertions.append({"label": LABEL_RECIPE, "data": claim.recipe.to_dict()})
    if claim.license is not None:
        assertions.append({"label": LABEL_LICENSE, "data": claim.license.to_dict()})
    if claim.story is not None:
        assertions.append({"label": LABEL_STORY, "data": claim.story.to_dict()})
    if claim.training_allowed is not None:
        assertions.append({"label": LABEL_TRAINING, "data": assertion_for(claim.training_allowed)})
    return {
        "claim_generator_info": [SOFTWARE_AGENT],
        "title": claim.title,
        "format": normalize_mime(claim.mime),
        "assertions": assertions,
    }


def _actions(claim: ProvenanceClaim, ingredients: tuple[IngredientSource, ...]) -> list[dict[str, Any]]:
    """The C2PA action list: it opens with c2pa.created or c2pa.opened, as the specification requires."""
    model = claim.recipe.model if claim.recipe is not None else None
    parent = next((i for i, s in enumerate(ingredients) if s.relationship == "parentOf"), None)
    placed = [
        _action("c2pa.placed", ingredient=_ingredient_label(i))
        for i, s in enumerate(ingredients)
        if s.relationship == "componentOf"
    ]
    with_model = f" with {model}" if model else ""
    if claim.kind == "generated":
        return [
            _action("c2pa.created", source=TRAINED_ALGORITHMIC_MEDIA, description=f"Generated{with_model}"),
            *placed,
        ]
    if claim.kind == "imported":
        return [_action("c2pa.opened", ingredient=_ingredient_label(parent or 0), description="Imported")]
    if claim.kind in ("remix", "inpaint"):
        verb = "Remixed" if claim.kind == "remix" else "Inpainted"
        return [
            _action("c2pa.opened", ingredient=_ingredient_label(parent or 0)),
            _action("c2pa.edited", source=COMPOSITE_WITH_TRAINED, description=f"{verb}{with_model}"),
            *placed,
        ]
    # blend / composite: start from the parent canvas when there is one, else from nothing.
    source = COMPOSITE_WITH_TRAINED if claim.kind == "blend" else COMPOSITE
    verb = "Blended" if claim.kind == "blend" else "Composited"
    first = (
        _action("c2pa.opened", ingredient=_ingredient_label(parent))
        if parent is not None
        else _action("c2pa.created", source=source, description=f"{verb}{with_model}")
    )
    return [first, *placed]


def _action(
    name: str, *, ingredient: str | None = None, source: str | None = None, description: str | None = None
) -> dict[str, Any]:
    action: dict[str, Any] = {"action": name, "softwareAgent": SOFTWARE_AGENT}
    if ingredient is not None:
        action["parameters"] = {"ingredientIds": [ingredient]}
    if source is not None:
        action["digitalSourceType"] = source
    if description is not None:
        action["description"] = description
    return action
