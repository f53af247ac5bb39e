"""C2PA Content Credentials: the creator's signing identity, signing images, reading and verifying them.

The C2PA SDK (c2pa-python) is imported only in `studio.provenance.c2pa_sdk`.
"""

from __future__ import annotations

from studio.provenance.errors import IdentityError, ProvenanceError
from studio.provenance.identity import CreatorIdentity, ensure_identity, import_identity, load_identity, trust_anchors
from studio.provenance.manifest import IngredientSource, LicenseRef, ProvenanceClaim, StoryRef, sign_image
from studio.provenance.trust import add_trust_anchor, remove_trust_anchor, user_trust_anchors
from studio.provenance.verify import (
    CredentialReport,
    IngredientInfo,
    SignerInfo,
    ValidationIssue,
    read_credentials,
    signer_text,
)

__all__ = [
    "CreatorIdentity",
    "CredentialReport",
    "IdentityError",
    "IngredientInfo",
    "IngredientSource",
    "LicenseRef",
    "ProvenanceClaim",
    "ProvenanceError",
    "SignerInfo",
    "StoryRef",
    "ValidationIssue",
    "add_trust_anchor",
    "ensure_identity",
    "import_identity",
    "load_identity",
    "read_credentials",
    "remove_trust_anchor",
    "sign_image",
    "signer_text",
    "trust_anchors",
    "user_trust_anchors",
]
