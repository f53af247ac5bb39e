"""studio.store.images: what may enter the library."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from studio.errors import InvalidInput
from studio.store.images import check_image, dhash
from tests.conftest import image_bytes


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_supported_formats_are_accepted(fmt: str, ext: str) -> None:
    checked = check_image(image_bytes(1, (40, 30), fmt))
    assert (checked.format, checked.ext, checked.width, checked.height) == (fmt, ext, 40, 30)
    assert len(checked.phash) == 16


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_refused_with_advice(fmt: str) -> None:
    with pytest.raises(InvalidInput, match=rf"{fmt} image.*convert it to PNG"):
        check_image(image_bytes(1, (8, 8), fmt))


def test_truncated_png_is_refused() -> None:
    data = image_bytes(2, (64, 64))
    with pytest.raises(InvalidInput, match="truncated or corrupt"):
        check_image(data[: len(data) // 2])


def test_corrupt_jpeg_body_is_refused() -> None:
    data = bytearray(image_bytes(3, (64, 64), "JPEG"))
    data[len(data) // 2 : len(data) // 2 + 200] = b"\x00" * 200
    del data[-400:]
    with pytest.raises(InvalidInput):
        check_image(bytes(data))


def test_random_bytes_and_empty_files_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not an image"):
        check_image(b"this is a text file, not a picture" * 10)
    with pytest.raises(InvalidInput, match="empty"):
        check_image(b"")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size in its header: a decompression bomb must be refused before decoding."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(InvalidInput, match="pixels"):
        check_image(_png_header_only(60_000, 60_000))


def test_pixel_limit_is_configurable() -> None:
    with pytest.raises(InvalidInput, match="over the limit"):
        check_image(image_bytes(1, (100, 100)), max_pixels=5_000)


def _distance(a: str, b: str) -> int:
    """How many of the two hashes' 64 bits differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def test_perceptual_hash_survives_reencoding_but_separates_different_images() -> None:
    original = Image.open(io.BytesIO(image_bytes(7, (64, 64)))).resize((256, 256), Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    original.save(buf, "JPEG", quality=70)
    reencoded = Image.open(io.BytesIO(buf.getvalue()))
    other = Image.open(io.BytesIO(image_bytes(8, (64, 64)))).resize((256, 256))
    assert _distance(dhash(original), dhash(reencoded)) <= 6
    assert _distance(dhash(original), dhash(other)) > 12
