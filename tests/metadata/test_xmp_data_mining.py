"""IPTC/PLUS plus:DataMining in XMP: found in PNG, JPEG and WebP files, written into them, and hostile forms
(huge, deep, entities, wrong types, truncated containers) found to say nothing instead of crashing."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from studio.metadata.xmp import (
    MAX_XMP_BYTES,
    PLUS_NS,
    XMP_KEYWORD,
    data_mining_packet,
    data_mining_values,
    embed_xmp,
    find_xmp,
    read_data_mining,
)

DENY = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-AIMLTRAINING"
ALLOW = "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED"


def image_bytes(fmt: str, **save: object) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if save.pop("alpha", False) else "RGB"
    Image.new(mode, (37, 21), (200, 40, 90, 128)[: len(mode)]).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA").tobytes()


@pytest.mark.parametrize(
    ("fmt", "save"),
    [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {"lossless": True}), ("WEBP", {"quality": 80}),
     ("WEBP", {"lossless": True, "alpha": True})],
)
@pytest.mark.parametrize("value", [DENY, ALLOW])
def test_written_packet_is_read_back_and_the_image_is_unchanged(fmt: str, save: dict, value: str) -> None:
    original = image_bytes(fmt, **save)
    assert read_data_mining(original) == []
    written = embed_xmp(original, data_mining_packet(value))
    assert written != original
    assert read_data_mining(written) == [value]
    assert pixels(written) == pixels(original)
    with Image.open(io.BytesIO(written)) as image:
        image.load()
        assert image.size == (37, 21)
    assert embed_xmp(written, data_mining_packet(ALLOW)) == written  # the file's own XMP is never rewritten


def test_pillow_written_xmp_in_jpeg_and_webp_is_found() -> None:
    packet = data_mining_packet(DENY)
    for fmt in ("JPEG", "WEBP"):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, format=fmt, xmp=packet)
        assert read_data_mining(buffer.getvalue()) == [DENY], fmt


def test_compressed_png_itxt_is_read() -> None:
    body = XMP_KEYWORD + b"\x00\x01\x00\x00\x00" + zlib.compress(data_mining_packet(DENY))
    assert read_data_mining(_png_with_chunk(b"iTXt", body)) == [DENY]


@pytest.mark.parametrize(
    "xmp",
    [
        f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description xmlns:plus="{PLUS_NS}" plus:DataMining="{DENY}"/></rdf:RDF></x:xmpmeta>',
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="{PLUS_NS}">'
        f'<plus:DataMining rdf:resource="{DENY}"/></rdf:Description></rdf:RDF>',
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="{PLUS_NS}">'
        f"<plus:DataMining>  {DENY}\n</plus:DataMining></rdf:Description></rdf:RDF>",
    ],
)
def test_attribute_resource_and_text_forms(xmp: str) -> None:
    assert data_mining_values(xmp) == [DENY]


def test_wrong_type_a_bag_of_values_gives_each_value() -> None:
    xmp = (
        f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:plus="{PLUS_NS}">'
        f"<plus:DataMining><rdf:Bag><rdf:li>{ALLOW}</rdf:li><rdf:li>{DENY}</rdf:li></rdf:Bag></plus:DataMining>"
        "</rdf:Description></rdf:RDF>"
    )
    assert data_mining_values(xmp) == [ALLOW, DENY]


def test_other_namespaces_named_data_mining_are_not_plus() -> None:
    xmp = f'<a xmlns:p="http://example.com/" p:DataMining="{DENY}"><p:DataMining>{DENY}</p:DataMining></a>'
    assert data_mining_values(xmp) == []


@pytest.mark.parametrize(
    "xmp",
    [
        # entity expansion ("billion laughs") is refused before any expansion
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<x xmlns:plus="{PLUS_NS}" plus:DataMining="&b;"/>',
        # external entity
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f'<x xmlns:plus="{PLUS_NS}"><plus:DataMining>&e;</plus:DataMining></x>',
        # nested far deeper than any real packet
        "<a>" * 100_000 + f'<b xmlns:plus="{PLUS_NS}" plus:DataMining="{DENY}"/>' + "</a>" * 100_000,
        # malformed, truncated
        f'<x xmlns:plus="{PLUS_NS}" plus:DataMining="{DENY}"',
        # too many values
        f'<x xmlns:plus="{PLUS_NS}">' + f"<plus:DataMining>{DENY}</plus:DataMining>" * 1000 + "</x>",
        # over the size limit
        f'<x xmlns:plus="{PLUS_NS}" plus:DataMining="{DENY}">' + " " * MAX_XMP_BYTES + "</x>",
        b"\xff\xfe\x00garbage",
    ],
)
def test_hostile_xmp_says_nothing(xmp: str | bytes) -> None:
    assert data_mining_values(xmp) == []


def test_hostile_containers_say_nothing() -> None:
    png = image_bytes("PNG")
    bomb = XMP_KEYWORD + b"\x00\x01\x00\x00\x00" + zlib.compress(b" " * (64 * MAX_XMP_BYTES))
    assert find_xmp(_png_with_chunk(b"iTXt", bomb)) is None
    assert find_xmp(_png_with_chunk(b"iTXt", XMP_KEYWORD + b"\x00")) is None  # truncated header
    lying = png[:8] + struct.pack(">I", 2**31) + b"iTXt" + XMP_KEYWORD
    assert find_xmp(lying) is None
    jpeg = image_bytes("JPEG")
    assert find_xmp(jpeg[:2] + b"\xff\xe1\xff\xff" + b"http://ns.adobe.com/xap/1.0/\x00<x/>") is None
    assert find_xmp(jpeg[:2] + b"\xff\xe1\x00\x01") is None
    webp = image_bytes("WEBP", lossless=True)
    assert find_xmp(b"RIFF\xff\xff\xff\xffWEBPXMP \xff\xff\xff\x7f<x/>") is None
    assert find_xmp(webp[:20]) is None and find_xmp(b"") is None and find_xmp(b"GIF89a") is None
    assert embed_xmp(b"GIF89a....", data_mining_packet(DENY)) == b"GIF89a...."


def _png_with_chunk(kind: bytes, body: bytes) -> bytes:
    png = image_bytes("PNG")
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return png[:33] + chunk + png[33:]
