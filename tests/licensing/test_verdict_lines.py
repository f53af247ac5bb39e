"""Every answer of a verdict carries its reason, consistent with the license; an owner's rights are stated as such."""

from __future__ import annotations

import pytest

from studio.licensing import check_work
from studio.licensing.works import Verdict

NOW = 1_700_000_000


def answers(verdict: Verdict) -> dict[tuple[str, str], tuple[str, str]]:
    return {(line.who, line.action): (line.answer, line.reason.code) for line in verdict.lines}


def test_own_generation_under_non_commercial_terms_states_owner_rights_and_others_limits(lineage) -> None:
    lineage.add("model", "creativeml-openrail-m", kind="model")
    lineage.add("mine", "pil-non-commercial-social-remixing", parents=("model",), owned=True, title="Dawn")
    verdict = check_work("mine", lineage.works, now=NOW)
    got = answers(verdict)
    assert got[("you", "commercial")] == ("yes", "owner_may_use_commercially")
    assert got[("you", "remix")] == ("yes", "owner_may_remix")
    assert got[("others", "commercial")] == ("no", "others_may_not_use_commercially")
    assert got[("others", "remix")] == ("yes", "others_may_remix")
    mine = next(line for line in verdict.lines if (line.who, line.action) == ("you", "commercial"))
    assert mine.reason.message.startswith("You made “Dawn”; as its owner you may use it commercially")
    others = next(line for line in verdict.lines if (line.who, line.action) == ("others", "commercial"))
    assert others.reason.message == "Under PIL Non-Commercial Social Remixing, others may not use “Dawn” commercially."


def test_every_line_has_a_code_and_a_sentence_and_agrees_with_the_flags(lineage) -> None:
    lineage.add("nc", "pil-non-commercial-social-remixing")
    lineage.add("cc", "cc-by-nd-4.0")
    lineage.add("arr", "all-rights-reserved", owned=True)
    lineage.add("pub", "pil-commercial-remix", on_chain=True, rev_share=5_000_000)
    for work_id in ("nc", "cc", "arr", "pub"):
        verdict = check_work(work_id, lineage.works, now=NOW)
        mine = {line.action: line for line in verdict.lines if line.who == "you"}
        assert set(mine) == {"remix", "commercial", "publish", "train"}
        assert mine["train"].allowed is verdict.can_train
        assert mine["remix"].allowed is verdict.can_remix
        assert mine["commercial"].allowed is verdict.can_use_commercially
        assert (mine["publish"].answer == "yes") is verdict.can_publish
        for line in verdict.lines:
            assert line.reason.code and line.reason.message.endswith(".")
            if line.who == "you" and line.answer != "done":
                assert (line.answer == "no") is line.reason.blocks


@pytest.mark.parametrize(
    ("license_id", "others_remix", "others_commercial"),
    [
        ("pil-non-commercial-social-remixing", "yes", "no"),
        ("pil-commercial-use", "no", "yes"),
        ("pil-commercial-remix", "yes", "yes"),
        ("cc-by-nc-nd-4.0", "no", "no"),
        ("cc0-1.0", "yes", "yes"),
        ("all-rights-reserved", "no", "no"),
    ],
)
def test_what_others_may_do_follows_the_license_terms(lineage, license_id, others_remix, others_commercial) -> None:
    lineage.add("mine", license_id, owned=True)
    got = answers(check_work("mine", lineage.works, now=NOW))
    assert got[("others", "remix")][0] == others_remix
    assert got[("others", "commercial")][0] == others_commercial
    assert got[("you", "remix")] == ("yes", "owner_may_remix")


def test_someone_elses_non_commercial_work_says_why_not(lineage) -> None:
    lineage.add("theirs", "pil-non-commercial-social-remixing")
    got = answers(check_work("theirs", lineage.works, now=NOW))
    assert got[("you", "commercial")] == ("no", "pil_non_commercial")
    assert got[("you", "remix")] == ("yes", "license_allows_remix")
    assert ("others", "remix") not in got


def test_a_non_commercial_source_binds_the_owner_and_is_named(lineage) -> None:
    lineage.add("src", "cc-by-nc-4.0")
    lineage.add("mine", "pil-commercial-remix", parents=("src",), owned=True)
    got = answers(check_work("mine", lineage.works, now=NOW))
    assert got[("you", "commercial")] == ("no", "cc_non_commercial")
    assert got[("others", "commercial")] == ("no", "others_may_not_use_commercially")


def test_a_registered_work_answers_done_for_publishing(lineage) -> None:
    lineage.add("pub", "pil-commercial-remix", on_chain=True, owned=True)
    got = answers(check_work("pub", lineage.works, now=NOW))
    assert got[("you", "publish")] == ("done", "already_on_chain")


def test_own_unpublished_parents_do_not_block_publishing_because_publish_registers_them_first(lineage) -> None:
    lineage.add("root", owned=True, title="Root")
    lineage.add("mid", parents=("root",), owned=True, title="Mid")
    lineage.add("leaf", parents=("mid",), owned=True, title="Leaf")
    verdict = check_work("leaf", lineage.works, now=NOW)
    assert verdict.can_publish
    assert "parent_not_on_chain" not in {r.code for r in verdict.reasons}
    (first,) = [r for r in verdict.reasons if r.code == "parent_published_first"]
    assert first.work_id == "mid" and not first.blocks


def test_a_foreign_unpublished_ancestor_behind_an_own_parent_still_blocks(lineage) -> None:
    lineage.add("theirs", title="Theirs")
    lineage.add("mid", parents=("theirs",), owned=True, title="Mid")
    lineage.add("leaf", parents=("mid",), owned=True)
    verdict = check_work("leaf", lineage.works, now=NOW)
    assert not verdict.can_publish
    (blocker,) = verdict.blocking("publish")
    assert blocker.code == "parent_not_on_chain" and blocker.work_id == "theirs" and "“Theirs”" in blocker.message
