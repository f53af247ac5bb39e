"""Embedded PNG metadata: write the studio's recipe (A1111-style `parameters` plus its own `remix-studio` JSON),
and read recipes back from studio, A1111, ComfyUI and InvokeAI PNGs. Pillow only.

An image made through the ComfyUI engine also keeps the `prompt` chunk (the API graph the server ran) that the
server wrote into the PNG it sent, so ComfyUI can reopen the studio's file; that graph came from a server, so it
is kept only when it is a bounded JSON graph, and written re-serialised, never as the bytes received.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image, PngImagePlugin

from studio.core.types import Recipe
from studio.errors import InvalidInput, NotFound
from studio.metadata.a1111 import format_parameters, parse_parameters
from studio.metadata.checked import checked_recipe, load_json, recipe_from_studio_chunk
from studio.metadata.comfyui import parse_comfyui
from studio.metadata.invokeai import parse_invokeai

STUDIO_CHUNK = "remix-studio"
STUDIO_FORMAT = 1

Source = Literal["remix-studio", "a1111", "comfyui", "invokeai"]

COMFY_PROMPT_CHUNK = "prompt"
MAX_COMFY_PROMPT_CHARS = 1 << 20  # real graphs are tens of kilobytes; Pillow's own text-chunk limit is 1 MiB


@dataclass(frozen=True)
class ForeignRecipe:
    """A recipe found in a PNG, where it came from, the chunks it was read from, the studio's own fields, and
    notes on what was ignored because it was unusable (shown to the user)."""

    source: Source
    recipe: Recipe
    raw: dict[str, Any]
    studio_meta: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()


def embed_png(image: Image.Image, *, recipe: Recipe, studio_meta: dict[str, Any]) -> bytes:
    """PNG bytes of `image` with the recipe embedded; the same inputs always give the same bytes."""
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", format_parameters(recipe))
    payload = {"format": STUDIO_FORMAT, "recipe": recipe.to_dict(), "studio": studio_meta}
    info.add_itxt(STUDIO_CHUNK, json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
    comfy_prompt = comfy_prompt_of(image, recipe) if recipe.extra.get("engine") == "comfyui" else None
    if comfy_prompt is not None:
        info.add_text(COMFY_PROMPT_CHUNK, comfy_prompt)
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "I;16"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, optimize=False)
    return buffer.getvalue()


def comfy_prompt_of(image: Image.Image, recipe: Recipe) -> str | None:
    """The API graph a ComfyUI server embedded in the image it sent, re-serialised; None when it has none, when
    what it has is not a graph of nodes (too large, too deep, not JSON, nodes without a class), or when the graph
    is not this recipe's (its seed, model file or prompt differ: an inpainted image is pasted onto its parent,
    whose own chunks must not pass for the job's)."""
    text = image.info.get(COMFY_PROMPT_CHUNK)
    if not isinstance(text, str) or len(text) > MAX_COMFY_PROMPT_CHARS:
        return None
    graph = load_json(text)
    if not isinstance(graph, dict) or not graph:
        return None
    if not all(isinstance(node, dict) and isinstance(node.get("class_type"), str)
               and isinstance(node.get("inputs", {}), dict) for node in graph.values()):
        return None
    ran = parse_comfyui(graph, None, image.size)
    if ran is None or (ran.seed, ran.model, ran.prompt or "") != (
        recipe.seed, recipe.extra.get("server_model"), recipe.prompt or ""
    ):
        return None
    return json.dumps(graph, ensure_ascii=False, separators=(",", ":"))


def read_png_recipe(source: Path | str | bytes) -> ForeignRecipe | None:
    """The recipe embedded in a PNG, or None when it carries none (or the image is not a PNG)."""
    chunks, size = _text_chunks(source)
    studio = load_json(chunks.get(STUDIO_CHUNK))
    if isinstance(studio, dict) and isinstance(studio.get("recipe"), dict):
        studio_meta = studio.get("studio") if isinstance(studio.get("studio"), dict) else {}
        raw = {STUDIO_CHUNK: studio, **({"parameters": chunks["parameters"]} if "parameters" in chunks else {})}
        recipe, notes = recipe_from_studio_chunk(studio["recipe"])
        return ForeignRecipe("remix-studio", recipe, raw, studio_meta, notes)
    invoke = load_json(chunks.get("invokeai_metadata"))
    found = parse_invokeai(invoke)
    if found is not None:
        return ForeignRecipe("invokeai", *_checked(found, {"invokeai_metadata": invoke}))
    prompt, workflow = load_json(chunks.get("prompt")), load_json(chunks.get("workflow"))
    found = parse_comfyui(prompt, workflow, size)
    if found is not None:
        raw = {k: v for k, v in {"prompt": prompt, "workflow": workflow}.items() if v is not None}
        return ForeignRecipe("comfyui", *_checked(found, raw))
    if chunks.get("parameters"):
        found, fields = parse_parameters(chunks["parameters"])
        return ForeignRecipe("a1111", *_checked(found, {"parameters": chunks["parameters"], "fields": fields}))
    return None


def _checked(recipe: Recipe, raw: dict[str, Any]) -> tuple[Recipe, dict[str, Any], None, tuple[str, ...]]:
    recipe, notes = checked_recipe(recipe)
    return recipe, raw, None, notes


def _text_chunks(source: Path | str | bytes) -> tuple[dict[str, str], tuple[int, int]]:
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else Path(source)) as image:
            if image.format != "PNG":
                return {}, image.size
            image.load()  # text chunks after the image data are read only with the pixels
            return {str(k): str(v) for k, v in image.text.items()}, image.size
    except FileNotFoundError:
        raise NotFound(f"Image {source} is missing", hint="check the path") from None
    except (OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        # ValueError: a text chunk that decompresses past Pillow's limit (a zTXt/iTXt bomb)
        raise InvalidInput(f"Cannot read PNG metadata: not a readable image ({exc})",
                           hint="use a PNG file") from exc

