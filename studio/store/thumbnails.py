"""Cached thumbnails, made on first request and kept beside the library's files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import platformdirs
from PIL import Image, ImageOps

from studio import APP_NAME
from studio.store.files import write_atomic

THUMB_SIZE = 256


def user_cache_dir() -> Path:
    env = os.environ.get("STUDIO_CACHE_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


class ThumbnailCache:
    def __init__(self, root: Path, *, readonly: bool = False) -> None:
        # A read-only library keeps its thumbnails in the per-user cache (named by content, so shareable).
        self.root = user_cache_dir() / "thumbs" if readonly else root / "thumbs"

    def path_for(self, sha256: str, size: int = THUMB_SIZE) -> Path:
        return self.root / sha256[:2] / f"{sha256[2:]}-{size}.png"

    def get(self, source: Path, sha256: str, size: int = THUMB_SIZE) -> Path:
        """Return the thumbnail's path, making it if needed (safe to call from worker threads)."""
        target = self.path_for(sha256, size)
        if target.exists():
            return target
        with Image.open(source) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((size, size), Image.Resampling.LANCZOS)
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA")
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=False)
        write_atomic(target, buffer.getvalue())
        return target
