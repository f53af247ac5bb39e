"""The creator and default licence of new works: set once (`studio defaults` or the window's Settings, the same
library setting), taken by every new root made from the command line, and said where the licence came from."""

from __future__ import annotations

FAST = ("--steps", "1", "--size", "64x64", "--seed", "5")


def test_a_new_root_takes_the_default_licence_and_creator(run) -> None:
    before = run.json("generate", "a cat", *FAST)
    assert before["license"] == "pil-non-commercial-social-remixing" and before["creator"] is None
    assert before["license_source"] == "studio"
    assert run.json("defaults", "--creator", "Ada Lovelace", "--license", "pil-commercial-remix") == {
        "creator": "Ada Lovelace", "license": "pil-commercial-remix"}
    made = run.json("generate", "a dog", *FAST)
    assert (made["license"], made["creator"], made["license_source"]) == (
        "pil-commercial-remix", "Ada Lovelace", "settings")
    assert run.json("show", made["id"])["creator"] == "Ada Lovelace"
    chosen = run.json("generate", "a fox", "--license", "cc-by-4.0", "--creator", "Ben", *FAST)
    assert (chosen["license"], chosen["creator"], chosen["license_source"]) == ("cc-by-4.0", "Ben", "request")
    text = run("generate", "a hen", *FAST)
    assert "license: PIL Commercial Remix, your default licence, set in Settings" in text.stderr


def test_a_remix_of_pil_work_inherits_whatever_the_default(run) -> None:
    parent = run.json("generate", "a cat", *FAST)
    run("defaults", "--license", "cc0-1.0")
    made = run.json("remix", parent["id"], "brighter", "--strength", "1", *FAST)
    assert made["license"] == parent["license"] and made["license_source"] == "parents"


def test_a_bad_default_is_one_line_and_keeps_the_old_one(run) -> None:
    run("defaults", "--license", "cc-by-4.0")
    result = run("defaults", "--license", "no-such-licence", ok=False)
    assert result.exit_code != 0 and "no-such-licence" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert run.json("defaults")["license"] == "cc-by-4.0"
    run("defaults", "--clear")
    assert run.json("defaults") == {"creator": None, "license": None}
