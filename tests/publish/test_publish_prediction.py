"""The publisher's prediction is a typed value: it goes into the journal as JSON of the shape `publish status
--json` has always shown, and rows stored before it was typed (with fewer keys) read back."""

from __future__ import annotations

import json

import pytest

from studio.story.errors import PublishError
from studio.story.prediction import BadPrediction, PredictedAncestor, PredictedParent, Prediction

REMIX = Prediction(
    work_id="c0ffee", network="devnet", wallet="0xabc", license_id="pil-commercial-remix",
    license_name="PIL Commercial Remix", terms={"commercialRevShare": 5_000_000, "commercializerCheckerData": "00"},
    royalty_percent=5_000_000, policy="lap", rev_share_override=9_000_000,
    parents=(PredictedParent("beef", "0xip1", 3, 5_000_000, 10**18),),
    minting_fee_total=10**18, max_minting_fee=10**18, max_revenue_share=5_000_000, royalty_stack=5_000_000,
    creator_share=95.0, ancestors=(PredictedAncestor("beef", "0xip1", 5_000_000, 5_000_000, 5.0),),
)


def test_a_prediction_survives_the_journal_as_json() -> None:
    stored = json.loads(json.dumps(REMIX.to_json()))
    assert Prediction.from_json(stored) == REMIX
    assert stored["license"] == {"id": "pil-commercial-remix", "name": "PIL Commercial Remix"}
    assert stored["parents"][0] == {"work_id": "beef", "ip_id": "0xip1", "license_terms_id": 3,
                                    "royalty_percent": 5_000_000, "minting_fee": 10**18}
    assert REMIX.parent_terms_ids == (3,)


def test_rows_stored_with_fewer_keys_still_read() -> None:
    older = {"work_id": "c0ffee", "network": "devnet", "wallet": "0xabc",
             "license": {"id": "cc-by-4.0", "name": "CC BY 4.0"}, "terms": {}, "royalty_percent": 0, "policy": None}
    prediction = Prediction.from_json(older)
    assert (prediction.parents, prediction.ancestors, prediction.royalty_stack) == ((), (), None)
    assert (prediction.rev_share_override, prediction.minting_fee_total, prediction.creator_share) == (None, 0, 100.0)


def test_an_unreadable_row_is_one_publishing_error() -> None:
    with pytest.raises(BadPrediction, match="unreadable") as err:
        Prediction.from_json({"network": "devnet"})
    assert isinstance(err.value, PublishError)
