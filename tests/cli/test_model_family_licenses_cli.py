"""`studio license check` / `license confirm` on images made with models under today's model licenses: FLUX.1
[dev] (model non-commercial, outputs sellable, no training competing models on them), the Stability AI Community
License (commercial use only with revenue under US$1M, confirmed per work) and Apache 2.0. The models are the
built-in tiny model registered again under each license: the engine reads the license, not the family."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

FLUX_URL = "https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md"
GEN = ("--steps", "2", "--size", "64x64", "--seed", "5")


def _line(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(label + " "))


@pytest.fixture
def model_under(run, tmp_path: Path):
    """Register a copy of the built-in tiny model's folder as a model under `license_id` (a LICENSE.md naming it
    makes the copy a different file set, as a real model folder is); returns its work id."""

    def register(license_id: str, name: str) -> str:
        tiny = next(m for m in run.json("models", "list") if m["name"] == "studio-tiny")
        folder = tmp_path / name
        shutil.copytree(tiny["path"], folder)
        (folder / "LICENSE.md").write_text(f"{license_id}\n", encoding="utf-8")
        return run.json("models", "add", str(folder), "--name", name, "--license", license_id)["id"]

    return register


def test_flux_dev_image_may_be_sold_but_not_used_to_train_a_lora_nor_may_its_remix(run, model_under) -> None:
    flux = model_under("flux-1-dev-non-commercial", "flux-dev-tiny")
    model = run.json("license", "check", flux)
    assert model["can_use_commercially"] is False
    assert next(v for v in model["verdicts"] if v["action"] == "commercial")["code"] == "model_use_non_commercial"

    image = run.json("generate", "a harbour", "--model", flux, *GEN, "--commercial")
    verdict = run.json("license", "check", image["id"])
    assert verdict["can_use_commercially"] is True and verdict["can_train"] is False
    assert "model_outputs_terms" in {r["code"] for r in verdict["reasons"]}
    train = next(v for v in verdict["verdicts"] if v["action"] == "train")
    assert train["code"] == "training_outputs_forbidden" and FLUX_URL in train["reason"]
    out = run("license", "check", image["id"]).stdout
    assert " yes " in _line(out, "may be used commercially")
    train = _line(out, "may be used to train a model")
    assert " no " in train and "competes with FLUX.1 [dev]" in train and FLUX_URL in train

    remix = run.json("remix", image["id"], "the harbour at night", "--model", flux, *GEN)
    assert run.json("license", "check", remix["id"])["can_train"] is False
    refused = run("train", "lora", "--works", image["id"], remix["id"], "--base", "studio-tiny", "--steps", "1",
                  ok=False)
    assert refused.exit_code != 0 and "Traceback" not in refused.stderr
    assert "2 of the works may not be used for training" in refused.stderr and "competes" in refused.stderr


def test_selling_an_sd35_image_needs_the_revenue_confirmation_stored_with_the_work(
    run, model_under, tmp_path: Path
) -> None:
    sd35 = model_under("stabilityai-ai-community", "sd35-tiny")
    image = run.json("generate", "a dune", "--model", sd35, *GEN)
    before = run.json("license", "check", image["id"])
    commercial = next(v for v in before["verdicts"] if v["action"] == "commercial")
    assert before["can_use_commercially"] is False and commercial["answer"] == "if"
    assert commercial["code"] == "condition_unconfirmed" and "US$1,000,000" in commercial["reason"]
    assert [(c["id"], c["confirmed"]) for c in before["conditions"]] == [("revenue-under-1m", False)]
    out = run("license", "check", image["id"]).stdout
    assert " if   Commercial use is allowed only if your annual revenue" in _line(out, "may be used commercially")
    assert f"studio license confirm {image['id']} revenue-under-1m" in out

    report = json.loads(run("report", image["id"], "--format", "json").stdout)
    assert [(c["id"], c["confirmed"]) for c in report["conditions"]] == [("revenue-under-1m", False)]
    assert next(v for v in report["verdicts"] if v["action"] == "commercial")["answer"] == "if"
    page = tmp_path / "report.html"
    run("report", image["id"], "--output", str(page))
    html = page.read_text(encoding="utf-8")
    assert 'data-condition="revenue-under-1m" data-confirmed="no"' in html and "only if confirmed" in html

    after = run.json("license", "confirm", image["id"], "revenue-under-1m")
    assert after["can_use_commercially"] is True
    assert next(v for v in after["verdicts"] if v["action"] == "commercial")["code"] == "condition_confirmed"
    again = run.json("license", "check", image["id"])  # stored with the work
    assert again["can_use_commercially"] is True and again["conditions"][0]["confirmed"] is True
    assert "[confirmed]" in run("license", "check", image["id"]).stdout
    run("report", image["id"], "--output", str(page), "--force")
    assert 'data-condition="revenue-under-1m" data-confirmed="yes"' in page.read_text(encoding="utf-8")
    withdrawn = run.json("license", "confirm", image["id"], "revenue-under-1m", "--withdraw")
    assert withdrawn["can_use_commercially"] is False


def test_apache_model_image_remixed_from_a_cc_by_nc_photo_is_non_commercial_because_of_the_photo(
    run, model_under, sample
) -> None:
    schnell = model_under("apache-2.0", "schnell-tiny")
    photo = run.import_(sample(), "--license", "cc-by-nc-4.0", "--title", "Lighthouse")
    image = run.json("remix", photo, "a lighthouse", "--model", schnell, *GEN)
    verdict = run.json("license", "check", image["id"])
    assert verdict["can_use_commercially"] is False
    blocking = [r for r in verdict["reasons"] if r["severity"] == "block" and r["scope"] == "commercial"]
    assert [(r["code"], r["work_id"]) for r in blocking] == [("cc_non_commercial", photo)]


def test_confirming_an_unknown_condition_or_one_the_work_lacks_is_one_line(run, model_under, sample) -> None:
    work = run.import_(sample(), "--license", "cc-by-4.0")
    unknown = run("license", "confirm", work, "rich-enough", ok=False)
    assert unknown.exit_code != 0 and unknown.stderr.strip().count("\n") == 0
    assert "unknown license condition 'rich-enough'" in unknown.stderr and "revenue-under-1m" in unknown.stderr
    lacking = run("license", "confirm", work, "revenue-under-1m", ok=False)
    assert lacking.exit_code != 0 and lacking.stderr.strip().count("\n") == 0
    assert "has no condition 'revenue-under-1m'" in lacking.stderr
    assert run.json("license", "check", work)["conditions"] == []


def test_license_list_states_each_model_licenses_outputs_and_conditions(run) -> None:
    listed = {lic["id"]: lic for lic in run.json("license", "list")}
    flux = listed["flux-1-dev-non-commercial"]
    assert flux["pil"]["commercialUse"] is False and flux["outputs"]["commercial_use"] is True
    assert flux["outputs"]["training_allowed"] is False and flux["legal_url"] == FLUX_URL
    assert [c["id"] for c in listed["stabilityai-ai-community"]["conditions"]] == ["revenue-under-1m"]
    assert listed["apache-2.0"]["outputs"]["attribution_required"] is False
    assert listed["cc-by-4.0"]["outputs"] is None and listed["cc-by-4.0"]["conditions"] == []
