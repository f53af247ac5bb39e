"""Generation inputs the window or a script may pass: 0 steps is refused (never read as "the default"), and
blend's prompt (its last argument) must not be blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.services import Studio
from studio.services.generation import CreateRequest


def test_zero_steps_is_refused_not_replaced_by_the_default(tmp_path: Path) -> None:
    studio = Studio.open(tmp_path / "lib")
    try:
        with pytest.raises(InvalidInput, match="Steps 0 is out of range"):
            studio.generation.create(CreateRequest(mode="txt2img", prompt="a lighthouse", steps=0, width=64, height=64))
        assert [w for w in studio.works(kind=None) if w.kind.value == "image"] == []  # nothing was generated
        unset = studio.generation.prepare(CreateRequest(mode="txt2img", prompt="a lighthouse", width=64, height=64))
        assert unset.request.steps >= 1  # leaving the steps out still means the model's default
    finally:
        studio.close()


@pytest.mark.parametrize("prompt", ["", "   "])
def test_blend_refuses_a_blank_prompt_in_one_line(run, sample, prompt: str) -> None:
    first, second = run.import_(sample(), "--license", "cc0-1.0"), run.import_(sample(), "--license", "cc0-1.0")
    result = run("blend", first, second, prompt, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert result.stderr.strip().count("\n") == 0 and "prompt" in result.stderr and "empty" in result.stderr
    assert len(run.json("list")) == 2  # nothing was generated
