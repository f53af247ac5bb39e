"""Checking image files before anything is stored, and the perceptual hash used to find near-duplicates."""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from studio.errors import InvalidInput

SUPPORTED = {"PNG": ("png", "image/png"), "JPEG": ("jpg", "image/jpeg"), "WEBP": ("webp", "image/webp")}
# Larger than any camera or upscaled artwork a creator would import (about 16k x 16k), small enough that a
# decompression bomb cannot exhaust memory.
DEFAULT_MAX_PIXELS = 256_000_000
MAX_FILE_BYTES = 512 * 1024 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by colour type: grey, RGB, palette, grey+alpha, RGBA
# The seven Adam7 passes: first column, first row, column step, row step.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


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
            if fmt == "PNG":
                # Pillow fills missing rows with black when the pixel data ends early; the file must hold them all.
                _check_png_pixel_data(data)
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


class _IncompletePng(ValueError):
    pass


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every chunk up to IEND; raises when one is cut short or IEND is missing."""
    chunks, pos = [], len(PNG_SIGNATURE)
    while True:
        if pos + 8 > len(data):
            raise _IncompletePng("the file ends before its IEND chunk")
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data):
            raise _IncompletePng(f"its {kind.decode('latin-1')!r} chunk is cut short")
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        if kind == b"IEND":
            return chunks
        pos = end


def _png_raw_size(width: int, height: int, bits_per_pixel: int, interlaced: bool) -> int:
    """Bytes of filtered scanlines (a filter byte per row) the IDAT stream must inflate to."""

    def rows(w: int, h: int) -> int:
        return h * (1 + (w * bits_per_pixel + 7) // 8) if w and h else 0

    if not interlaced:
        return rows(width, height)
    return sum(rows(max(0, (width - x0 + dx - 1) // dx), max(0, (height - y0 + dy - 1) // dy))
               for x0, y0, dx, dy in _ADAM7)


def _check_png_pixel_data(data: bytes) -> None:
    """Raise _IncompletePng unless the IDAT stream is complete and inflates to every scanline the header declares."""
    chunks = _png_chunks(data)
    kind, header = chunks[0]
    if kind != b"IHDR" or len(header) != 13:
        raise _IncompletePng("it has no valid IHDR chunk")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if colour not in _PNG_CHANNELS:
        raise _IncompletePng(f"colour type {colour} is not a PNG colour type")
    expected = _png_raw_size(width, height, depth * _PNG_CHANNELS[colour], interlace == 1)
    inflater, inflated = zlib.decompressobj(), 0
    for kind, body in chunks:
        if kind != b"IDAT" or inflater.eof:
            continue
        output = inflater.decompress(body, 1 << 20)  # counted a megabyte at a time, never held whole
        while output:
            inflated += len(output)
            output = inflater.decompress(inflater.unconsumed_tail, 1 << 20) if not inflater.eof else b""
    if not inflater.eof or inflated < expected:
        raise _IncompletePng(f"it holds {inflated:,} of the {expected:,} bytes of pixel data its header declares")
