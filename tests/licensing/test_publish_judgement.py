"""The license engine's judgement of publishing one work: the terms a publish request asks for, and the Story
terms, parents and credits of a work to publish (pure functions, no chain)."""

from __future__ import annotations

import pytest

from studio.core.types import Relation
from studio.errors import InvalidInput
from studio.licensing.publishing import judge_publication, requested_terms

PCT = 1_000_000
NOW = 1_900_000_000


def test_a_root_takes_the_requested_terms_and_keeps_what_the_request_leaves_out(lineage, catalog) -> None:
    lineage.add("r", rev_share=5 * PCT, minting_fee=7, royalty_policy="lrp", owned=True)
    assert requested_terms("r", lineage.works, catalog) is None
    same = requested_terms("r", lineage.works, catalog, rev_share=12 * PCT)
    assert (same.license_id, same.rev_share, same.minting_fee, same.royalty_policy) == (
        "pil-commercial-remix", 12 * PCT, 7, "lrp")
    other = requested_terms("r", lineage.works, catalog, license_id="pil-commercial-use")
    assert (other.license_id, other.rev_share, other.minting_fee, other.royalty_policy) == (
        "pil-commercial-use", None, None, None)


def test_a_remix_keeps_its_inherited_terms_and_may_only_raise_its_share(lineage, catalog) -> None:
    lineage.add("p", rev_share=5 * PCT, on_chain=True)
    lineage.add("c", rev_share=5 * PCT, parents=("p",), owned=True)
    raised = requested_terms("c", lineage.works, catalog, rev_share=9 * PCT)
    assert raised.license_id == "pil-commercial-remix" and raised.rev_share_override == 9 * PCT
    assert requested_terms("c", lineage.works, catalog, license_id="pil-commercial-remix") is None
    with pytest.raises(InvalidInput, match="carries its parents' terms"):
        requested_terms("c", lineage.works, catalog, license_id="pil-commercial-use")
    with pytest.raises(InvalidInput, match="minting fee is inherited"):
        requested_terms("c", lineage.works, catalog, minting_fee=1)


def test_a_remix_links_its_story_parents_and_credits_the_others(lineage, catalog) -> None:
    lineage.add("p", rev_share=5 * PCT, minting_fee=3, on_chain=True)
    lineage.add("cc", "cc-by-4.0")
    lineage.add("c", rev_share=5 * PCT, minting_fee=3, parents=("p", "cc"), owned=True)
    judged = judge_publication("c", lineage.works, now=NOW, catalog=catalog, has_image=True)
    assert judged.refusals == () and judged.terms is not None and judged.verdict.can_publish
    (parent,) = judged.parents
    assert (parent.work_id, parent.relation, parent.royalty_percent, parent.minting_fee) == (
        "p", Relation.remix_of, 5 * PCT, 3)
    assert judged.credited == (("cc", Relation.remix_of),)


def test_a_work_without_an_image_or_story_terms_is_refused(lineage, catalog) -> None:
    lineage.add("r", owned=True)
    judged = judge_publication("r", lineage.works, now=NOW, catalog=catalog, has_image=False)
    assert [r.code for r in judged.refusals] == ["not_an_image"]
    lineage.add("arr", "all-rights-reserved", owned=True)
    refused = judge_publication("arr", lineage.works, now=NOW, catalog=catalog, has_image=True)
    assert refused.terms is None and refused.parents == () and refused.refusals


def test_new_terms_are_judged_instead_of_the_stored_ones(lineage, catalog) -> None:
    lineage.add("r", rev_share=5 * PCT, owned=True)
    new = requested_terms("r", lineage.works, catalog, rev_share=20 * PCT)
    judged = judge_publication("r", lineage.works, now=NOW, catalog=catalog, has_image=True, new_terms=new)
    assert judged.terms is not None and judged.terms.rev_share == 20 * PCT
    assert lineage.works["r"].terms.rev_share == 5 * PCT  # the caller's ancestry is left as it was
