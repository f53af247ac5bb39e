"""Re-importing stored bytes with other details says what was not applied and how to apply it."""

from __future__ import annotations

from tests.cli.conftest import Run


def test_reimport_with_a_new_title_says_the_title_was_kept_and_retitle_changes_it(run: Run, sample) -> None:
    path = sample()
    work = run.import_(path, "--title", "Old title")
    again = run("import", str(path), "--title", "New title")
    assert "already in the library" in again.stdout
    assert "--title 'New title' not applied" in again.stdout and "'Old title'" in again.stdout
    assert f"studio retitle {work} TITLE" in again.stdout
    assert run.json("import", str(path), "--title", "New title", "--parent", work)["not_applied"] == [
        "parents",
        "title",
    ]
    assert run.json("show", work)["title"] == "Old title"

    run("retitle", work, "New title")
    assert run.json("show", work)["title"] == "New title"
    same = run("import", str(path), "--title", "New title")
    assert "not applied" not in same.stdout  # nothing asked for differs


def test_retitle_refuses_an_empty_title(run: Run, sample) -> None:
    work = run.import_(sample(), "--title", "Kept")
    result = run("retitle", work, "  ", ok=False)
    assert result.exit_code != 0 and result.stderr.count("\n") == 1
    assert run.json("show", work)["title"] == "Kept"
