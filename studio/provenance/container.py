"""A bounded walk over an image container before the C2PA SDK sees it.

It checks that the bytes are the format they are said to be, that the file is whole (not truncated), and
that the embedded manifest store (PNG `caBX`, JPEG APP11 JUMBF, WebP `C2PA`) stays under a byte limit, so
that a hostile file is refused with a clear message before any parsing of its manifest begins.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from studio.provenance.errors import ProvenanceError

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_CHUNKS = 200_000

PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
SUPPORTED = (PNG, JPEG, WEBP)
_NAMES = {PNG: "PNG", JPEG: "JPEG", WEBP: "WebP"}
_ALIASES = {
    "png": PNG,
    "image/png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "image/jpg": JPEG,
    "image/jpeg": JPEG,
    "image/pjpeg": JPEG,
    "webp": WEBP,
    "image/webp": WEBP,
}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class ContainerInfo:
    mime: str
    manifest_bytes: int  # size of the embedded manifest store; 0 when there is none
    manifest_parts: int  # chunks or segments that carry it


def normalize_mime(mime: str) -> str:
    key = str(mime or "").split(";", 1)[0].strip().lower()
    if key not in _ALIASES:
        raise ProvenanceError(f"Content Credentials are not supported for {mime!r} files", hint="use PNG, JPEG or WebP")
    return _ALIASES[key]


def sniff(data: bytes) -> str | None:
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def scan(
    data: bytes, mime: str, *, max_manifest_bytes: int = MAX_MANIFEST_BYTES, what: str = "the image"
) -> ContainerInfo:
    """Check `data` is a whole image of type `mime` with a manifest store under the limit."""
    declared = normalize_mime(mime)
    if not data:
        raise ProvenanceError(f"{what} is empty", hint="choose the image file again")
    actual = sniff(data)
    if actual is None:
        raise ProvenanceError(
            f"{what} is not a PNG, JPEG or WebP image (unknown or damaged header)",
            hint="check that the file is an image and was copied completely",
        )
    if actual != declared:
        raise ProvenanceError(
            f"{what} was given as {_NAMES[declared]} but its bytes are a {_NAMES[actual]} image",
            hint=f"open it as {actual}; a mislabelled file cannot carry trustworthy Content Credentials",
        )
    walk = {PNG: _walk_png, JPEG: _walk_jpeg, WEBP: _walk_webp}[actual]
    size, parts = walk(data, what)
    if size > max_manifest_bytes:
        raise ProvenanceError(
            f"the Content Credentials in {what} are {size:,} bytes, over the {max_manifest_bytes:,}-byte limit",
            hint="the file is malformed or hostile; it was not read",
        )
    return ContainerInfo(actual, size, parts)


def _truncated(what: str, kind: str) -> ProvenanceError:
    return ProvenanceError(
        f"{what} is a truncated or damaged {kind} file", hint="copy or download the file again; it was not read"
    )


def _too_many_parts(what: str) -> ProvenanceError:
    return ProvenanceError(f"{what} has more than {MAX_CHUNKS:,} chunks", hint="the file is malformed or hostile")


def _walk_png(data: bytes, what: str) -> tuple[int, int]:
    pos, size, parts, count, end = len(_PNG_SIGNATURE), 0, 0, 0, len(data)
    while True:
        if pos + 12 > end:
            raise _truncated(what, "PNG")
        (length,) = struct.unpack_from(">I", data, pos)
        kind = data[pos + 4 : pos + 8]
        if length > 0x7FFFFFFF or pos + 12 + length > end:
            raise _truncated(what, "PNG")
        if kind == b"caBX":
            size += length
            parts += 1
        pos += 12 + length
        count += 1
        if count > MAX_CHUNKS:
            raise _too_many_parts(what)
        if kind == b"IEND":
            return size, parts


def _walk_jpeg(data: bytes, what: str) -> tuple[int, int]:
    pos, size, parts, count, end = 2, 0, 0, 0, len(data)
    while True:
        # Fill bytes (0xFF runs) may precede a marker.
        while pos < end and data[pos] == 0xFF and pos + 1 < end and data[pos + 1] == 0xFF:
            pos += 1
        if pos + 2 > end or data[pos] != 0xFF:
            raise _truncated(what, "JPEG")
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI before any scan: no image data
            raise _truncated(what, "JPEG")
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if pos + 4 > end:
            raise _truncated(what, "JPEG")
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2 or pos + 2 + length > end:
            raise _truncated(what, "JPEG")
        if marker == 0xEB and data[pos + 4 : pos + 6] == b"JP":  # APP11 carrying JUMBF
            size += length - 2
            parts += 1
        count += 1
        if count > MAX_CHUNKS:
            raise _too_many_parts(what)
        if marker == 0xDA:  # start of scan: the entropy-coded image follows, then EOI
            if data.rfind(b"\xff\xd9", pos + 2 + length) < 0:
                raise _truncated(what, "JPEG")
            return size, parts
        pos += 2 + length


def _walk_webp(data: bytes, what: str) -> tuple[int, int]:
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = 8 + riff_size
    if riff_size < 4 or end > len(data):
        raise _truncated(what, "WebP")
    pos, size, parts, count = 12, 0, 0, 0
    while pos < end:
        if pos + 8 > end:
            raise _truncated(what, "WebP")
        kind = data[pos : pos + 4]
        (length,) = struct.unpack_from("<I", data, pos + 4)
        if pos + 8 + length > end:
            raise _truncated(what, "WebP")
        if kind == b"C2PA":
            size += length
            parts += 1
        pos += 8 + length + (length & 1)
        count += 1
        if count > MAX_CHUNKS:
            raise _too_many_parts(what)
    return size, parts
