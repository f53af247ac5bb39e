"""check_work verdicts, audits of derivatives recorded from outside the app, and the flags they leave."""

from __future__ import annotations

import ast
import re
import string
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from studio.errors import InvalidInput, LineageError, NotFound
from studio.licensing import (
    CODES,
    LicensedWork,
    Reason,
    audit_recorded_derivative,
    check_work,
    plan_derivative,
    reason,
)

NOW = 1_700_000_000
STUDIO = Path(__file__).resolve().parents[2] / "studio"


def codes(reasons: Iterable[Reason], *, blocking: bool = False, scope: str | None = None) -> set[str]:
    return {r.code for r in reasons if (not blocking or r.blocks) and (scope is None or r.scope == scope)}


def test_verdict_for_a_publishable_commercial_remix(lineage) -> None:
    lineage.add("w", rev_share=8_000_000, title="Harbour", creator="Ann")
    verdict = check_work("w", lineage.works, now=NOW)
    assert verdict.can_remix and verdict.can_use_commercially and verdict.can_publish
    assert verdict.inherited_license == lineage.works["w"].terms
    assert verdict.story_terms == lineage.works["w"].terms
    assert [a.work_id for a in verdict.attribution] == ["w"]
    assert verdict.blocking() == ()


def test_a_work_on_chain_is_not_registered_twice(lineage) -> None:
    lineage.add("w", on_chain=True)
    verdict = check_work("w", lineage.works, now=NOW)
    assert not verdict.can_publish and verdict.can_remix
    assert [r.code for r in verdict.blocking("publish")] == ["already_on_chain"]


def test_audit_finds_a_derivative_that_drops_its_parents_reciprocal_terms(lineage) -> None:
    lineage.add("p", "pil-non-commercial-social-remixing", on_chain=True, title="Parent")
    lineage.add("c", "cc-by-4.0", parents=("p",), title="Child")
    found = audit_recorded_derivative("c", lineage.works, now=NOW)
    assert [(r.code, r.work_id) for r in found] == [
        ("license_differs_from_inherited", "c"), ("license_grants_more_than_parents", "p"),
    ]
    assert "“Child” carries CC BY 4.0, but its parent “Parent” requires PIL Non-Commercial" in found[0].message


def test_audit_finds_remixes_of_works_that_allow_none(lineage) -> None:
    lineage.add("arr", "all-rights-reserved")
    lineage.add("nd", "cc-by-nd-4.0")
    lineage.add("c", "all-rights-reserved", parents=("arr", "nd"), owned=True)
    assert codes(audit_recorded_derivative("c", lineage.works, now=NOW)) == {
        "all_rights_reserved", "cc_no_derivatives",
    }


def test_audit_of_a_compliant_derivative_or_a_root_is_empty(lineage) -> None:
    lineage.add("p", rev_share=5_000_000, on_chain=True)
    lineage.add("c", rev_share=5_000_000, rev_share_override=6_000_000, parents=("p",))
    assert audit_recorded_derivative("c", lineage.works, now=NOW) == []
    assert audit_recorded_derivative("p", lineage.works, now=NOW) == []


def test_stored_flags_stop_publishing_and_are_cited(lineage) -> None:
    lineage.add("p", "pil-non-commercial-social-remixing", on_chain=True)
    lineage.add("c", "cc-by-4.0", parents=("p",), owned=True)
    flags = tuple(r.to_dict() for r in audit_recorded_derivative("c", lineage.works, now=NOW))
    assert flags and all(set(f) >= {"code", "message", "severity", "scope"} for f in flags)
    lineage.add("c", "cc-by-4.0", parents=("p",), owned=True, flags=flags)  # as the lead stores them

    verdict = check_work("c", lineage.works, now=NOW)
    assert not verdict.can_publish
    cited = [r for r in verdict.blocking("publish") if r.code == "flagged"]
    assert len(cited) == len(flags)
    assert {r.message.split(": ", 1)[1] for r in cited} == {f["message"] for f in flags}
    assert not codes(verdict.reasons) & {f["code"] for f in flags}  # cited once, as flags

    plan = plan_derivative(["c"], lineage.works, commercial=False, now=NOW)
    assert "parent_flagged" in codes(plan.reasons)


def test_check_work_audits_a_work_even_before_it_is_flagged(lineage) -> None:
    lineage.add("p", "pil-non-commercial-social-remixing", on_chain=True)
    lineage.add("c", "pil-commercial-remix", parents=("p",), owned=True)
    verdict = check_work("c", lineage.works, now=NOW)
    assert not verdict.can_publish and not verdict.can_use_commercially
    assert "license_differs_from_inherited" in codes(verdict.reasons, blocking=True, scope="publish")


def test_reasons_round_trip_through_stored_dicts() -> None:
    original = reason("cc_no_derivatives", "w1", title="Pic", license="CC BY-ND 4.0")
    assert Reason.from_dict(original.to_dict()) == original
    odd = Reason.from_dict({"code": "x", "message": "m", "severity": "fatal", "scope": "?"})
    assert (odd.severity, odd.scope, odd.work_id) == ("block", "make", None)


def test_missing_works_cycles_and_unknown_relations_are_input_errors(lineage) -> None:
    lineage.add("a", parents=())
    with pytest.raises(InvalidInput, match="'copy' is not a valid Relation"):
        LicensedWork("x", "X", None, "image", lineage.works["a"].terms, parents=(("a", "copy"),))
    with pytest.raises(NotFound, match="'ghost' is not in the lineage"):
        check_work("ghost", lineage.works, now=NOW)
    lineage.add("b", parents=(("a", "remix_of"),))
    lineage.add("a", parents=(("b", "remix_of"),))
    with pytest.raises(LineageError, match="its own ancestor"):
        check_work("a", lineage.works, now=NOW)


def test_every_code_has_a_template_and_is_used(lineage) -> None:
    """codes.CODES is the complete table: each code the engine emits is in it, and each entry is used."""
    # The engine's codes, and those the publishing planner gives for training sets and models on Story.
    files = [*(STUDIO / "licensing").glob("*.py"), *(STUDIO / "services" / "publishing").glob("*.py")]
    source = "".join(p.read_text() for p in files if p.name != "codes.py")
    emitted = set(re.findall(r'reason\(\s*"([a-z_]+)"', source)) | set(re.findall(r'code = "([a-z_]+)"', source))
    emitted |= set(re.findall(r'"(license_must_be_[a-z_]+)"', source))
    assert emitted == set(CODES)
    for code, entry in CODES.items():
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", code)
        assert entry.severity in ("block", "warn", "info") and entry.scope in ("make", "commercial", "publish", "train")
        fields = {name for _, name, _, _ in string.Formatter().parse(entry.template) if name}
        message = reason(code, **dict.fromkeys(fields, "X")).message
        assert "{" not in message and (entry.template.endswith((".", "}")))


@pytest.mark.parametrize("package", ["licensing", "royalty"])
def test_the_engines_import_only_the_standard_library_and_the_core(package: str) -> None:
    allowed = {"studio.core", "studio.errors", f"studio.{package}"}
    for path in (STUDIO / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or any(
                    name == a or name.startswith(a + ".") for a in allowed
                ), f"{path.name} imports {name}"


def test_an_expired_own_work_stays_usable_locally_but_not_on_story(lineage) -> None:
    lineage.add("mine", expires_at=NOW - 1, owned=True, on_chain=True)
    verdict = check_work("mine", lineage.works, now=NOW)
    assert verdict.can_remix and verdict.can_use_commercially and not verdict.can_publish
    assert [r.code for r in verdict.blocking()] == ["work_expired", "already_on_chain"]
    plan = plan_derivative(["mine"], lineage.works, commercial=True, now=NOW)
    assert plan.allowed and not plan.can_publish
    assert [r.code for r in plan.blocking()] == ["pil_parent_expired"]
