"""The one module that talks to c2pa-python: settings, signing, reading, and its errors in plain words.

Every call gets its own Context, built offline: no remote manifests, no OCSP, no thumbnails (the library
keeps the images themselves), the studio's trust anchors and extended-key-usage allow-list.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import c2pa

from studio.provenance.certificates import SIGNING_EKUS
from studio.provenance.errors import ProvenanceError

log = logging.getLogger(__name__)

_ALGS = {
    "es256": c2pa.C2paSigningAlg.ES256,
    "es384": c2pa.C2paSigningAlg.ES384,
    "es512": c2pa.C2paSigningAlg.ES512,
    "ps256": c2pa.C2paSigningAlg.PS256,
    "ed25519": c2pa.C2paSigningAlg.ED25519,
}
_MAX_DETAIL = 240


@dataclass(frozen=True)
class IngredientInput:
    definition: dict[str, Any]
    mime: str
    data: bytes


@dataclass(frozen=True)
class ReadResult:
    manifest_store: dict[str, Any]
    state: str  # the SDK's validation state: Trusted, Valid or Invalid


def sdk_version() -> str:
    return c2pa.sdk_version()


def _settings(trust_anchors: Sequence[str]) -> dict[str, Any]:
    trust: dict[str, str] = {"trust_config": "\n".join(oid.dotted_string for oid in SIGNING_EKUS) + "\n"}
    if trust_anchors:
        trust["user_anchors"] = "\n".join(anchor.strip() for anchor in trust_anchors) + "\n"
    return {
        "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False},
        "builder": {"thumbnail": {"enabled": False}},
        "trust": trust,
    }


def _context(trust_anchors: Sequence[str]) -> c2pa.Context:
    try:
        return c2pa.Context.from_dict(_settings(trust_anchors))
    except c2pa.C2paError as exc:
        raise ProvenanceError(
            f"the trust anchors could not be used: {_detail(exc)}",
            hint="check that each anchor is a PEM CA certificate",
        ) from None


def sign(
    manifest: dict[str, Any],
    ingredients: Sequence[IngredientInput],
    data: bytes,
    mime: str,
    *,
    chain_pem: str,
    key_pem: str,
    alg: str,
    trust_anchors: Sequence[str],
) -> bytes:
    context = _context(trust_anchors)
    try:
        signer = c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(_ALGS[alg], chain_pem.encode("ascii"), key_pem.encode("ascii"), None)
        )
    except c2pa.C2paError as exc:
        raise _signing_error(exc) from None
    try:
        builder = c2pa.Builder(manifest, context=context)
        for ingredient in ingredients:
            title = ingredient.definition.get("title", "?")
            try:
                builder.add_ingredient(ingredient.definition, ingredient.mime, io.BytesIO(ingredient.data))
            except c2pa.C2paError as exc:
                raise ProvenanceError(
                    f"the ingredient {title!r} could not be added: {_detail(exc)}",
                    hint="its embedded Content Credentials are malformed; re-import the image without them",
                ) from None
        out = io.BytesIO()
        try:
            builder.sign(signer, mime, io.BytesIO(data), out)
        except c2pa.C2paError as exc:
            raise _signing_error(exc) from None
        return out.getvalue()
    finally:
        signer.close()
        context.close()


def read(data: bytes, mime: str, *, trust_anchors: Sequence[str]) -> ReadResult | None:
    """The manifest store and validation state, or None when the file carries no Content Credentials."""
    context = _context(trust_anchors)
    try:
        reader = c2pa.Reader(mime, io.BytesIO(data), context=context)
    except c2pa.C2paError as exc:
        if _kind(exc) == "ManifestNotFound":
            return None
        raise _reading_error(exc) from None
    finally:
        context.close()
    try:
        with reader:
            store = json.loads(reader.json())
            state = reader.get_validation_state() or store.get("validation_state") or "Invalid"
    except (c2pa.C2paError, ValueError) as exc:
        raise ProvenanceError(
            f"the Content Credentials could not be decoded: {_detail(exc)}", hint="the manifest is malformed"
        ) from None
    return ReadResult(store, state)


def _kind(exc: Exception) -> str:
    """The SDK's error kind: the word before the first colon of its message ("Verify", "Io", ...)."""
    match = re.match(r"\s*([A-Za-z]+):", str(exc))
    return match.group(1) if match else type(exc).__name__.lstrip("_").removeprefix("C2pa")


def _detail(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _signing_error(exc: c2pa.C2paError) -> ProvenanceError:
    kind, detail = _kind(exc), _detail(exc)
    log.info("signing refused: %s", detail)
    if kind in {"Signature", "CoseInvalidCert", "Verify"} and "certificate" in detail.lower():
        return ProvenanceError(
            f"the signing certificate was refused: {detail}",
            hint="C2PA needs a certificate issued by a CA (not self-signed) with the digitalSignature key usage "
            "and the emailProtection or documentSigning purpose; let the studio make its local identity or "
            "import such a chain",
        )
    if kind == "NotSupported":
        return ProvenanceError(f"this image format cannot be signed: {detail}", hint="use PNG, JPEG or WebP")
    return ProvenanceError(f"the image could not be signed: {detail}", hint="check the image and the claim")


def _reading_error(exc: c2pa.C2paError) -> ProvenanceError:
    kind, detail = _kind(exc), _detail(exc)
    log.info("reading refused: %s", detail)
    if kind == "Remote":
        return ProvenanceError(
            "this image's Content Credentials are stored online, and the studio reads only credentials "
            "embedded in the file",
            hint="check it with an online C2PA verifier",
        )
    if kind in {"Io", "Other"}:
        return ProvenanceError(
            f"the image file is damaged or truncated: {detail}", hint="copy or download it again; it was not read"
        )
    if kind == "NotSupported":
        return ProvenanceError(
            f"this file type cannot carry Content Credentials: {detail}", hint="use PNG, JPEG or WebP"
        )
    return ProvenanceError(
        f"the Content Credentials in this image are malformed: {detail}",
        hint="the file may have been damaged or crafted; it was not trusted",
    )
