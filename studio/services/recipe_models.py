"""Which registered models an imported recipe names. A model is matched only by its hash, never by its name:
names are free text in other tools' files, and the same name may be a different file (or a different license).

Hashes that can be matched: the studio's own full sha256, A1111/Forge's `Model hash` (the first 10 hex digits
of the file's sha256) and InvokeAI's `sha256:` hashes; InvokeAI's default BLAKE3 hashes and ComfyUI graphs (no
hashes at all) leave the model recorded by name, unverified.
"""

from __future__ import annotations

import re
from dataclasses import replace

from studio.core.types import Recipe, WorkKind
from studio.store.works import WorkRepository

_HEX = re.compile(r"[0-9a-f]{10,64}")


def matched_recipe(works: WorkRepository, recipe: Recipe) -> Recipe:
    """The recipe with `extra.model_verified` (and `extra.model_work`, the matching work) set, and its
    `model_sha256` set to the registered model's only when a hash matched it."""
    candidates = [recipe.model_sha256, recipe.extra.get("model_hash")]
    for hint in candidates:
        digest = _digest(hint)
        if digest is None:
            continue
        found = works.models_by_hash_prefix(digest)
        if len(found) == 1 and found[0].kind is WorkKind.model:
            return replace(recipe, model_sha256=found[0].sha256,
                           extra={**recipe.extra, "model_verified": True, "model_work": found[0].id})
    return replace(recipe, extra={**recipe.extra, "model_verified": False})


def _digest(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower().removeprefix("sha256:")
    return text if _HEX.fullmatch(text) else None
