"""Checking image files before anything is stored, and the perceptual hash used to find near-duplicates."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from studio.errors import InvalidInput

SUPPORTED = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
# Larger than any camera or upscaled artwork a creator would import (about 16k x 16k), small enough that a
# decompression bomb cannot exhaust memory.
DEFAULT_MAX_PIXELS = 256_000_000
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class CheckedImage:
    format: str
    ext: str
    mime: str
    width: int
    height: int
    phash: str


def dhash(image: Image.Image) -> str:
    """64-bit difference hash: robust to re-encoding and resizing, cheap to compute."""
    gray = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = gray.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            left = pixels[row * 9 + col]
            right = pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def check_image(data: bytes, *, name: str = "file", max_pixels: int = DEFAULT_MAX_PIXELS) -> CheckedImage:
    """Fully decode `data`; raise InvalidInput for anything that is not a sound PNG, JPEG or WebP."""
    if not data:
        raise InvalidInput(f"{name} is empty", hint="choose a PNG, JPEG or WebP image")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name} is larger than {MAX_FILE_BYTES >> 20} MiB", hint="export a smaller image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format or "?"
            if fmt not in SUPPORTED:
                raise InvalidInput(
                    f"{name} is a {fmt} image, which the library does not store",
                    hint="convert it to PNG, JPEG or WebP first",
                )
            width, height = image.size
            if width * height > max_pixels:
                raise InvalidInput(
                    f"{name} is {width}x{height} pixels, over the limit of {max_pixels:,} pixels",
                    hint="downscale it before importing",
                )
            image.load()
            phash = dhash(image)
    except InvalidInput:
        raise
    except UnidentifiedImageError:
        raise InvalidInput(
            f"{name} is not an image the library can read", hint="choose a PNG, JPEG or WebP image"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(
            f"{name} declares more pixels than the safety limit (possible decompression bomb)",
            hint="open and re-save it in an image editor if you trust it",
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(
            f"{name} is truncated or corrupt ({exc})", hint="re-export or re-download the image"
        ) from None
    ext, mime = SUPPORTED[fmt][0], SUPPORTED[fmt][1]
    return CheckedImage(format=fmt, ext=ext, mime=mime, width=width, height=height, phash=phash)
