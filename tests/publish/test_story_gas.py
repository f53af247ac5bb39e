"""The gas the studio counts for a transaction the node cannot estimate yet (its collection, parent or group is
sent earlier in the same plan) is, for every kind and shape of transaction, at or above what Story's own
contracts used for it and no more than 15% above: checked against receipts recorded on Story's contracts.

What Story charges is the receipt with the IP graph's gas as story-geth's precompile charges it (a fixed amount
per call, whatever the ancestry). The recorded node ran the graph as a contract, whose walk of the ancestry costs
more the deeper and wider it is (a remix of a ladder of diamonds, or of 16 parents, used up to 10% more there):
that raw receipt (`gas_used`) is recorded, not held to."""

from __future__ import annotations

import pytest
from story_receipts import RECEIPTS, Receipt

from studio.story.fees import STORY_GAS, story_add_gas, story_remix_gas, story_root_gas

TOLERANCE = 1.15


def studio_gas(receipt: Receipt) -> int:
    """What the fee estimate counts for a transaction of the receipt's kind and shape."""
    if receipt.kind == "root":
        return story_root_gas(terms_known=receipt.terms_known)
    if receipt.kind == "remix":
        return story_remix_gas(receipt.parents, receipt.without_vault, receipt.paid)
    if receipt.kind == "add":
        return story_add_gas(receipt.members, first=receipt.first)
    return STORY_GAS[receipt.kind]


@pytest.mark.parametrize("receipt", RECEIPTS, ids=[f"{r.kind}: {r.what}" for r in RECEIPTS])
def test_the_gas_counted_is_within_15_percent_above_storys_receipt(receipt: Receipt) -> None:
    counted = studio_gas(receipt)
    assert 1.0 <= counted / receipt.story_gas <= TOLERANCE, (counted, receipt.story_gas)


def test_every_kind_the_estimate_counts_has_a_receipt() -> None:
    kinds = {r.kind for r in RECEIPTS}
    # The parts of a remix and of an add are checked through the remix and add receipts that combine them.
    parts = {"remix_parent", "parent_vault", "parent_fee", "add_more", "member", "root_new_terms"}
    assert set(STORY_GAS) - parts <= kinds, set(STORY_GAS) - parts - kinds
    shapes = {(r.parents, r.without_vault, r.paid) for r in RECEIPTS if r.kind == "remix"}
    assert {(1, 1, 0), (1, 0, 0), (2, 0, 0), (2, 1, 0), (2, 2, 0), (3, 0, 0), (16, 0, 0), (1, 1, 1),
            (1, 0, 1)} <= shapes
    assert {r.first for r in RECEIPTS if r.kind == "add"} == {True, False}
    assert {r.terms_known for r in RECEIPTS if r.kind == "root"} == {True, False}
