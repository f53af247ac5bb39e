"""`--royalty-policy` for new root works, and the terms an image made with a model that is on Story takes by
default: the model's there, with what that pays the data's creators said before any compute; another choice is
said plainly to leave them unpaid."""

from __future__ import annotations

import pytest

from studio.services import Studio
from tests.helpers.story_records import group_terms, model_on_story

FAST = ("--steps", "1", "--size", "64x64", "--seed", "5")


def _model_on_story(run, **kwargs):
    studio = Studio.open(run.library)
    try:
        model = studio.models.builtin()
        collection = model_on_story(studio, model.work, **kwargs)
        return model.work, collection, group_terms(studio, kwargs.get("rev_share", 10), kwargs.get("policy", "lrp"))
    finally:
        studio.close()


def test_generate_takes_the_royalty_policy_for_a_new_root_work(run) -> None:
    made = run.json("generate", "a cat", "--royalty-policy", "LRP", *FAST)
    assert (made["license"], made["royalty_policy"]) == ("pil-commercial-remix", "lrp")
    assert made["model_terms"] is None  # the model is not on Story
    assert run.json("show", made["id"])["royalty_policy"] == "lrp"
    lap = run.json("generate", "a dog", "--royalty-policy", "lap", "--rev-share", "5", *FAST)
    assert (lap["license"], lap["royalty_policy"], lap["rev_share"]) == ("pil-commercial-remix", "lap", 5.0)


def test_a_remix_of_a_root_outside_story_takes_the_royalty_policy(run, sample) -> None:
    parent = run.import_(sample(1, size=(64, 64)), "--license", "cc0-1.0")
    made = run.json("remix", parent, "brighter", "--royalty-policy", "lrp", "--strength", "1", *FAST)
    assert (made["license"], made["royalty_policy"]) == ("pil-commercial-remix", "lrp")


@pytest.mark.parametrize("command", [
    ("generate", "a cat"), ("remix", "ID", "a cat"), ("inpaint", "ID", "a cat", "--mask", "{png}"),
    ("blend", "ID", "ID", "a cat"), ("import", "{png}"),
])
def test_a_bad_royalty_policy_is_one_line_and_nothing_is_stored(run, sample, command) -> None:
    png = str(sample(2))
    before = run.json("list")
    args = [a.replace("{png}", png) for a in command]
    result = run(*args, "--royalty-policy", "lpr", ok=False)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "'lpr' is not a royalty policy (use lap or lrp)" in lines[0], result.stderr
    assert run.json("list") == before


def test_import_stores_the_royalty_policy(run, sample) -> None:
    work = run.json("import", str(sample(3)), "--license", "pil-commercial-remix", "--royalty-policy", "lrp")
    assert work["royalty_policy"] == "lrp"


def test_generate_help_names_the_built_in_default_model(run) -> None:
    text = run("generate", "--help").stdout
    model_help = text[text.index("--model"):text.index("--lora")]
    assert "studio-emoji" in model_help and "studio-tiny" not in model_help
    assert "--royalty-policy lap|lrp" in text


def test_an_image_made_with_a_model_on_story_takes_its_terms_and_says_what_the_data_receives(run) -> None:
    _model, collection, _terms = _model_on_story(run)
    result = run("generate", "a cat", *FAST)
    # 10% of the image's revenue to the model, 10% of that on to its group: the royalty engine's LRP split.
    assert ("  terms: this image will pay the OpenMoji contributors’ group 1% of its revenue: it takes the terms "
            "PIL Commercial Remix with a 10% rev share, LRP royalties, as “studio-tiny” has on devnet, so it links "
            "to the model") in result.stderr
    work_id = result.stdout.split()[0]
    shown = run.json("show", work_id)
    assert (shown["license"], shown["royalty_policy"], shown["rev_share"]) == ("pil-commercial-remix", "lrp", 10.0)

    # A 20% group: the share follows the engine, not a fixed figure.
    made = run.json("generate", "a dog", "--royalty-policy", "lrp", *FAST)
    link = made["model_terms"]
    assert link["linked"] and link["offered"] and link["payee"] == collection.id and link["payee_percent"] == 1.0


def test_the_share_follows_the_models_terms(run) -> None:
    _model, _collection, _terms = _model_on_story(run, rev_share=20)
    result = run("generate", "a cat", *FAST)
    assert "this image will pay the OpenMoji contributors’ group 4% of its revenue" in result.stderr


@pytest.mark.parametrize("choice", [("--royalty-policy", "lap"), ("--license", "cc-by-4.0"),
                                    ("--rev-share", "3")])
def test_another_choice_than_the_models_terms_is_said_plainly_and_kept(run, choice) -> None:
    _model_on_story(run)
    result = run("generate", "a cat", *choice, *FAST)
    line = next(x for x in result.stderr.splitlines() if x.startswith("  terms: "))
    assert line.startswith("  terms: published crediting the model, not linked to it: its data's creators are not "
                           "paid (“studio-tiny” is on devnet under PIL Commercial Remix with a 10% rev share, LRP "
                           "royalties; this image's terms are ")
    shown = run.json("show", result.stdout.split()[0])
    if choice[0] == "--royalty-policy":
        assert shown["royalty_policy"] == "lap"
    elif choice[0] == "--license":
        assert shown["license"] == "cc-by-4.0"
    else:
        assert shown["rev_share"] == 3.0


def test_a_model_on_another_network_offers_nothing(run) -> None:
    _model_on_story(run, network="aeneid")
    result = run("generate", "a cat", *FAST)
    assert "terms:" not in result.stderr
    assert run.json("show", result.stdout.split()[0])["royalty_policy"] is None
