"""Recipes embedded in PNGs: written by the studio, read from the studio, A1111, ComfyUI and InvokeAI. Pillow only."""

from __future__ import annotations

from studio.metadata.png import STUDIO_CHUNK, ForeignRecipe, embed_png, read_png_recipe

__all__ = ["STUDIO_CHUNK", "ForeignRecipe", "embed_png", "read_png_recipe"]
