"""`studio train lora|status|cancel|resume` on the built-in tiny model: the training permission of every work is
checked before any compute, the LoRA becomes a work with its lineage (finetuned_from the base, trained_on its
set), images made with it are styled_with it, its header round-trips through `models add`, and a cancelled job
resumed from its checkpoint gives the weights of an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from studio.services.studio import Studio
from studio.store.run_lease import RunLease

torch.set_num_threads(1)
REPO = Path(__file__).resolve().parents[2]
FAST = ["--base", "studio-tiny", "--steps", "6", "--rank", "2", "--batch", "2", "--resolution", "64", "--seed", "5"]


@pytest.fixture
def library_works(run, sample) -> dict[str, list[str]]:
    allowed = [run.import_(sample(i, size=(64, 64)), "--license", "cc-by-4.0", "--creator", "Ada",
                           "--title", f"tile_{i}.png") for i in range(3)]
    refused = [run.import_(sample(9, size=(64, 64)), "--license", "all-rights-reserved", "--title", "private")]
    return {"allowed": allowed, "refused": refused}


def test_a_refused_work_stops_the_request_before_any_compute_in_one_line(run, library_works) -> None:
    result = run("train", "lora", "--works", *library_works["allowed"], "--works", *library_works["refused"],
                 *FAST, ok=False)
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert library_works["refused"][0] in result.stderr and "--skip-refused" in result.stderr
    assert run.json("train", "status") == []
    assert run.json("list", "--kind", "collection") == []


def test_lora_from_library_works_has_lineage_and_passes_it_to_what_it_makes(run, library_works, tmp_path) -> None:
    works = " ".join(library_works["allowed"] + library_works["refused"])
    job = run.json("train", "lora", "--works", works, *FAST, "--skip-refused", "--title", "Tiles",
                   "--creator", "Ada", "--caption", f"{library_works['allowed'][0]}=a tiled floor")
    assert job["state"] == "done" and job["step"] == 6 and job["lora_id"]
    assert job["captions"] == ["a tiled floor", "tile 1", "tile 2"]
    assert [r["id"] for r in job["refused"]] == library_works["refused"]
    assert job["samples"] and all(Path(s).is_file() for s in job["samples"])

    lora = job["lora_id"]
    model = next(m for m in run.json("models", "list") if m["id"] == lora)
    # Without --license the LoRA takes its base model's license (the built-in model's is CC0).
    assert (model["kind"], model["name"], model["license"], model["arch"]) == ("lora", "Tiles", "cc0-1.0",
                                                                                "studio-tiny")
    lineage = run.json("lineage", lora)
    relations = {(e["parent"], e["relation"]) for e in lineage["edges"] if e["child"] == lora}
    base_id = next(m["id"] for m in run.json("models", "list") if m["name"] == "studio-tiny")
    assert relations == {(base_id, "finetuned_from"), (job["collection_id"], "trained_on")}
    members = run.json("collection", "show", job["collection_id"])["members"]
    assert [m["id"] for m in members] == library_works["allowed"]

    image = run.json("generate", "a tiled floor", "--lora", f"{lora}:1.0", "--steps", "2", "--size", "64x64",
                     "--seed", "1")
    ancestry = run.json("lineage", image["id"])
    edges = {(e["child"], e["parent"], e["relation"]) for e in ancestry["edges"]}
    assert (image["id"], lora, "styled_with") in edges
    assert (lora, base_id, "finetuned_from") in edges and (lora, job["collection_id"], "trained_on") in edges

    # The file carries its provenance: another library reads title, author, license and base back.
    other = type(run)(tmp_path / "other-lib")
    path = next(m["path"] for m in run.json("models", "list") if m["id"] == lora)
    added = other.json("models", "add", path)
    assert added["name"] == "Tiles" and added["license"] == model["license"]
    assert "fine-tuned from studio-tiny on 3 works" in added["description"]
    shown = other.json("show", added["id"])
    assert shown["creator"] == "Ada"


def test_cancel_from_elsewhere_then_resume_gives_the_uninterrupted_weights(run, library_works) -> None:
    ids = library_works["allowed"]
    whole = run.json("train", "lora", "--works", *ids, *FAST, "--title", "Whole")
    queued = run.json("train", "lora", "--works", *ids, *FAST, "--title", "Halves", "--queue-only")
    assert queued["state"] == "queued"

    studio = Studio.open(run.library)
    try:
        def cancel_like_another_terminal(job) -> None:
            if job.step == 2:
                studio.training.cancel(job.id)  # what `studio train cancel` writes; the run reads it back

        stopped = studio.training.run(queued["id"], on_progress=cancel_like_another_terminal,
                                      cancel=threading.Event())
    finally:
        studio.close()
    assert stopped.state == "cancelled" and 2 <= stopped.step < 6
    status = run.json("train", "status", queued["id"])
    assert status["state"] == "cancelled"
    text = run("train", "status", queued["id"]).stdout
    assert "cancelled" in text and "sample" in text

    resumed = run.json("train", "resume", queued["id"])
    assert resumed["state"] == "done" and resumed["step"] == 6
    paths = {m["id"]: m["path"] for m in run.json("models", "list")}
    a, b = load_file(paths[whole["lora_id"]]), load_file(paths[resumed["lora_id"]])
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)

    again = run("train", "resume", queued["id"], ok=False)
    assert again.exit_code != 0 and "is done" in again.stderr
    cancel_done = run("train", "cancel", queued["id"], ok=False)
    assert cancel_done.exit_code != 0 and "nothing to cancel" in cancel_done.stderr


def test_share_alike_data_binds_the_loras_license_before_any_compute(run, sample) -> None:
    ids = [run.import_(sample(20 + i, size=(64, 64)), "--license", "cc-by-sa-4.0") for i in range(2)]
    asked = run("train", "lora", "--works", *ids, *FAST, "--license", "cc-by-4.0", "--queue-only", ok=False)
    assert asked.exit_code != 0 and len(asked.stderr.strip().splitlines()) == 1 and "Traceback" not in asked.stderr
    assert run.json("train", "status") == [] and run.json("list", "--kind", "collection") == []
    queued = run.json("train", "lora", "--works", *ids, *FAST, "--queue-only")
    assert queued["state"] == "queued" and queued["license_id"] == "cc-by-sa-4.0"
    cancelled = run.json("train", "cancel", queued["id"])
    assert cancelled["state"] == "cancelled" and cancelled["step"] == 0


# Ten steps with a checkpoint every two and no sample images: a killed run always has a checkpoint to resume from.
CRASH = ["--base", "studio-tiny", "--steps", "10", "--rank", "2", "--batch", "2", "--resolution", "64", "--seed", "7",
         "--checkpoint-every", "2", "--samples", "0"]


def _killed_after_first_checkpoint(run, tmp_path: Path, *args: str) -> tuple[str, int]:
    """`studio train lora …` started as its own process and SIGKILLed once its first checkpoint is on disk;
    returns the job's id and the killed process's pid."""
    training = Path(os.environ["STUDIO_DATA_DIR"]) / "training"
    before = set(training.glob("*")) if training.exists() else set()
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    with (tmp_path / "killed.err").open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "studio", "--library", str(run.library), "train", "lora",
                                 *args], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 600
            while not [p for p in training.glob("*/checkpoint.pt") if p.parent not in before]:
                assert proc.poll() is None, (tmp_path / "killed.err").read_text()
                assert time.monotonic() < deadline
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    (job_dir,) = [p.parent for p in training.glob("*/checkpoint.pt") if p.parent not in before]
    return job_dir.name, proc.pid


def _recorded(run, job_id: str):
    """The job as its record says, without settling it."""
    studio = Studio.open(run.library)
    try:
        return studio.training.jobs.get(job_id)
    finally:
        studio.close()


def _same_weights(run, a: str, b: str) -> None:
    paths = {m["id"]: m["path"] for m in run.json("models", "list")}
    first, second = load_file(paths[a]), load_file(paths[b])
    assert len(first) > 0 and first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_a_killed_training_is_settled_and_resumes_to_the_weights_of_an_uninterrupted_run(run, library_works,
                                                                                          tmp_path) -> None:
    ids = library_works["allowed"]
    whole = run.json("train", "lora", "--works", *ids, *CRASH, "--title", "Whole")
    assert whole["state"] == "done"

    # Killed once: `doctor` finds the job its record still calls running, says so and makes it resumable.
    first, pid = _killed_after_first_checkpoint(run, tmp_path, "--works", *ids, *CRASH, "--title", "Killed")
    assert _recorded(run, first).state == "running"
    doctor = run.json("doctor")
    assert [(j["id"], j["state"]) for j in doctor["training_jobs_settled"]] == [(first, "interrupted")]
    assert run.json("doctor")["training_jobs_settled"] == []
    text = run("train", "status", first).stdout
    assert "interrupted" in text and f"(pid {pid}) ended" in text and f"studio train resume {first}" in text
    checkpoint = torch.load(Path(os.environ["STUDIO_DATA_DIR"]) / "training" / first / "checkpoint.pt",
                            weights_only=True)["step"]
    assert 2 <= checkpoint < 10

    studio = Studio.open(run.library)
    try:
        steps: list[int] = []
        resumed = studio.training.resume(first, on_progress=lambda job: steps.append(job.step))
    finally:
        studio.close()
    assert resumed.state == "done" and steps[0] == checkpoint + 1 and steps[-1] == 10
    _same_weights(run, whole["lora_id"], resumed.lora_id)

    # Killed again: `train cancel` cancels the dead job at once, and `train resume` finishes it.
    second, _ = _killed_after_first_checkpoint(run, tmp_path, "--works", *ids, *CRASH, "--title", "Killed again")
    assert _recorded(run, second).state == "running"
    cancelled = run.json("train", "cancel", second)
    assert cancelled["state"] == "cancelled"
    again = run("train", "cancel", second, ok=False)
    assert again.exit_code != 0 and "nothing to cancel" in again.stderr
    done = run.json("train", "resume", second)
    assert done["state"] == "done" and done["step"] == 10
    _same_weights(run, whole["lora_id"], done["lora_id"])


def test_a_job_whose_process_lives_is_left_running_and_one_whose_process_is_gone_is_settled(run, library_works):
    """Liveness is the run lease, not the record: held, the job is running (cancel asks it to stop, a second run
    is refused); released, a running record becomes interrupted and a cancelling one cancelled."""
    queued = run.json("train", "lora", "--works", *library_works["allowed"], *CRASH, "--queue-only")
    studio = Studio.open(run.library)
    try:
        training = studio.training
        lease = RunLease.take(training.job_dir(queued["id"]))
        assert lease is not None
        training.jobs.update(queued["id"], state="running")
        assert training.settle() == []
        assert training.cancel(queued["id"]).state == "cancelling"
        assert RunLease.take(training.job_dir(queued["id"])) is None
        refused = run("train", "resume", queued["id"], ok=False)
        assert refused.exit_code != 0 and "running in another process" in refused.stderr
        assert len(refused.stderr.splitlines()) == 1
        assert run.json("train", "status", queued["id"])["state"] == "cancelling"
        lease.release()  # what the kernel does when the process holding it dies
        assert run.json("train", "status", queued["id"])["state"] == "cancelled"
        training.jobs.update(queued["id"], state="running")
        assert [j.state for j in training.settle()] == ["interrupted"]
        # Cancelled while another process holds the lease to start it: that process reads the request.
        starting = RunLease.take(training.job_dir(queued["id"]))
        assert training.cancel(queued["id"]).state == "cancelling"
        starting.release()
        assert training.cancel(queued["id"]).state == "cancelled"
    finally:
        studio.close()
