"""Hostile training requests: a training size the model cannot use, a caption for a work outside the training set,
a GPU the machine does not have, a training permission set on a collection. Each is refused in one line on stderr
(exit 2, no traceback, nothing on stdout) before anything is written: no job, no training-set collection, the
library exactly as it was. Run as the real `studio` process, a refusal stays one line: the libraries' own notices
never reach stderr.

The cases are data: (command line with placeholders filled from the world, what the line must say).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from studio.services import Studio as StudioService
from tests.helpers.hostile_library import Studio, png_with_chunks, snapshot

REPO = Path(__file__).resolve().parents[2]
TRAIN = ("train", "lora", "--works", "{a}", "{b}", "--base", "studio-tiny", "--steps", "2", "--queue-only")
RESOLUTION = "is not a usable training size"

CASES: list[tuple[tuple[str, ...], str]] = [
    ((*TRAIN, "--resolution", "1"), RESOLUTION),
    ((*TRAIN, "--resolution", "8"), RESOLUTION),
    ((*TRAIN, "--resolution", "100"), RESOLUTION),
    ((*TRAIN, "--resolution", "4104"), "--resolution': '4104' is out of range"),
    ((*TRAIN, "--resolution", "1", "--json"), RESOLUTION),
    ((*TRAIN, "--caption", "zzzzzz=a fox"), "--caption zzzzzz: no work 'zzzzzz' is in the training set"),
    ((*TRAIN, "--caption", "{outside}=a fox"), "is in the training set"),
    (("train-permission", "{empty_set}", "deny"), "is a collection: training permission is set on each of its works"),
    (("train-permission", "{full_set}", "deny", "--json"), "is a collection"),
    (("train-permission", "{full_set}", "allow"), "is a collection"),
]


@pytest.fixture
def world(studio: Studio, tmp_path: Path) -> dict[str, str]:
    ids = []
    for n in range(3):
        path = tmp_path / f"work{n}.png"
        path.write_bytes(png_with_chunks({}, size=(64, 64), seed=40 + n))
        ids.append(studio.ok("import", str(path), "--license", "cc-by-4.0").stdout.split()[0])
    private = tmp_path / "private.png"
    private.write_bytes(png_with_chunks({}, size=(64, 64), seed=49))
    ids.append(studio.ok("import", str(private), "--license", "all-rights-reserved").stdout.split()[0])
    empty_set = studio.ok("collection", "create", "Nothing yet").stdout.split()[0]
    full_set = studio.ok("collection", "create", "Two works", ids[0], ids[1]).stdout.split()[0]
    return {"a": ids[0], "b": ids[1], "outside": ids[2], "private": ids[3], "empty_set": empty_set,
            "full_set": full_set}


def _refused_untouched(studio: Studio, args: tuple[str, ...], says: str) -> None:
    before = snapshot(studio.library)
    result = studio(*args)
    assert result.exit_code == 2, result.output + result.stderr
    assert "Traceback" not in result.stdout + result.stderr and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and says in line, line
    after = snapshot(studio.library)
    assert after.integrity == "ok" and after == before


@pytest.mark.parametrize(("case", "says"), CASES, ids=[" ".join(c[-4:])[:60] for c, _ in CASES])
def test_bad_training_requests_are_one_line_and_write_nothing(studio, world, case, says) -> None:
    _refused_untouched(studio, tuple(a.format(**world) for a in case), says)


def test_training_on_a_gpu_the_machine_lacks_writes_nothing(studio, world) -> None:
    import torch

    args = tuple(a.format(**world) for a in (*TRAIN, "--device", "cuda"))
    if torch.cuda.is_available():  # a GPU machine: the same request is a valid one
        assert studio(*args).exit_code == 0
        return
    _refused_untouched(studio, args, "--device cuda: this machine has no CUDA GPU")


def test_a_caption_for_a_work_in_the_set_is_taken(studio, world) -> None:
    result = studio.ok(*(a.format(**world) for a in TRAIN), "--caption", f"{world['b'][:6]}=a blue tile", "--json")
    assert '"a blue tile"' in result.stdout


def test_a_caption_for_a_work_left_out_goes_with_it(studio, world) -> None:
    job = studio.ok("train", "lora", "--works", world["a"], world["private"], "--base", "studio-tiny", "--steps", "2",
                    "--skip-refused", "--caption", f"{world['private']}=secret", "--queue-only", "--json").stdout
    assert "secret" not in job and world["private"] in job  # listed among the refused, not trained on


def test_clearing_a_collections_training_choice_is_allowed(studio, world) -> None:
    assert studio("train-permission", world["full_set"], "clear").exit_code == 0


def _studio_process(library: Path, *args: str) -> subprocess.CompletedProcess:
    """`studio …` as a user's shell starts it: without the verbosity settings this test process may have made."""
    env = {k: v for k, v in os.environ.items() if k not in ("TRANSFORMERS_VERBOSITY", "DIFFUSERS_VERBOSITY")}
    return subprocess.run([sys.executable, "-m", "studio", "--library", str(library), *args], cwd=REPO,
                          env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)


def test_a_training_refusal_is_one_line_from_the_real_process(studio, world) -> None:
    """Refusals that come after torch, diffusers and transformers are loaded: no notice of theirs on stderr."""
    queued = studio.ok(*(a.format(**world) for a in TRAIN)).stdout.split()[0]
    service = StudioService.open(studio.library)
    try:  # as a finished run leaves it
        service.training.jobs.update(queued, state="done")
    finally:
        service.close()
    before = snapshot(studio.library)
    result = _studio_process(studio.library, "train", "resume", queued)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"error: training job {queued} is done "
                                          "(only queued, cancelled, failed or interrupted jobs can run)"]
    assert snapshot(studio.library) == before
