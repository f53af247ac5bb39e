"""The report states each verdict with its reason, the owner's rights as such, and a published work's IP."""

from __future__ import annotations

import json

from html_page import Page

from tests.helpers.report_lineage import IP_ID, MixedLineage


def test_each_verdict_carries_its_reason_and_owner_rights_are_stated(studio, mixed: MixedLineage):
    data = json.loads(studio.review.render_report(mixed.generated.id, "json").text)
    verdicts = {(v["who"], v["action"]): v for v in data["verdicts"]}
    assert {("you", "remix"), ("you", "commercial"), ("you", "publish"), ("others", "remix")} <= set(verdicts)
    assert all(v["code"] and v["reason"].endswith(".") for v in data["verdicts"])
    mine = verdicts[("you", "commercial")]
    assert (mine["answer"], mine["code"]) == ("yes", "owner_may_use_commercially")
    assert "as its owner" in mine["reason"]
    page = Page(studio.review.render_report(mixed.generated.id, "html").text)
    lines = page.find("div", cls="verdict")
    assert any("(owner_may_use_commercially)" in line.text for line in lines)


def test_a_published_work_shows_its_ip_with_explorer_or_says_there_is_none(studio, builder, mixed: MixedLineage):
    builder.publish(mixed.generated, network="devnet")
    data = json.loads(studio.review.render_report(mixed.generated.id, "json").text)
    assert data["registrations"] == [{"ip_id": IP_ID, "network": "devnet", "chain_id": 1315, "explorer_url": None}]
    page = studio.review.render_report(mixed.generated.id, "html").text
    assert f"Published as IP <code class=\"ip-id\">{IP_ID}</code> on devnet" in page
    assert "devnet has no block explorer" in page and "May be published on Story: no" not in page
    aeneid = json.loads(studio.review.render_report(mixed.tidepool.id, "json").text)
    assert aeneid["nodes"][0]["ip_id"] == IP_ID
    html = studio.review.render_report(mixed.tidepool.id, "html").text
    assert f"https://aeneid.storyscan.xyz/address/{IP_ID}" in html
