"""Tamper detection: changed pixels, altered manifests, credentials copied onto another file."""

from __future__ import annotations

import io
import struct

from c2pa_images import (
    jpeg_bytes,
    manifest_store_of,
    png_bytes,
    png_chunk,
    png_chunks,
    with_chunk_after_header,
)
from PIL import Image

from studio.core.types import Recipe
from studio.provenance import ProvenanceClaim, read_credentials, sign_image

PROMPT = "a quiet harbour"


def _signed(alice) -> bytes:
    claim = ProvenanceClaim(
        title="harbour", work_id="W-t", mime="image/png", kind="generated", recipe=Recipe(prompt=PROMPT, seed=1)
    )
    return sign_image(png_bytes(size=(96, 64)), "image/png", claim, alice)


def test_changed_pixels_after_signing_are_detected(alice, alice_anchors):
    signed = _signed(alice)
    image = Image.open(io.BytesIO(signed)).convert("RGB")
    image.putpixel((10, 10), (255, 255, 255))
    reencoded = io.BytesIO()
    image.save(reencoded, "PNG")
    # Keep the original credentials in the re-encoded file, where a careless editor would leave them.
    tampered = with_chunk_after_header(reencoded.getvalue(), png_chunk(b"caBX", manifest_store_of(signed)))

    report = read_credentials(tampered, "image/png", trust_anchors=alice_anchors)
    assert report.state == "invalid" and report.tampered
    assert report.signer.common_name == "Alice Example"  # the credentials still say who signed them
    codes = [e.code for e in report.errors]
    assert "assertion.dataHash.mismatch" in codes
    assert any("pixels or bytes changed" in e.explanation for e in report.errors)
    assert "changed after signing" in report.summary
    # The untouched original still verifies.
    assert read_credentials(signed, "image/png", trust_anchors=alice_anchors).state == "trusted"


def test_a_flipped_byte_in_the_image_data_is_detected(alice, alice_anchors):
    signed = bytearray(_signed(alice))
    _, body, offset = next(c for c in png_chunks(bytes(signed)) if c[0] == b"IDAT")
    signed[offset + 8 + len(body) // 2] ^= 0x01
    report = read_credentials(bytes(signed), "image/png", trust_anchors=alice_anchors)
    assert report.state == "invalid" and report.tampered


def test_reencoding_without_the_manifest_strips_the_credentials(alice, alice_anchors):
    out = io.BytesIO()
    Image.open(io.BytesIO(_signed(alice))).save(out, "PNG")
    assert read_credentials(out.getvalue(), "image/png", trust_anchors=alice_anchors).state == "none"


def test_an_edited_assertion_breaks_the_manifest_not_the_pixels(alice, alice_anchors):
    signed = _signed(alice)
    store = manifest_store_of(signed)
    assert PROMPT.encode() in store
    forged_store = store.replace(PROMPT.encode(), b"a rough harbour")
    assert len(forged_store) == len(store)
    chunks = png_chunks(signed)
    _, body, offset = next(c for c in chunks if c[0] == b"caBX")
    forged = signed[:offset] + png_chunk(b"caBX", forged_store) + signed[offset + 12 + len(body) :]
    report = read_credentials(forged, "image/png", trust_anchors=alice_anchors)
    assert report.state == "invalid"
    assert not report.tampered  # the pixels are as signed; the manifest is what changed
    assert "assertion.hashedURI.mismatch" in [e.code for e in report.errors]
    assert any("altered after signing" in e.explanation for e in report.errors)


def test_jpeg_pixels_changed_after_signing(alice, alice_anchors):
    claim = ProvenanceClaim(title="j", work_id="W-j", mime="image/jpeg", kind="generated")
    signed = bytearray(sign_image(jpeg_bytes(size=(96, 64)), "image/jpeg", claim, alice))
    scan_start = bytes(signed).index(b"\xff\xda")
    signed[scan_start + 40] ^= 0x10
    report = read_credentials(bytes(signed), "image/jpeg", trust_anchors=alice_anchors)
    assert report.state == "invalid" and report.tampered


def test_png_credentials_copied_into_a_jpeg_are_caught(alice, alice_anchors):
    """A manifest made for a PNG, carried by a JPEG: it binds to other bytes, so it cannot be valid."""
    store = manifest_store_of(_signed(alice))
    jpeg = jpeg_bytes()
    body = b"JP" + struct.pack(">HI", 1, 1) + store
    segment = b"\xff\xeb" + struct.pack(">H", len(body) + 2) + body
    hostile = jpeg[:2] + segment + jpeg[2:]

    report = read_credentials(hostile, "image/jpeg", trust_anchors=alice_anchors)
    assert report.state == "invalid" and report.tampered
    assert any("made for another file" in e.explanation for e in report.errors)
