"""Pure view helpers: where lineage nodes go, and a royalty split as chart slices."""

from __future__ import annotations

from fractions import Fraction

import pytest

from studio.app.lineage_layout import edge_label, layout
from studio.app.royalty_view import percent_text, reasons_agreeing_with, royalty_slices
from studio.core.reasons import Reason
from studio.core.types import HUNDRED_PERCENT, Edge, Relation
from studio.licensing.codes import reason
from studio.royalty import royalty_split


def e(child: str, parent: str, relation: Relation = Relation.remix_of, weight: float | None = None) -> Edge:
    return Edge(child, parent, relation, weight=weight)


def test_ancestors_above_descendants_below_by_longest_path():
    # a diamond: r -> (a, b) -> w, plus a shortcut r -> w; and w -> c -> d
    edges = [e("a", "r"), e("b", "r"), e("w", "a"), e("w", "b"), e("w", "r"), e("c", "w"), e("d", "c")]
    g = layout("w", edges)
    rows = {n.id: n.row for n in g.nodes}
    assert rows == {"r": -2, "a": -1, "b": -1, "w": 0, "c": 1, "d": 2}
    for edge in edges:  # every edge points downwards
        assert rows[edge.parent_id] < rows[edge.child_id]
    assert sorted(g.spot(n).column for n in ("a", "b")) == [-0.5, 0.5]
    assert g.spot("w").column == 0.0


def test_tools_sit_beside_the_chain_level_with_their_first_work():
    edges = [
        e("b", "a"),
        e("c", "b"),
        e("a", "m", Relation.generated_with),
        e("b", "m", Relation.generated_with),
        e("c", "m", Relation.generated_with),
        e("c", "l", Relation.styled_with, 0.7),
    ]
    g = layout("c", edges, tools={"m", "l"})
    rows = {n.id: n.row for n in g.nodes}
    assert rows["a"] == -2 and rows["b"] == -1 and rows["c"] == 0  # the model does not stretch the chain
    assert rows["m"] == rows["a"] and rows["l"] == rows["c"]
    chain = max(g.spot(n).column for n in "abc")
    assert g.spot("m").column < chain and g.spot("l").column < chain


def test_edge_labels_name_the_relation_and_lora_weight():
    assert edge_label(e("c", "p")) == "remix of"
    assert edge_label(e("c", "p", Relation.composite_of)) == "blend of"
    assert edge_label(e("c", "m", Relation.generated_with)) == "made with"
    assert edge_label(e("c", "l", Relation.styled_with, 0.75)) == "styled with ×0.75"


@pytest.mark.parametrize("policy", ["lap", "lrp"])
def test_slices_follow_the_royalty_engine_and_add_up_to_100(policy):
    links = {"c": [("b", 10_000_000)], "b": [("a", 5_000_000)]}
    split = royalty_split("c", links, policy)
    slices = royalty_slices(split, {"a": "Dawn", "b": "Noon", "c": "Night"})
    assert [s.work_id for s in slices] == ["b", "a", "c"]
    assert slices[-1].is_creator and slices[-1].label == "Night (creator keeps)"
    assert sum(Fraction(s.percent).limit_denominator(10**9) for s in slices) == 100
    assert slices[0].percent == pytest.approx(float(split.share_of("b")) / HUNDRED_PERCENT * 100)
    expected_a = 5.0 if policy == "lap" else 0.5
    assert slices[1].percent == pytest.approx(expected_a)


def test_percent_text():
    assert percent_text(10.0) == "10%"
    assert percent_text(2.5) == "2.5%"
    assert percent_text(100 / 3) == "33.3333%"


def test_why_lines_agree_with_the_split_of_a_work_linked_to_its_model_on_story():
    # An image made with a model that is linked on Story (20%), the model's training set's group under it (10% of
    # the model): the library's "takes no royalty" about the model would contradict the chart.
    links = {"img": [("model", 20_000_000)], "model": [("set", 10_000_000)]}
    split = royalty_split("img", links, "lrp")
    titles = {"img": "Cat", "model": "studio-emoji", "set": "OpenMoji"}
    said = [reason("credited_off_chain", "model", title="studio-emoji", license="CC BY-SA 4.0"),
            Reason("pil_terms_inherited", "Remixes carry its terms.", "img", severity="info")]
    agreed = reasons_agreeing_with(said, split, titles, "on devnet")
    text = " ".join(r.message for r in agreed)
    assert "takes no royalty" not in text
    shown = {s.label: s.percent for s in royalty_slices(split, titles)}
    assert f"“studio-emoji” is linked on devnet: it receives {percent_text(shown['studio-emoji'])}" in text
    assert f"OpenMoji {percent_text(shown['OpenMoji'])}" in text
    assert f"the creator keeps {percent_text(shown['Cat (creator keeps)'])}" in text
    assert "Remixes carry its terms." in text


def test_why_lines_keep_takes_no_royalty_where_the_split_pays_the_model_nothing():
    split = royalty_split("img", {}, "lap")
    said = [reason("credited_off_chain", "model", title="studio-emoji", license="CC BY-SA 4.0")]
    assert reasons_agreeing_with(said, split, {}) == said
