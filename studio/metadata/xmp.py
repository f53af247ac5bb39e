"""XMP in image files: find the packet (PNG iTXt `XML:com.adobe.xmp`, JPEG APP1, WebP `XMP ` chunk), read the
IPTC/PLUS `plus:DataMining` values from it, and write a packet stating one.

Files come from anywhere: the containers are walked with bounds checks only (no decoder), a packet larger than
`MAX_XMP_BYTES` is ignored, and the XML is read by a streaming parser that refuses DTDs and entities (no entity
expansion) and stops below `MAX_DEPTH` nesting. Nothing here raises on a hostile file: it simply finds nothing.
"""

from __future__ import annotations

import struct
import zlib
from xml.parsers import expat

XMP_KEYWORD = b"XML:com.adobe.xmp"
JPEG_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
PLUS_NS = "http://ns.useplus.org/ldf/xmp/1.0/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DATA_MINING = PLUS_NS + " DataMining"
MAX_XMP_BYTES = 1 << 20  # real packets are a few kilobytes; JPEG's own segment limit is 64 KiB
MAX_DEPTH = 64
MAX_VALUES = 16
_PNG = b"\x89PNG\r\n\x1a\n"


class _Refused(Exception):
    """The XMP is not something the studio reads (a DTD, too deep, too many values)."""


def find_xmp(data: bytes) -> bytes | None:
    """The XMP packet embedded in a PNG, JPEG or WebP file, or None."""
    try:
        if data.startswith(_PNG):
            return _png_xmp(data)
        if data.startswith(b"\xff\xd8"):
            return _jpeg_xmp(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp_xmp(data)
    except (struct.error, zlib.error, ValueError):
        return None
    return None


def data_mining_values(xmp: bytes | str) -> list[str]:
    """Every `plus:DataMining` value in the packet (attribute, element text or rdf:resource); [] when the XML
    is malformed, declares a DTD or entities, or nests deeper than `MAX_DEPTH`."""
    raw = xmp.encode("utf-8") if isinstance(xmp, str) else xmp
    if len(raw) > MAX_XMP_BYTES:
        return []
    found: list[str] = []
    depth = 0
    inside: list[int] = []  # depths of open plus:DataMining elements
    text: list[str] = []

    def refuse(*_args: object) -> None:
        raise _Refused

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _Refused
        if DATA_MINING in attrs:
            _add(found, attrs[DATA_MINING])
        if name == DATA_MINING:
            inside.append(depth)
            text.clear()
        if inside and RDF_NS + " resource" in attrs:
            _add(found, attrs[RDF_NS + " resource"])

    def end(name: str) -> None:
        nonlocal depth
        if inside and (name == DATA_MINING or name == RDF_NS + " li"):
            _add(found, "".join(text))
            text.clear()
        if inside and inside[-1] == depth:
            inside.pop()
        depth -= 1

    def chars(data: str) -> None:
        if inside and sum(map(len, text)) < 1000:
            text.append(data)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(raw, True)
    except (expat.ExpatError, _Refused, ValueError):
        return []
    return found


def read_data_mining(data: bytes) -> list[str]:
    """The `plus:DataMining` values stated by an image file's XMP."""
    xmp = find_xmp(data)
    return data_mining_values(xmp) if xmp is not None else []


def _add(found: list[str], value: str) -> None:
    value = value.strip()
    if value:
        if len(found) >= MAX_VALUES:
            raise _Refused
        found.append(value[:200])


def data_mining_packet(value: str) -> bytes:
    """An XMP packet that states one `plus:DataMining` value (a PLUS vocabulary URI)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="' + RDF_NS + '">'
        '<rdf:Description rdf:about="" xmlns:plus="' + PLUS_NS + '">'
        "<plus:DataMining>" + value + "</plus:DataMining>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode("utf-8")


def embed_xmp(data: bytes, packet: bytes) -> bytes:
    """`data` (PNG, JPEG or WebP) with `packet` added; unchanged when it already carries XMP (the file's own
    metadata is never rewritten) or is none of these formats."""
    if find_xmp(data) is not None:
        return data
    if data.startswith(_PNG):
        return _png_with(data, packet)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_with(data, packet)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_with(data, packet)
    return data


# --- PNG ---------------------------------------------------------------------------------------------


def _png_chunks(data: bytes):
    pos = len(_PNG)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body_end = pos + 8 + length
        if body_end + 4 > len(data):
            return
        yield pos, kind, data[pos + 8 : body_end]
        if kind == b"IEND":
            return
        pos = body_end + 4


def _png_xmp(data: bytes) -> bytes | None:
    for _, kind, body in _png_chunks(data):
        if kind != b"iTXt" or not body.startswith(XMP_KEYWORD + b"\x00"):
            continue
        rest = body[len(XMP_KEYWORD) + 1 :]
        if len(rest) < 2:
            return None
        compressed, text = rest[0], rest[2:]
        text = text.split(b"\x00", 2)[-1] if text.count(b"\x00") >= 2 else b""  # language and translated keyword
        if compressed:
            inflater = zlib.decompressobj()
            text = inflater.decompress(text, MAX_XMP_BYTES + 1)
        return text if len(text) <= MAX_XMP_BYTES else None
    return None


def _png_with(data: bytes, packet: bytes) -> bytes:
    first = next(_png_chunks(data), None)
    if first is None or first[1] != b"IHDR":
        return data
    body = XMP_KEYWORD + b"\x00\x00\x00\x00\x00" + packet
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body + struct.pack(">I", zlib.crc32(b"iTXt" + body))
    after_header = len(_PNG) + 8 + len(first[2]) + 4
    return data[:after_header] + chunk + data[after_header:]


# --- JPEG --------------------------------------------------------------------------------------------


def _jpeg_segments(data: bytes):
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or marker == 0xD9:  # image data follows: no more metadata segments
            return
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            return
        yield pos, marker, data[pos + 4 : pos + 2 + length]
        pos += 2 + length


def _jpeg_xmp(data: bytes) -> bytes | None:
    for _, marker, body in _jpeg_segments(data):
        if marker == 0xE1 and body.startswith(JPEG_XMP_HEADER):
            return body[len(JPEG_XMP_HEADER) :]
    return None


def _jpeg_with(data: bytes, packet: bytes) -> bytes:
    body = JPEG_XMP_HEADER + packet
    if len(body) + 2 > 0xFFFF:
        return data
    at = 2
    for pos, marker, body_ in _jpeg_segments(data):
        if marker == 0xE0:  # keep JFIF / JFXX first
            at = pos + 4 + len(body_)
            continue
        break
    return data[:at] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + data[at:]


# --- WebP --------------------------------------------------------------------------------------------


def _webp_chunks(data: bytes):
    pos = 12
    end = min(len(data), 8 + struct.unpack("<I", data[4:8])[0])
    while pos + 8 <= end:
        kind, length = struct.unpack("<4sI", data[pos : pos + 8])
        if pos + 8 + length > end:
            return
        yield pos, kind, data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)


def _webp_xmp(data: bytes) -> bytes | None:
    for _, kind, body in _webp_chunks(data):
        if kind == b"XMP ":
            return body if len(body) <= MAX_XMP_BYTES else None
    return None


def _webp_with(data: bytes, packet: bytes) -> bytes:
    chunks = list(_webp_chunks(data))
    if not chunks:
        return data
    xmp = b"XMP " + struct.pack("<I", len(packet)) + packet + (b"\x00" if len(packet) & 1 else b"")
    pos, kind, body = chunks[0]
    if kind == b"VP8X":
        header = data[: pos + 8] + bytes([body[0] | 0x04]) + body[1:]
        rest = data[pos + 8 + len(body) : 8 + struct.unpack("<I", data[4:8])[0]]
        payload = header[12:] + rest + xmp
    else:
        size = _simple_webp_size(kind, body)
        if size is None:
            return data
        (width, height), alpha = size
        flags = 0x04 | (0x10 if alpha else 0)
        vp8x = struct.pack("<I", flags)[:4] + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
        payload = b"VP8X" + struct.pack("<I", 10) + vp8x + data[12 : 8 + struct.unpack("<I", data[4:8])[0]] + xmp
    return b"RIFF" + struct.pack("<I", 4 + len(payload)) + b"WEBP" + payload


def _simple_webp_size(kind: bytes, body: bytes) -> tuple[tuple[int, int], bool] | None:
    if kind == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return ((width & 0x3FFF, height & 0x3FFF), False)
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1), bool((bits >> 28) & 1))
    return None
