"""License files: one TOML file per license in `licenses/`, read into a `License` and refused, with the rule it
breaks, when a key is missing, unknown, mistyped, or its [pil] terms are ones Story would not register."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.errors import InvalidInput
from studio.licensing.license import (
    CONDITION_SCOPES,
    PARAMETERS,
    Condition,
    License,
    LicenseFamily,
    OutputTerms,
    TrainingTerm,
)
from studio.licensing.story_rules import PilTerms, registration_problems


class LicenseFileError(InvalidInput):
    """A file of the license catalogue that cannot be used; the message names the file and the rule."""


_NONE = "none"
_TOP_KEYS = {"id", "name", "family", "legal_url", "summary", "parameters", "pil", "extra", "training"}
# Only model licenses whose outputs differ from the model, or that set conditions, carry these.
_OPTIONAL_KEYS = {"outputs", "conditions"}
_OUTPUT_KEYS = {"commercial_use", "attribution_required", "training_allowed", "terms", "training_terms"}
_CONDITION_KEYS = {"id", "applies_to", "statement"}
_EXTRA_KEYS = {"share_alike", "attribution_required", "use_restrictions", "on_story"}
_PIL_TYPES: dict[str, type] = {
    "transferable": bool,
    "royalty_policy": str,
    "default_minting_fee": int,
    "expiration": int,
    "commercial_use": bool,
    "commercial_attribution": bool,
    "commercializer_checker": str,
    "commercializer_checker_data": str,
    "commercial_rev_share": int,
    "commercial_rev_ceiling": int,
    "derivatives_allowed": bool,
    "derivatives_attribution": bool,
    "derivatives_approval": bool,
    "derivatives_reciprocal": bool,
    "derivative_rev_ceiling": int,
    "currency": str,
    "uri": str,
}


def parse_license_file(path: Path) -> License:
    """One license file, checked key by key and against Story's rules; LicenseFileError says what to fix."""
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LicenseFileError(f"{where}: not a readable TOML file ({exc})") from exc

    def fail(rule: str) -> LicenseFileError:
        return LicenseFileError(f"{where}: {rule}", hint="fix the file or remove it from the license folder")

    _check_keys({k: v for k, v in data.items() if k not in _OPTIONAL_KEYS}, _TOP_KEYS, "", fail)
    for key in ("id", "name", "family", "legal_url", "summary"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise fail(f"{key} must be a non-empty string")
    license_id = data["id"]
    if license_id != path.stem:
        raise fail(f"id {license_id!r} must match the file name {path.stem!r}")
    if license_id != license_id.lower() or " " in license_id:
        raise fail(f"id {license_id!r} must be lower-case with no spaces")
    try:
        family = LicenseFamily(data["family"])
    except ValueError:
        raise fail(f"family {data['family']!r} must be one of {', '.join(f.value for f in LicenseFamily)}") from None
    if not data["legal_url"].startswith("https://"):
        raise fail("legal_url must be an https:// address of the official legal text")

    pil_table = data["pil"]
    if not isinstance(pil_table, dict):
        raise fail("[pil] must be a table")
    _check_keys(pil_table, set(_PIL_TYPES), "pil.", fail)
    for key, kind in _PIL_TYPES.items():
        value = pil_table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(f"pil.{key} must be a {kind.__name__}, not {value!r}")
    try:
        checker_data = bytes.fromhex(pil_table["commercializer_checker_data"].removeprefix("0x"))
    except ValueError:
        raise fail("pil.commercializer_checker_data must be hex bytes (or empty)") from None
    pil = PilTerms(
        transferable=pil_table["transferable"],
        royalty_policy=_optional(pil_table["royalty_policy"]),
        default_minting_fee=pil_table["default_minting_fee"],
        expiration=pil_table["expiration"],
        commercial_use=pil_table["commercial_use"],
        commercial_attribution=pil_table["commercial_attribution"],
        commercializer_checker=_optional(pil_table["commercializer_checker"]),
        commercializer_checker_data=checker_data,
        commercial_rev_share=pil_table["commercial_rev_share"],
        commercial_rev_ceiling=pil_table["commercial_rev_ceiling"],
        derivatives_allowed=pil_table["derivatives_allowed"],
        derivatives_attribution=pil_table["derivatives_attribution"],
        derivatives_approval=pil_table["derivatives_approval"],
        derivatives_reciprocal=pil_table["derivatives_reciprocal"],
        derivative_rev_ceiling=pil_table["derivative_rev_ceiling"],
        currency=_optional(pil_table["currency"]),
        uri=pil_table["uri"],
    )
    problems = registration_problems(pil)
    if problems:
        raise fail(f"Story would refuse its [pil] terms: {problems[0]}")

    extra = data["extra"]
    if not isinstance(extra, dict):
        raise fail("[extra] must be a table")
    _check_keys(extra, _EXTRA_KEYS, "extra.", fail)
    for key in ("share_alike", "attribution_required"):
        if not isinstance(extra[key], bool):
            raise fail(f"extra.{key} must be true or false")
    restrictions = extra["use_restrictions"]
    if not isinstance(restrictions, list) or not all(isinstance(r, str) and r.strip() for r in restrictions):
        raise fail("extra.use_restrictions must be a list of short texts")
    if not isinstance(extra["on_story"], str):
        raise fail("extra.on_story must be a PIL license id or \"none\"")
    on_story = _optional(extra["on_story"])
    if family is LicenseFamily.pil and on_story != license_id:
        raise fail("a PIL license is represented on Story by itself: extra.on_story must be its own id")
    if extra["share_alike"] and on_story is not None:
        raise fail("share-alike cannot be expressed as PIL terms: extra.on_story must be \"none\"")

    parameters = data["parameters"]
    if not isinstance(parameters, list) or not all(p in PARAMETERS for p in parameters):
        raise fail(f"parameters must be a list drawn from {', '.join(PARAMETERS)}")
    if parameters and family is not LicenseFamily.pil:
        raise fail("only PIL licenses take parameters")
    if "rev_share" in parameters and not pil.commercial_use:
        raise fail("a rev_share parameter needs commercial_use = true")
    if "minting_fee" in parameters and pil.royalty_policy is None:
        raise fail("a minting_fee parameter needs a royalty_policy")

    training = data["training"]
    if not isinstance(training, dict) or set(training) != {"allowed", "why"}:
        raise fail("[training] must hold exactly allowed (true or false) and why (a sentence)")
    if not isinstance(training["allowed"], bool) or not isinstance(training["why"], str) or not training["why"].strip():
        raise fail("training.allowed must be true or false and training.why a non-empty sentence")

    outputs = _outputs(data.get("outputs"), fail)
    conditions = _conditions(data.get("conditions", []), fail)

    return License(
        id=license_id,
        name=data["name"].strip(),
        family=family,
        legal_url=data["legal_url"],
        summary=" ".join(data["summary"].split()),
        pil=pil,
        share_alike=extra["share_alike"],
        attribution_required=extra["attribution_required"],
        use_restrictions=tuple(r.strip() for r in restrictions),
        on_story=on_story,
        parameters=tuple(parameters),
        training=TrainingTerm(training["allowed"], " ".join(training["why"].split())),
        outputs=outputs,
        conditions=conditions,
    )


def _outputs(table: Any, fail: Callable[[str], LicenseFileError]) -> OutputTerms | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise fail("[outputs] must be a table")
    _check_keys(table, _OUTPUT_KEYS, "outputs.", fail)
    for key in ("commercial_use", "attribution_required", "training_allowed"):
        if not isinstance(table[key], bool):
            raise fail(f"outputs.{key} must be true or false")
    for key in ("terms", "training_terms"):
        if not isinstance(table[key], str):
            raise fail(f"outputs.{key} must be a sentence")
    if not table["terms"].strip():
        raise fail("outputs.terms must say what the license allows for outputs")
    if not table["training_allowed"] and not table["training_terms"].strip():
        raise fail("outputs.training_terms must say why training on outputs is not allowed")
    return OutputTerms(table["commercial_use"], table["attribution_required"], table["training_allowed"],
                       " ".join(table["terms"].split()), " ".join(table["training_terms"].split()))


def _conditions(entries: Any, fail: Callable[[str], LicenseFileError]) -> tuple[Condition, ...]:
    if not isinstance(entries, list):
        raise fail("[[conditions]] must be a list of tables")
    found: list[Condition] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise fail("each [[conditions]] entry must be a table")
        _check_keys(entry, _CONDITION_KEYS, "conditions.", fail)
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in _CONDITION_KEYS):
            raise fail("conditions.id, applies_to and statement must be non-empty strings")
        if entry["applies_to"] not in CONDITION_SCOPES:
            raise fail(f"conditions.applies_to must be one of {', '.join(CONDITION_SCOPES)}")
        cid = entry["id"]
        if cid != cid.lower() or " " in cid or any(c.id == cid for c in found):
            raise fail(f"condition id {cid!r} must be lower-case, with no spaces, and unique in the file")
        found.append(Condition(cid, entry["applies_to"], " ".join(entry["statement"].split())))
    return tuple(found)


def _optional(value: str) -> str | None:
    return None if value.strip().lower() == _NONE else value


def _check_keys(
    table: dict[str, Any], expected: set[str], prefix: str, fail: Callable[[str], LicenseFileError]
) -> None:
    missing = sorted(expected - table.keys())
    if missing:
        raise fail(f"missing {', '.join(prefix + k for k in missing)}")
    unknown = sorted(table.keys() - expected)
    if unknown:
        raise fail(f"unknown key {', '.join(prefix + k for k in unknown)}")
