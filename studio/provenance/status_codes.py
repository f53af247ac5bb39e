"""C2PA validation status codes in words a creator can act on."""

from __future__ import annotations

_TAMPER_CODES = frozenset(
    {
        "assertion.dataHash.mismatch",
        "assertion.boxesHash.mismatch",
        "assertion.bmffHash.mismatch",
        "assertion.collectionHash.mismatch",
    }
)

_EXPLANATIONS = {
    "signingCredential.untrusted": "the signer {who} is not certified by a certificate authority you trust "
    "(add that CA as a trust anchor if you know this signer)",
    "signingCredential.invalid": "the certificate of {who} is not acceptable for Content Credentials",
    "signingCredential.expired": "the certificate of {who} had expired when it signed",
    "signingCredential.revoked": "the certificate of {who} was revoked",
    "signingCredential.ocsp.revoked": "the certificate of {who} was revoked",
    "claimSignature.mismatch": "the signature does not match the manifest: the credentials were altered after signing",
    "claimSignature.missing": "the manifest has no signature",
    "claimSignature.outsideValidity": "it was signed outside the validity period of the signing certificate",
    "assertion.hashedURI.mismatch": "part of the manifest was altered after signing",
    "assertion.missing": "the manifest refers to a part that is missing",
    "assertion.multipleHardBindings": "the manifest binds to the image more than once",
    "assertion.action.ingredientMismatch": "an action names an ingredient that does not match",
    "claim.missing": "the manifest has no claim",
    "claim.hardBindings.missing": "the manifest is not bound to the image bytes",
    "manifest.missing": "a manifest the credentials refer to is missing",
    "manifest.multipleParents": "the manifest names more than one parent",
    "ingredient.manifest.mismatch": "the credentials of an ingredient were altered",
    "ingredient.hashedURI.mismatch": "the credentials of an ingredient were altered",
    "ingredient.claimSignature.mismatch": "the signature of an ingredient's credentials does not match",
    "ingredient.manifest.missing": "the credentials of an ingredient are missing",
}


def is_tamper(code: str, scope: str) -> bool:
    """A hash of the asset itself failed: its bytes changed after signing."""
    return scope == "active" and code in _TAMPER_CODES


def explain(code: str, detail: str, who: str, scope: str) -> str:
    if code in _TAMPER_CODES:
        if "exclusion" in detail or "location" in detail:
            text = "the credentials were made for another file and copied into this one"
        else:
            text = "the image's pixels or bytes changed after it was signed"
    elif code in _EXPLANATIONS:
        text = _EXPLANATIONS[code].format(who=who)
    else:
        text = f"validation failed ({code})" + (f": {detail}" if detail else "")
    return f"in an ingredient, {text}" if scope == "ingredient" else text
