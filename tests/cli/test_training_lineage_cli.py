"""Data -> model -> image on screen: an image made with the built-in studio-emoji names the model and the works it
was trained on in `generate` (before any compute), `show`, `lineage`, `license check` and the report."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def emoji_image(run, monkeypatch):
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    made = run("generate", "a red apple", "--seed", "4")
    work_id = made.stdout.split()[0]
    return work_id, made


def test_generate_names_the_data_before_the_image_and_show_and_lineage_reach_it(run, emoji_image) -> None:
    work_id, made = emoji_image
    assert "credit: \"4,200 works in OpenMoji 17 (4,395 emoji)\" by 118 creators, licensed under CC BY-SA 4.0" \
        in made.stderr
    assert "credit: \"studio-emoji\" by Remix Studio" in made.stderr
    assert "(64x64" in made.stdout
    # One generation serves every check below: studio-emoji takes about ten times studio-tiny's time.
    shown = run("show", work_id).stdout
    assert "data      studio-emoji was trained on “OpenMoji 17 (4,395 emoji)”: 4,200 works by 118 creators, " \
           "CC BY-SA 4.0" in shown
    tree = run("lineage", work_id).stdout
    assert "<- generated_with" in tree and "<- trained_on" in tree and "[collection]" in tree
    data = run.json("lineage", work_id)
    [credit] = data["trained_on"]
    assert credit["model_title"] == "studio-emoji" and credit["collection"]["count"] == 4200
    assert credit["collection"]["creators"] == 118


def test_the_license_check_report_and_list_after_a_generation(run, emoji_image) -> None:
    work_id, _ = emoji_image
    check = run("license", "check", work_id).stdout
    assert "4,200 works in OpenMoji 17 (4,395 emoji)" in check and "by 118 creators" in check
    assert "Share it and anything made from it only under CC BY-SA" not in check
    report = json.loads(run("report", work_id, "--format", "json").stdout)
    kinds = {node["kind"] for node in report["nodes"]}
    assert {"image", "model", "collection"} <= kinds
    assert any("118 creators" in c["text"] for c in report["credits"])
    # The works the model was trained on stay out of the library's list unless asked for.
    listed = run.json("list")
    assert {w["kind"] for w in listed} == {"image", "model", "collection"} and len(listed) == 3
    builtin = run.json("list", "--origin", "builtin", "--kind", "image", "--limit", "5")
    assert len(builtin) == 5 and all(w["license"] == "cc-by-sa-4.0" and w["creator"] for w in builtin)
