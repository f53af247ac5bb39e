"""Checking recipes read from files the studio did not write: every field of the right type and in range.

Other tools' metadata (and a forged studio chunk) can hold anything: `Steps: -5`, `CFG scale: NaN`, a prompt
that is a list, JSON nested thousands deep. A bad field is dropped with a note the user is shown; the rest of
the recipe is kept.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from studio.core import bounded_json
from studio.core.types import LoraUse, Recipe

# Deeper than any real workflow or recipe; shallow enough that parsing and storing cannot exhaust the stack.
MAX_JSON_DEPTH = 64
MAX_TEXT = 100_000

_INT_RANGES = {"seed": (0, 2**64 - 1), "steps": (1, 10_000), "width": (1, 65_536), "height": (1, 65_536)}
_FLOAT_RANGES = {"guidance": (0.0, 100.0), "strength": (0.0, 1.0)}
_TEXT_FIELDS = ("model", "model_sha256", "prompt", "negative_prompt", "scheduler", "software", "mode")


def load_json(text: str | None) -> Any:
    """The JSON value of a metadata chunk; None when it is missing, malformed or nested too deeply."""
    if not text:
        return None
    try:  # nested deeper than MAX_JSON_DEPTH: refused before the decoder sees it
        return bounded_json.loads(text, max_depth=MAX_JSON_DEPTH)
    except ValueError:
        return None


def checked_recipe(recipe: Recipe) -> tuple[Recipe, tuple[str, ...]]:
    """The recipe with every unusable field dropped, and one note per dropped field."""
    notes: list[str] = []
    changes: dict[str, Any] = {}
    for name, (low, high) in _INT_RANGES.items():
        value = getattr(recipe, name)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            notes.append(_note(name, value))
            changes[name] = None
    for name, (low, high) in _FLOAT_RANGES.items():
        value = getattr(recipe, name)
        usable = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if value is not None and not (usable and low <= value <= high):
            notes.append(_note(name, value))
            changes[name] = None
    for name in _TEXT_FIELDS:
        value = getattr(recipe, name)
        if value is not None and not (isinstance(value, str) and len(value) <= MAX_TEXT):
            notes.append(_note(name, value))
            changes[name] = None
    loras = tuple(lora for lora in recipe.loras if _usable_lora(lora))
    if len(loras) != len(recipe.loras):
        notes.append(f"ignored {len(recipe.loras) - len(loras)} unusable LoRA entries")
        changes["loras"] = loras
    if not isinstance(recipe.extra, dict):
        notes.append(_note("extra", recipe.extra))
        changes["extra"] = {}
    return (replace(recipe, **changes) if changes else recipe), tuple(notes)


def recipe_from_studio_chunk(data: dict[str, Any]) -> tuple[Recipe, tuple[str, ...]]:
    """The studio's own recipe dict (possibly forged) as a checked Recipe."""
    loras = data.get("loras")
    entries = [e for e in loras if isinstance(e, dict)] if isinstance(loras, list) else []
    notes = ["ignored unusable LoRA entries"] if loras is not None and len(entries) != len(loras or ()) else []
    clean = {k: v for k, v in data.items() if k != "loras"}
    if not isinstance(clean.get("extra", {}), dict):
        notes.append(_note("extra", clean.pop("extra")))
    try:
        recipe = Recipe.from_dict({**clean, "loras": entries})
    except TypeError:  # a LoRA entry without its id
        recipe = Recipe.from_dict(clean)
        notes.append("ignored unusable LoRA entries")
    recipe, more = checked_recipe(recipe)
    return recipe, tuple(notes) + more


def _usable_lora(lora: Any) -> bool:
    if not isinstance(lora, LoraUse) or not isinstance(lora.id, str) or not lora.id:
        return False
    weight = lora.weight
    return isinstance(weight, int | float) and not isinstance(weight, bool) and math.isfinite(weight)


def _note(name: str, value: Any) -> str:
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"ignored the embedded {name.replace('_', ' ')} {shown}: not a usable value"
