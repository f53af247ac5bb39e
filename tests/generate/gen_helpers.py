"""Small helpers shared by the generation tests."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

SIZE = 64


def pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
