"""`license check` answers whether a work may train a model, with its reason; `train-permission` records the
owner's choice; a file's own XMP data-mining statement is kept from import on."""

from __future__ import annotations

from pathlib import Path

from studio.metadata.xmp import data_mining_packet, embed_xmp

DENY = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING"


def _train_line(out: str, label: str = "may be used to train a model") -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(label))


def test_xmp_prohibition_in_an_imported_file_refuses_training_even_after_the_file_is_gone(run, sample) -> None:
    path = sample(fmt="JPEG")
    path.write_bytes(embed_xmp(path.read_bytes(), data_mining_packet(DENY)))
    work_id = run.import_(path, "--license", "cc-by-4.0")
    path.unlink()  # the verdict comes from what was stored on import
    line = _train_line(run("license", "check", work_id).stdout)
    assert " no " in line and "DMI-PROHIBITED-GENAIMLTRAINING" in line and line.endswith("(training_xmp_denied)")
    data = run.json("license", "check", work_id)
    assert data["can_train"] is False and data["can_remix"] is True
    train = [v for v in data["verdicts"] if v["action"] == "train"]
    assert [(v["who"], v["answer"], v["code"]) for v in train] == [("you", "no", "training_xmp_denied")]


def test_owner_choice_do_not_train_and_clear(run, sample) -> None:
    work_id = run.import_(sample(), "--license", "cc-by-4.0")
    line = _train_line(run("license", "check", work_id).stdout)
    assert " yes " in line and line.endswith("(training_license_allows)")
    denied = run.json("train-permission", work_id, "deny")
    assert denied["allowed"] is False and denied["verdicts"][0]["code"] == "training_owner_denied"
    assert run.json("license", "check", work_id)["can_train"] is False
    out = run("train-permission", work_id, "clear").stdout
    assert "may be used to train a model" in out and "(training_license_allows)" in out
    assert run.json("license", "check", work_id)["can_train"] is True


def test_allow_is_refused_for_an_imported_work_in_one_line(run, sample) -> None:
    work_id = run.import_(sample(), "--license", "all-rights-reserved")
    result = run("train-permission", work_id, "allow", ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "only its owner" in result.stderr
    assert run.json("license", "check", work_id)["can_train"] is False


def test_own_generation_answers_for_the_owner_and_for_others(run) -> None:
    work = run.json("generate", "a kite", "--steps", "2", "--size", "64x64", "--seed", "3",
                    "--license", "pil-non-commercial-social-remixing", "--title", "Kite")
    out = run("license", "check", work["id"]).stdout
    assert _train_line(out).endswith("(training_owner_may)")
    others = _train_line(out, "others may train models on it")
    assert " no " in others and "aiLearningModels = false" in others
    run("train-permission", work["id"], "allow")
    assert " yes " in _train_line(run("license", "check", work["id"]).stdout, "others may train models on it")


def test_unknown_work_and_choice_are_one_line_errors(run, sample, tmp_path: Path) -> None:
    run.import_(sample())
    result = run("train-permission", "nope", "deny", ok=False)
    assert result.exit_code != 0 and len(result.stderr.strip().splitlines()) == 1
    result = run("train-permission", "nope", "sometimes", ok=False)
    assert result.exit_code == 2 and "sometimes" in result.stderr
