"""The report's content checked against the lineage in a real library: JSON and HTML state the same facts."""

from __future__ import annotations

import base64
import io
import json
import secrets

import pytest
from html_page import Page
from PIL import Image

from studio.core.types import Origin, Relation, Terms, WorkKind
from studio.lineage.graph import ParentLink
from studio.report import fingerprint
from studio.report.graph_image import COMPACT_ABOVE, FLAGGED, MAX_HEIGHT, MAX_WIDTH, SUBJECT
from studio.store.works import NewWork
from tests.helpers.report_lineage import IP_ID, RECIPE, MixedLineage


def _json(studio, work_id: str) -> dict:
    return json.loads(studio.review.render_report(work_id, "json").text)


def _png(data_uri: str) -> Image.Image:
    assert data_uri.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("RGB")


def _count(image: Image.Image, color: tuple[int, int, int]) -> int:
    counts = {rgb: n for n, rgb in image.getcolors(image.width * image.height)}
    return counts.get(color, 0)


def test_json_report_states_the_lineage(studio, mixed: MixedLineage):
    data = _json(studio, mixed.final.id)
    lineage = studio.lineage(mixed.final.id)
    ancestors = {n.id for n in lineage.ancestors}
    nodes = {n["id"]: n for n in data["nodes"]}

    assert data["work_id"] == mixed.final.id and data["nodes"][0]["id"] == mixed.final.id
    assert set(nodes) == ancestors | {mixed.final.id}
    assert ancestors == {mixed.generated.id, mixed.sketch.id, mixed.tidepool.id, mixed.model.id, mixed.lora.id}
    edges = {(e.child_id, e.parent_id, e.relation.value) for e in studio.graph.ancestor_edges(mixed.final.id)}
    assert {(link["child_id"], link["parent_id"], link["relation"]) for link in data["links"]} == edges
    # Parents sit a generation above every child: the tidepool is both a grandparent and above "generated".
    assert nodes[mixed.tidepool.id]["generation"] == 2 and nodes[mixed.generated.id]["generation"] == 1
    assert nodes[mixed.lora.id]["relation"] == "styled_with" and nodes[mixed.model.id]["kind"] == "model"

    for work_id, node in nodes.items():
        work = studio.work(work_id)
        lic = studio.catalog.get(work.license_id)
        assert (node["license"]["id"], node["license"]["name"], node["license"]["legal_url"]) == (
            lic.id,
            lic.name,
            lic.legal_url,
        )
        assert node["creator"] == work.creator and node["title"] == work.title
    assert nodes[mixed.tidepool.id]["ip_id"] == IP_ID
    assert nodes[mixed.tidepool.id]["publications"][0]["state"] == "confirmed"
    assert all(nodes[w]["ip_id"] is None for w in nodes if w != mixed.tidepool.id)
    assert nodes[mixed.sketch.id]["license"]["commercial_use"] is True
    assert nodes[mixed.tidepool.id]["license"]["rev_share_percent"] == 5.0

    verdict = studio.license_check(mixed.final.id)
    assert [c["text"] for c in data["credits"]] == [a.text for a in verdict.attribution]
    sketch_credit = next(c for c in data["credits"] if c["work_id"] == mixed.sketch.id)
    assert sketch_credit["text"].startswith('"Harbour Sketch" by Ann Artist, licensed under CC BY 4.0 (https://')
    assert [d["text"] for d in data["duties"]] == [o.text for o in verdict.obligations]
    assert {d["code"] for d in data["duties"]} == {"use_restrictions"}
    assert {d["work_id"] for d in data["duties"]} == {mixed.model.id}

    expected = {(r.code, r.work_id) for r in verdict.reasons if r.severity in ("block", "warn")}
    assert {(p["code"], p["work_id"]) for p in data["problems"]} == expected
    # Publishing registers the user's own "generated" first; the imported tidepool (not on the default network)
    # is what must be published or imported from Story first.
    assert ("parent_not_on_chain", mixed.tidepool.id) in expected
    assert ("use_restrictions_passed_on", mixed.model.id) in expected
    assert all(p["rule"] for p in data["problems"]) and data["can_publish"] is False
    assert {n["code"] for n in data["notes"]} == {r.code for r in verdict.reasons if r.severity == "info"}

    for table in data["royalties"]:
        split = studio.royalty(mixed.final.id, table["policy"])
        assert {s["work_id"]: s["percent"] for s in table["shares"]} == {
            a.id: float(a.share) / 1_000_000 for a in split.ancestors
        }
        assert table["creator_percent"] + sum(s["percent"] for s in table["shares"]) == pytest.approx(100)
    lap = next(t for t in data["royalties"] if t["policy"] == "lap")
    assert lap["stack_percent"] == 10.0 and lap["creator_percent"] == 90.0

    assert nodes[mixed.generated.id]["recipe"] == RECIPE.to_dict()
    assert nodes[mixed.final.id]["credentials"]["state"] == "none"  # checked on import: the file had none
    assert nodes[mixed.generated.id]["credentials"] is None
    assert data["fingerprint"] == studio.review.render_report(mixed.final.id, "json").fingerprint


def test_html_report_matches_the_lineage_and_is_self_contained(studio, mixed: MixedLineage):
    rendered = studio.review.render_report(mixed.final.id, "html")
    page = Page(rendered.text)
    data = json.loads(page.one("script", id="report-data").text)
    ids = {n["id"] for n in data["nodes"]}

    assert {row.attrs["data-work-id"] for row in page.find("tr", cls="work")} == ids
    for node in data["nodes"]:
        row = page.one("tr", cls="work", data_work_id=node["id"])
        assert node["title"] in row.text and node["license"]["name"] in row.text
    tidepool_row = page.one("tr", cls="work", data_work_id=mixed.tidepool.id)
    assert IP_ID in tidepool_row.text and "registered" in tidepool_row.text
    assert "not published" in page.one("tr", cls="work", data_work_id=mixed.generated.id).text

    assert [span.text for span in page.find("span", cls="credit")] == [c["text"] for c in data["credits"]]
    assert page.one("pre", cls="credit-block").text == "\n".join(c["text"] for c in data["credits"])
    assert [row.attrs["data-code"] for row in page.find("tr", cls="problem")] == (
        [p["code"] for p in data["problems"]] + [p["code"] for p in data["notes"]]
    )
    for table in data["royalties"]:
        cells = [c for c in _descendants(page.one("table", data_policy=table["policy"])) if "share" in c.classes()]
        shown = {c.attrs["data-work-id"]: float(c.attrs["data-percent"]) for c in cells}
        expected_shares = {s["work_id"]: s["percent"] for s in table["shares"]}
        assert shown == {**expected_shares, mixed.final.id: table["creator_percent"]}
    assert "a harbour at dusk, ink and wash" in page.one("dl", data_work_id=mixed.generated.id).text
    assert "ink-lora (0.8)" in page.one("dl", data_work_id=mixed.generated.id).text

    digest = rendered.fingerprint
    assert page.one("meta", name="remix-studio-report-fingerprint").attrs["content"] == digest
    assert page.one("code", id="fingerprint").text == digest == data["fingerprint"]

    # Self-contained: nothing to fetch, and a policy that forbids fetching anyway.
    assert "default-src 'none'" in page.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert not page.find("link") and not [s for s in page.find("script") if s.attrs.get("type") != "application/json"]
    assert all(img.attrs["src"].startswith("data:image/png;base64,") for img in page.find("img"))
    assert "url(" not in page.one("style").text and "@import" not in page.one("style").text
    legal = {n["license"]["legal_url"] for n in data["nodes"]}
    explorers = {f"https://aeneid.storyscan.xyz/address/{IP_ID}"}  # the published tidepool's explorer page
    assert {a.attrs["href"] for a in page.find("a")} == legal | explorers

    graph = _png(page.one("img", id="lineage-graph").attrs["src"])
    assert 640 <= graph.width <= MAX_WIDTH + 100 and graph.height > 3 * 200
    assert _count(graph, SUBJECT) > 500  # the reported work is outlined
    thumbs = page.find("img", cls="thumb")
    assert len(thumbs) == 4  # the four images; the model and the LoRA have none
    assert all(_png(t.attrs["src"]).width <= 112 for t in thumbs)


def _descendants(element) -> list:
    found = []
    for child in element.children:
        found.append(child)
        found += _descendants(child)
    return found


def test_flagged_works_are_marked_in_the_picture_and_listed(studio, builder):
    grid = builder.image("Quiet Grid", "cc-by-nd-4.0", creator="Theo")
    remix = builder.image("Grid Remix", creator="Uma", parents=[grid])
    assert [f["code"] for f in studio.work(remix.id).flags] == ["cc_no_derivatives"]

    flagged = _json(studio, remix.id)
    assert [f["code"] for f in flagged["nodes"][0]["flags"]] == ["cc_no_derivatives"]
    problem = next(p for p in flagged["problems"] if p["code"] == "cc_no_derivatives")
    assert problem["severity"] == "block" and problem["work_id"] == grid.id and "no remixes" in problem["message"]
    assert "flagged" not in {p["code"] for p in flagged["problems"]}  # listed under its own code, once

    page = Page(studio.review.render_report(remix.id, "html").text)
    assert "cc_no_derivatives" in page.one("tr", cls="work", data_work_id=remix.id).text
    red_flagged = _count(_png(page.one("img", id="lineage-graph").attrs["src"]), FLAGGED)
    clean = Page(studio.review.render_report(grid.id, "html").text)
    red_clean = _count(_png(clean.one("img", id="lineage-graph").attrs["src"]), FLAGGED)
    assert red_flagged > red_clean + 500  # only the legend's swatch is red in the clean picture


def test_titles_cannot_inject_markup(studio, builder):
    hostile = '</script><script>alert(1)</script><img src="http://example.invalid/x.png"> & "quotes"'
    work = builder.image(hostile, "cc0-1.0", creator='<b onmouseover="x()">Eve</b>')
    text = studio.review.render_report(work.id, "html").text
    page = Page(text)
    assert [s.attrs.get("type") for s in page.find("script")] == ["application/json"]
    assert all(img.attrs["src"].startswith("data:") for img in page.find("img"))
    assert not page.find("b")
    assert json.loads(page.one("script", id="report-data").text)["title"] == hostile
    assert page.one("h1").text == hostile


def test_fingerprint_follows_the_content_not_the_clock(studio, builder, mixed: MixedLineage):
    first = studio.review.lineage_report(mixed.final.id)
    second = studio.review.lineage_report(mixed.final.id)
    assert first.generated_at != second.generated_at
    assert fingerprint(first) == fingerprint(second)
    extra = builder.image("Extra Parent", "cc0-1.0")
    studio.link(mixed.final.id, [extra.id], Relation.composite_of)
    assert fingerprint(studio.review.lineage_report(mixed.final.id)) != fingerprint(first)


def test_a_split_story_refuses_is_reported_not_raised(studio, builder):
    root = builder.image("Greedy Root", "pil-commercial-remix", rev_share=60)
    middle = builder.image("Middle", parents=[root])
    last = builder.image("Last", parents=[middle])
    data = _json(studio, last.id)
    lap = next(t for t in data["royalties"] if t["policy"] == "lap")
    lrp = next(t for t in data["royalties"] if t["policy"] == "lrp")
    assert "above 100%" in lap["error"] and lap["shares"] == []
    assert lrp["error"] is None and lrp["creator_percent"] == 40.0
    page = Page(studio.review.render_report(last.id, "html").text)
    assert "above 100%" in page.one("p", data_policy="lap").text


def test_a_large_ancestry_is_drawn_compact_and_bounded(studio):
    """Over COMPACT_ABOVE works, boxes lose their thumbnails and long bands wrap, but every work is there."""
    works = studio.library.works

    def add(title: str) -> str:
        new = NewWork(
            kind=WorkKind.image, sha256=secrets.token_hex(32), title=title, origin=Origin.imported,
            terms=Terms("cc0-1.0"),
        )
        return works.insert(new).id

    top = add("top")
    with studio.library.db.atomic():
        middles = [add(f"middle {i}") for i in range(16)]
        for middle in middles:
            leaves = [add(f"leaf {middle[:4]} {j}") for j in range(2)]
            studio.graph.add_parents(middle, [ParentLink(leaf, Relation.remix_of) for leaf in leaves])
        studio.graph.add_parents(top, [ParentLink(m, Relation.composite_of) for m in middles])
    report = studio.review.lineage_report(top)
    assert len(report.nodes) == 1 + 16 + 32 > COMPACT_ABOVE
    page = Page(studio.review.render_report(top, "html").text)
    assert len(page.find("tr", cls="work")) == 49
    graph = _png(page.one("img", id="lineage-graph").attrs["src"])
    assert graph.width <= MAX_WIDTH and graph.height < 1200
    assert _note_pixels(graph) == 0  # everything is drawn


def test_a_deep_ancestry_is_drawn_from_the_nearest_generations(studio):
    works = studio.library.works
    previous = None
    with studio.library.db.atomic():
        for n in range(90):
            new = NewWork(
                kind=WorkKind.image,
                sha256=secrets.token_hex(32),
                title=f"gen {n}",
                origin=Origin.imported,
                terms=Terms("cc0-1.0"),
            )
            work = works.insert(new)
            if previous is not None:
                studio.graph.add_parents(work.id, [ParentLink(previous, Relation.remix_of)])
            previous = work.id
    page = Page(studio.review.render_report(previous, "html").text)
    assert len(page.find("tr", cls="work")) == 90
    graph = _png(page.one("img", id="lineage-graph").attrs["src"])
    assert MAX_HEIGHT - 200 < graph.height <= MAX_HEIGHT
    assert _note_pixels(graph) > 50  # the note saying how many older works are left out


def _note_pixels(graph: Image.Image) -> int:
    """Red text pixels in the line under the key, where the picture notes works it leaves out."""
    line = graph.crop((20, 34, 340, 54))
    return sum(1 for r, g, b in line.get_flattened_data() if r > 150 and g < 110 and b < 110)
