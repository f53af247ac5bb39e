"""The `studio` CLI over a real library: import, derivatives' terms, license checks, royalties, bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.cli.conftest import Run


def _chain(run: Run, sample) -> tuple[str, str, str]:
    gp = run.import_(sample(), "--license", "pil-commercial-remix", "--rev-share", "5", "--creator", "Mira")
    p = run.import_(sample(), "--parent", gp, "--rev-share", "10", "--creator", "Jonas")
    c = run.import_(sample(), "--parent", p, "--creator", "Sana")
    return gp, p, c


def test_import_json_and_show(run: Run, sample) -> None:
    path = sample(fmt="JPEG", size=(40, 30))
    data = run.json("import", str(path), "--title", "Harbour", "--creator", "Ana", "--license", "cc-by-4.0")
    assert data["created"] is True
    shown = run.json("show", data["id"][:6])
    assert shown["id"] == data["id"]
    assert (shown["title"], shown["creator"], shown["license"]) == ("Harbour", "Ana", "cc-by-4.0")
    assert (shown["width"], shown["height"], shown["format"]) == (40, 30, "JPEG")
    assert shown["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    stored = run.library / shown["file"]
    assert stored.read_bytes() == path.read_bytes()


def test_reimporting_identical_content_returns_the_existing_work(run: Run, sample) -> None:
    path = sample()
    first = run.json("import", str(path))
    copy = path.with_name("copy-of-it.png")
    copy.write_bytes(path.read_bytes())
    second = run.json("import", str(copy), "--title", "another name")
    assert second["id"] == first["id"] and second["created"] is False
    assert len(run.json("list")) == 1


def test_derivative_inherits_reciprocal_terms_and_rev_share_is_a_raise_only_override(run: Run, sample) -> None:
    _gp, p, c = _chain(run, sample)
    parent = run.json("show", p)
    assert parent["license"] == "pil-commercial-remix"
    assert parent["rev_share_override"] == 10.0
    child = run.json("show", c)
    assert child["license"] == "pil-commercial-remix" and child["rev_share_override"] is None
    assert [edge["id"] for edge in child["parents"]] == [p]


def test_rev_share_below_the_inherited_one_is_refused_and_nothing_written(run: Run, sample) -> None:
    gp = run.import_(sample(), "--license", "pil-commercial-remix", "--rev-share", "5")
    before = run.json("list")
    result = run("import", str(sample()), "--parent", gp, "--rev-share", "2", ok=False)
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "2%" in result.stderr and "5%" in result.stderr
    assert run.json("list") == before
    assert not [p for p in (run.library / "files").rglob("*") if p.is_file() and p.suffix == ".png"][1:]


def test_a_different_license_than_the_inherited_one_is_refused(run: Run, sample) -> None:
    sa = run.import_(sample(), "--license", "cc-by-sa-4.0")
    result = run("import", str(sample()), "--parent", sa, "--license", "cc-by-4.0", ok=False)
    assert result.exit_code != 0 and "CC BY-SA" in result.stderr


def test_derivative_of_a_no_derivatives_work_is_recorded_flagged_and_never_publishable(run: Run, sample) -> None:
    nd = run.import_(sample(), "--license", "cc-by-nd-4.0", "--creator", "Theo")
    child = run.json("import", str(sample()), "--parent", nd)
    assert child["created"] and child["flags"]
    assert child["flags"][0]["code"] == "cc_no_derivatives"
    verdict = run.json("license", "check", child["id"])
    assert verdict["can_publish"] is False
    assert any(r["code"] == "flagged" for r in verdict["reasons"])
    assert "flagged" in run("list").stdout


def test_license_check_json_fields(run: Run, sample) -> None:
    gp, p, c = _chain(run, sample)
    verdict = run.json("license", "check", c)
    assert {"can_remix", "can_use_commercially", "can_publish", "attribution", "inherited_license", "reasons"} <= set(
        verdict
    )
    assert verdict["can_remix"] and verdict["can_use_commercially"]
    assert verdict["can_publish"] is False  # its parents are not on Story yet
    assert {"parent_not_on_chain"} <= {r["code"] for r in verdict["reasons"]}
    assert verdict["inherited_license"]["id"] == "pil-commercial-remix"
    credited = {a["id"] for a in verdict["attribution"]}
    assert {gp, p} <= credited
    assert all(a["text"] for a in verdict["attribution"])


@pytest.mark.parametrize(
    ("policy", "parent", "grandparent", "creator"), [("lap", 10.0, 5.0, 85.0), ("lrp", 9.5, 0.5, 90.0)]
)
def test_royalty_worked_example(run: Run, sample, policy, parent, grandparent, creator) -> None:
    gp, p, c = _chain(run, sample)
    split = run.json("royalty", c, "--policy", policy)
    assert split["policy"] == policy
    assert split["creator_share"] == creator
    shares = {a["id"]: (a["share"], a["depth"]) for a in split["ancestors"]}
    assert shares == {p: (parent, 1), gp: (grandparent, 2)}
    assert split["stack"] == (15.0 if policy == "lap" else 10.0)


def test_license_list_has_the_catalogue(run: Run) -> None:
    ids = {entry["id"] for entry in run.json("license", "list")}
    assert {"pil-commercial-remix", "cc-by-sa-4.0", "creativeml-openrail-m", "all-rights-reserved"} <= ids


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nonexistent/x.png"], "does not exist"),
        (["import", "{corrupt}"], "truncated or corrupt"),
        (["import", "{ok}", "--license", "no-such-license"], "no-such-license"),
        (["import", "{ok}", "--license", "cc-by-4.0", "--rev-share", "5"], "rev share"),
        (["import", "{ok}", "--rev-share", "150"], "between 0 and 100"),
        (["import", "{ok}", "--parent", "ffffffffffff"], "no work"),
        (["show", "zz"], "no work"),
        (["royalty", "{first}", "--policy", "lap"], None),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_leaves_the_library(run: Run, sample, args, message) -> None:
    first = run.import_(sample())
    corrupt = sample()
    corrupt.write_bytes(corrupt.read_bytes()[:60])
    paths = {"{corrupt}": str(corrupt), "{ok}": str(sample()), "{first}": first}
    argv = [paths.get(a, a) for a in args]
    before = run.json("list")
    result = run(*argv, ok=message is None)
    if message is None:
        return
    assert result.exit_code != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr
    assert run.json("list") == before


def test_link_refuses_cycles_with_a_clear_line(run: Run, sample) -> None:
    a = run.import_(sample(), "--license", "cc0-1.0")
    b = run.import_(sample(), "--parent", a)
    result = run("link", a, b, ok=False)
    assert result.exit_code != 0 and "cycle" in result.stderr


def test_demo_runs_on_the_sample_works(tmp_path: Path) -> None:
    run = Run(tmp_path / "unused")
    result = run.runner.invoke(
        __import__("studio.cli.main", fromlist=["cli"]).cli, ["demo", "--library", str(tmp_path / "demo")]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Tidepool at Night" in out and "85%" in out and "13.5%" in out and "refused" in out
