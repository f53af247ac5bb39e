"""Reading and verifying Content Credentials: `read_credentials` turns a manifest store into a report.

States: "none" (no credentials), "trusted" (intact and signed under an anchor the user trusts), "valid"
(intact and properly signed, but by a signer the user has not chosen to trust) and "invalid" (something
fails: changed pixels, altered manifest, refused certificate). Hostile files are refused before the SDK
parses them (see `container.scan`) or come back as a `ProvenanceError`, never as a crash.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from studio.core.types import Recipe
from studio.licensing import TrainingSignal, signals_from_assertion
from studio.licensing.training import TRAINING_ASSERTIONS
from studio.provenance import c2pa_sdk
from studio.provenance.container import MAX_MANIFEST_BYTES, normalize_mime, scan
from studio.provenance.errors import ProvenanceError
from studio.provenance.manifest import (
    INGREDIENT_WORK_KEY,
    LABEL_LICENSE,
    LABEL_RECIPE,
    LABEL_STORY,
    LABEL_WORK,
    LicenseRef,
    StoryRef,
)
from studio.provenance.status_codes import explain, is_tamper
from studio.provenance.trust import checked_anchors

log = logging.getLogger(__name__)

State = Literal["none", "trusted", "valid", "invalid"]
_STATES: dict[str, State] = {"trusted": "trusted", "valid": "valid", "invalid": "invalid"}


@dataclass(frozen=True)
class SignerInfo:
    common_name: str | None
    issuer: str | None
    serial: str | None
    alg: str | None


@dataclass(frozen=True)
class ValidationIssue:
    code: str
    explanation: str  # human words
    detail: str  # the SDK's own explanation
    url: str | None
    scope: Literal["active", "ingredient"]


@dataclass(frozen=True)
class IngredientInfo:
    title: str | None
    relationship: str | None
    instance_id: str | None
    format: str | None
    manifest_label: str | None  # the ingredient's own active manifest in this store
    has_credentials: bool
    work_id: str | None
    signer: SignerInfo | None = None  # who signed the ingredient's own credentials
    # Failure codes the SDK recorded for the ingredient's credentials when it was added (with the signer's
    # trust anchors of that moment), e.g. signingCredential.untrusted for a foreign creator.
    recorded_issues: tuple[str, ...] = ()


@dataclass(frozen=True)
class CredentialReport:
    state: State
    tampered: bool = False
    signer: SignerInfo | None = None
    title: str | None = None
    work_id: str | None = None
    kind: str | None = None
    actions: tuple[str, ...] = ()
    ingredients: tuple[IngredientInfo, ...] = ()
    recipe: Recipe | None = None
    license: LicenseRef | None = None
    story: StoryRef | None = None
    training: tuple[TrainingSignal, ...] = ()  # what its training-and-data-mining assertion says
    errors: tuple[ValidationIssue, ...] = ()
    manifest_label: str | None = None
    manifest_count: int = 0
    manifest_bytes: int = 0
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """One line for the user."""
        if self.state == "none":
            return "No Content Credentials."
        who = signer_text(self.signer)
        if self.tampered:
            return f"Content Credentials by {who} do not match this image: it was changed after signing."
        if self.state == "trusted":
            return f"Signed by {who}; the credentials are intact and the signer is trusted."
        if self.state == "valid":
            reason = next((e.explanation for e in self.errors if e.code == "signingCredential.untrusted"), "")
            return f"Signed by {who}; the credentials are intact, but {reason or 'the signer is not trusted'}."
        first = self.errors[0].explanation if self.errors else "the credentials failed validation"
        return f"Content Credentials by {who} are invalid: {first}."


def read_credentials(
    data: bytes,
    mime: str,
    *,
    trust_anchors: list[str] | None,
    max_manifest_bytes: int = MAX_MANIFEST_BYTES,
) -> CredentialReport:
    """Read and verify the Content Credentials embedded in an image (PNG, JPEG or WebP)."""
    started = time.perf_counter()
    mime = normalize_mime(mime)
    info = scan(data, mime, max_manifest_bytes=max_manifest_bytes)
    # Even without an embedded store the SDK is asked: it also reports a reference to a remote manifest.
    result = c2pa_sdk.read(data, mime, trust_anchors=checked_anchors(trust_anchors))
    report = CredentialReport(state="none") if result is None else _report(result, info.manifest_bytes)
    log.info("read credentials (%s) in %.1f ms", report.state, (time.perf_counter() - started) * 1000)
    return report


def _report(result: c2pa_sdk.ReadResult, manifest_bytes: int) -> CredentialReport:
    store = result.manifest_store
    manifests = store.get("manifests")
    label = store.get("active_manifest")
    if not isinstance(manifests, dict) or not isinstance(label, str) or not isinstance(manifests.get(label), dict):
        raise ProvenanceError(
            "the Content Credentials name no readable active manifest", hint="the manifest store is malformed"
        )
    active = manifests[label]
    assertions = _assertions(active)
    signer = _signer(active.get("signature_info"))
    errors = tuple(_issues(store.get("validation_results"), signer))
    work = assertions.get(LABEL_WORK) or {}
    state = _STATES.get(str(result.state).lower(), "invalid")
    return CredentialReport(
        state=state,
        tampered=any(is_tamper(e.code, e.scope) for e in errors),
        signer=signer,
        title=_str(active.get("title")),
        work_id=_str(work.get("work_id")),
        kind=_str(work.get("kind")),
        actions=tuple(_actions(assertions)),
        ingredients=tuple(_ingredient(i, manifests) for i in _list(active.get("ingredients"))),
        recipe=_recipe(assertions.get(LABEL_RECIPE)),
        license=_license(assertions.get(LABEL_LICENSE)),
        story=_story(assertions.get(LABEL_STORY)),
        training=tuple(s for name in TRAINING_ASSERTIONS for s in signals_from_assertion(name, assertions.get(name))),
        errors=errors,
        manifest_label=label,
        manifest_count=len(manifests),
        manifest_bytes=manifest_bytes,
        raw=store,
    )


def _assertions(manifest: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for assertion in _list(manifest.get("assertions")):
        if isinstance(assertion, dict) and isinstance(assertion.get("label"), str):
            base = assertion["label"].split("__", 1)[0]
            base = "c2pa.actions" if base.startswith("c2pa.actions") else base
            found.setdefault(base, assertion.get("data"))
    return found


def _actions(assertions: dict[str, Any]) -> list[str]:
    data = assertions.get("c2pa.actions")
    actions = data.get("actions") if isinstance(data, dict) else None
    return [a["action"] for a in _list(actions) if isinstance(a, dict) and isinstance(a.get("action"), str)]


def _ingredient(ingredient: Any, manifests: dict[str, Any]) -> IngredientInfo:
    if not isinstance(ingredient, dict):
        return IngredientInfo(None, None, None, None, None, False, None)
    own_label = _str(ingredient.get("active_manifest"))
    metadata = ingredient.get("metadata") if isinstance(ingredient.get("metadata"), dict) else {}
    work_id = _str(metadata.get(INGREDIENT_WORK_KEY))
    own = manifests.get(own_label) if own_label else None
    if work_id is None and isinstance(own, dict):
        work = _assertions(own).get(LABEL_WORK)
        work_id = _str(work.get("work_id")) if isinstance(work, dict) else None
    recorded = ingredient.get("validation_results")
    recorded_active = recorded.get("activeManifest") if isinstance(recorded, dict) else None
    failures = _list(recorded_active.get("failure")) if isinstance(recorded_active, dict) else []
    return IngredientInfo(
        title=_str(ingredient.get("title")),
        relationship=_str(ingredient.get("relationship")),
        instance_id=_str(ingredient.get("instance_id")),
        format=_str(ingredient.get("format")),
        manifest_label=own_label,
        has_credentials=isinstance(own, dict),
        work_id=work_id,
        signer=_signer(own.get("signature_info")) if isinstance(own, dict) else None,
        recorded_issues=tuple(c for f in failures if isinstance(f, dict) and (c := _str(f.get("code")))),
    )


def _signer(info: Any) -> SignerInfo | None:
    if not isinstance(info, dict):
        return None
    return SignerInfo(
        common_name=_str(info.get("common_name")),
        issuer=_str(info.get("issuer")),
        serial=_str(info.get("cert_serial_number")),
        alg=_str(info.get("alg")),
    )


def _issues(results: Any, signer: SignerInfo | None) -> list[ValidationIssue]:
    if not isinstance(results, dict):
        return []
    issues = []
    active = results.get("activeManifest")
    if isinstance(active, dict):
        issues += [_issue(s, "active", signer) for s in _list(active.get("failure"))]
    for delta in _list(results.get("ingredientDeltas")):
        deltas = delta.get("validationDeltas") if isinstance(delta, dict) else None
        if isinstance(deltas, dict):
            issues += [_issue(s, "ingredient", signer) for s in _list(deltas.get("failure"))]
    return issues


def _issue(status: Any, scope: Literal["active", "ingredient"], signer: SignerInfo | None) -> ValidationIssue:
    status = status if isinstance(status, dict) else {}
    code = _str(status.get("code")) or "unknown"
    detail = _str(status.get("explanation")) or ""
    who = signer_text(signer) if scope == "active" else "the ingredient's signer"
    return ValidationIssue(code, explain(code, detail, who, scope), detail, _str(status.get("url")), scope)


def _recipe(data: Any) -> Recipe | None:
    if not isinstance(data, dict):
        return None
    try:
        return Recipe.from_dict(data)
    except (TypeError, ValueError, AttributeError):
        return None


def _license(data: Any) -> LicenseRef | None:
    if not isinstance(data, dict):
        return None
    try:
        return LicenseRef(id=data.get("id"), url=_str(data.get("url")), name=_str(data.get("name")))
    except ProvenanceError:
        return None


def _story(data: Any) -> StoryRef | None:
    if not isinstance(data, dict):
        return None
    terms = data.get("license_terms_id")
    try:
        return StoryRef(
            ip_id=data.get("ip_id"),
            chain_id=data.get("chain_id"),
            chain=_str(data.get("chain")),
            tx_hash=_str(data.get("tx_hash")),
            license_terms_id=terms if isinstance(terms, int) else None,
        )
    except ProvenanceError:
        return None


def signer_text(signer: SignerInfo | None) -> str:
    """Who signed, in the words a user reads: the common name with its issuer where both are known."""
    if signer is None or not (signer.common_name or signer.issuer):
        return "an unknown signer"
    if signer.common_name and signer.issuer:
        return f"{signer.common_name} ({signer.issuer})"
    return signer.common_name or signer.issuer or "an unknown signer"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
