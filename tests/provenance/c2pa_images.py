"""Small real images and PNG chunk surgery for the Content Credentials tests."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png_bytes(
    color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (64, 48), pattern: bool = True
) -> bytes:
    image = Image.new("RGB", size, color)
    if pattern:
        for x in range(0, size[0], 7):
            image.putpixel((x, x % size[1]), (x % 256, 255 - x % 256, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(color: tuple[int, int, int] = (30, 120, 200), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def webp_bytes(color: tuple[int, int, int] = (90, 20, 160), size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "WEBP", lossless=True)
    return out.getvalue()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    """(type, body, offset) of each chunk."""
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack_from(">I", data, pos)
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length], pos))
        pos += 12 + length
    return chunks


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def with_chunk_after_header(png: bytes, chunk: bytes) -> bytes:
    """Insert a whole chunk right after IHDR (where C2PA puts its caBX)."""
    ihdr_end = png_chunks(png)[1][2]
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def manifest_store_of(signed_png: bytes) -> bytes:
    return next(body for kind, body, _ in png_chunks(signed_png) if kind == b"caBX")
