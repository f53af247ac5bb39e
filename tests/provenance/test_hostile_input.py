"""Hostile files: oversized, malformed or truncated manifests, mislabelled formats, remote references.

Each must end as a clear one-line ProvenanceError (or a report), never a crash or a hang.
"""

from __future__ import annotations

import io
import os
import struct
import time

import c2pa
import pytest
from c2pa_images import (
    jpeg_bytes,
    manifest_store_of,
    png_bytes,
    png_chunk,
    png_chunks,
    webp_bytes,
    with_chunk_after_header,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.errors import StudioError
from studio.provenance import (
    CredentialReport,
    IngredientSource,
    ProvenanceClaim,
    ProvenanceError,
    read_credentials,
    sign_image,
)
from studio.provenance.container import MAX_MANIFEST_BYTES


def _read(data: bytes, mime: str = "image/png", **kwargs) -> CredentialReport:
    return read_credentials(data, mime, trust_anchors=None, **kwargs)


def _expect_error(data: bytes, mime: str, match: str, **kwargs) -> ProvenanceError:
    started = time.perf_counter()
    with pytest.raises(ProvenanceError, match=match) as err:
        _read(data, mime, **kwargs)
    assert time.perf_counter() - started < 2.0
    assert "\n" not in str(err.value) and isinstance(err.value, StudioError)
    return err.value


@pytest.fixture(scope="module")
def signed_png(alice) -> bytes:
    claim = ProvenanceClaim(title="target", work_id="W-h", mime="image/png", kind="generated")
    return sign_image(png_bytes(size=(80, 60)), "image/png", claim, alice)


@pytest.fixture(scope="module")
def signed_jpeg(alice) -> bytes:
    claim = ProvenanceClaim(title="target", work_id="W-hj", mime="image/jpeg", kind="generated")
    return sign_image(jpeg_bytes(size=(80, 60)), "image/jpeg", claim, alice)


def test_an_oversized_manifest_store_is_refused_before_parsing():
    hostile = with_chunk_after_header(png_bytes(), png_chunk(b"caBX", b"\0" * (MAX_MANIFEST_BYTES + 1)))
    _expect_error(hostile, "image/png", "over the 16,777,216-byte limit")


def test_the_limit_is_adjustable(signed_png):
    assert _read(signed_png).state == "valid"
    _expect_error(signed_png, "image/png", "over the 1,000-byte limit", max_manifest_bytes=1000)


def test_many_jpeg_segments_add_up_to_the_limit():
    segment_body = b"JP" + struct.pack(">HI", 1, 1) + b"\0" * 60_000
    segment = b"\xff\xeb" + struct.pack(">H", len(segment_body) + 2) + segment_body
    jpeg = jpeg_bytes()
    _expect_error(
        jpeg[:2] + segment * 20 + jpeg[2:], "image/jpeg", "over the 1,000,000-byte limit", max_manifest_bytes=1_000_000
    )


@pytest.mark.parametrize(
    "store",
    [
        os.urandom(3000),
        struct.pack(">I", 0xFFFFFFF0) + b"jumb" + os.urandom(100),
        b"\0\0\0\x08jumb",
    ],
    ids=["random", "huge-box-length", "empty-superbox"],
)
def test_malformed_jumbf_is_a_clear_error(store):
    _expect_error(with_chunk_after_header(png_bytes(), png_chunk(b"caBX", store)), "image/png", "malformed")


def test_deeply_nested_boxes_are_a_clear_error():
    nested = b""
    for _ in range(5000):
        nested = struct.pack(">I", len(nested) + 8) + b"jumb" + nested
    _expect_error(with_chunk_after_header(png_bytes(), png_chunk(b"caBX", nested)), "image/png", "malformed")


def test_truncated_files_are_refused(signed_png, signed_jpeg):
    cabx_offset = next(offset for kind, _, offset in png_chunks(signed_png) if kind == b"caBX")
    idat_offset = next(offset for kind, _, offset in png_chunks(signed_png) if kind == b"IDAT")
    for cut in (8, 20, cabx_offset + 100, idat_offset + 30, len(signed_png) - 1):
        _expect_error(signed_png[:cut], "image/png", "truncated or damaged PNG")
    for cut in (4, 200, len(signed_jpeg) // 2, len(signed_jpeg) - 2):
        _expect_error(signed_jpeg[:cut], "image/jpeg", "truncated or damaged JPEG")
    webp = webp_bytes()
    _expect_error(webp[: len(webp) - 5], "image/webp", "truncated or damaged WebP")


def test_a_jpeg_labelled_png_is_refused(signed_jpeg, signed_png):
    _expect_error(signed_jpeg, "image/png", "given as PNG but its bytes are a JPEG")
    _expect_error(signed_png, "image/jpeg", "given as JPEG but its bytes are a PNG")


@pytest.mark.parametrize(
    ("data", "mime", "match"),
    [
        (b"", "image/png", "empty"),
        (os.urandom(500), "image/png", "not a PNG, JPEG or WebP"),
        (b"GIF89a" + b"\0" * 100, "image/gif", "not supported for 'image/gif'"),
        (b"\x89PNG\r\n\x1a\n", "image/png", "truncated"),
    ],
    ids=["empty", "garbage", "gif", "signature-only"],
)
def test_not_an_image(data, mime, match):
    _expect_error(data, mime, match)


def test_a_reference_to_remote_credentials_is_not_fetched(alice):
    # Build the file with the SDK itself: credentials stored "online", the image only points to them.
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            c2pa.C2paSigningAlg.ES256, alice.chain_pem.encode(), alice.private_key.reveal().encode(), None
        )
    )
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    builder = c2pa.Builder(
        {
            "claim_generator_info": [{"name": "test"}],
            "title": "remote",
            "assertions": [
                {
                    "label": "c2pa.actions",
                    "data": {
                        "actions": [
                            {
                                "action": "c2pa.created",
                                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation",
                            }
                        ]
                    },
                }
            ],
        },
        context=context,
    )
    builder.set_no_embed()
    builder.set_remote_url("http://127.0.0.1:9/manifest.c2pa")
    out = io.BytesIO()
    builder.sign(signer, "image/png", io.BytesIO(png_bytes()), out)
    _expect_error(out.getvalue(), "image/png", "stored online")


def test_a_parent_with_malformed_credentials_cannot_be_an_ingredient(alice):
    hostile_parent = with_chunk_after_header(png_bytes(), png_chunk(b"caBX", os.urandom(2000)))
    claim = ProvenanceClaim(
        title="child",
        work_id="W-c",
        mime="image/png",
        kind="remix",
        ingredients=(IngredientSource("evil parent", "parentOf", data=hostile_parent),),
    )
    with pytest.raises(ProvenanceError, match="ingredient 'evil parent'"):
        sign_image(png_bytes(), "image/png", claim, alice)


def test_an_oversized_ingredient_store_is_refused(alice):
    parent = with_chunk_after_header(png_bytes(), png_chunk(b"caBX", b"\0" * 5000))
    claim = ProvenanceClaim(
        title="child",
        work_id="W-c",
        mime="image/png",
        kind="remix",
        ingredients=(IngredientSource("big parent", "parentOf", data=parent),),
    )
    with pytest.raises(ProvenanceError, match=r"ingredient 'big parent'.*over the 4,000-byte limit"):
        sign_image(png_bytes(), "image/png", claim, alice, max_manifest_bytes=4000)


_MUTATION = st.tuples(
    st.sampled_from(["flip", "cut", "insert", "overwrite"]),
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.binary(min_size=1, max_size=64),
)


def _mutate(data: bytes, mutation: tuple[str, float, bytes]) -> bytes:
    kind, where, payload = mutation
    if not data:
        return payload
    pos = int(where * len(data))
    if kind == "flip":
        return data[:pos] + bytes([data[pos] ^ (payload[0] or 1)]) + data[pos + 1 :]
    if kind == "cut":
        return data[:pos]
    if kind == "insert":
        return data[:pos] + payload + data[pos:]
    return data[:pos] + payload + data[pos + len(payload) :]


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=3), as_jpeg=st.booleans())
def test_mutated_signed_files_never_crash(signed_png, signed_jpeg, mutations, as_jpeg):
    data, mime = (signed_jpeg, "image/jpeg") if as_jpeg else (signed_png, "image/png")
    for mutation in mutations:
        data = _mutate(data, mutation)
    try:
        report = _read(data, mime)
    except ProvenanceError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert report.state in {"none", "valid", "invalid"}


def test_store_bytes_from_a_signed_file_are_found(signed_png):
    """Guards the helpers the hostile cases rely on."""
    assert manifest_store_of(signed_png)[4:8] == b"jumb"
