"""Cached thumbnails, made on first request and kept beside the library's files."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps

from studio.store.files import write_atomic

THUMB_SIZE = 256


class ThumbnailCache:
    def __init__(self, root: Path) -> None:
        self.root = root / "thumbs"

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
