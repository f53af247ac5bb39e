"""The server pool: idle servers take jobs, a server that dies mid-job has its job finished by another (recorded
once), the window can watch who runs what, and Cancel stops a job on the server."""

from __future__ import annotations

import threading

import pytest

from studio.generate import Cancelled
from studio.services.generation import CreateRequest


def _setup(studio, servers, linked):
    for name, server in servers.items():
        studio.engines.add(name, server.url)
    linked(next(iter(servers.values())), next(iter(servers)))


def test_a_server_that_dies_mid_job_has_the_job_finished_on_another_and_recorded_once(studio, make_server, linked):
    dying, healthy = make_server(die_at_step=2), make_server()
    _setup(studio, {"a": dying, "b": healthy}, linked)
    studio.use_engine("comfyui")
    before = len(studio.works())

    work = studio.generation.create(
        CreateRequest(mode="txt2img", prompt="storm over the bay", seed=5, steps=4, width=64,
                      height=64))

    assert len(studio.works()) == before + 1
    assert len(dying.prompts) == 1 and dying.executed == []
    assert len(healthy.executed) == 1
    assert work.recipe.extra["server"] == "b"
    states = {s.name: s for s in studio.generation.generator.pool.states()}
    assert states["a"].status == "down" and "dropped" in (states["a"].detail or "")
    assert states["b"].status == "idle"


def test_jobs_go_to_idle_servers_and_the_pool_reports_who_runs_what(studio, make_server, linked, tiny):
    one, two = make_server(step_delay=0.3), make_server(step_delay=0.3)
    _setup(studio, {"one": one, "two": two}, linked)
    studio.use_engine("comfyui")
    generator = studio.generation.generator
    seen: list[tuple] = []
    generator.pool.subscribe(seen.append)
    prepared = [studio.generation.prepare(CreateRequest(mode="txt2img", prompt=f"job {n}", seed=n, steps=3,
                                                        width=64, height=64)) for n in range(2)]
    results = []
    threads = [threading.Thread(target=lambda p=p: results.append(studio.generation.run(p))) for p in prepared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert len(results) == 2
    assert len(one.executed) == 1 and len(two.executed) == 1
    assert {r.recipe.extra["server"] for r in results} == {"one", "two"}
    both_busy = [s for s in seen if all(state.status == "busy" for state in s)]
    assert both_busy, "the two jobs never ran at the same time"
    assert {state.job for state in both_busy[0]} == {"txt2img: job 0", "txt2img: job 1"}
    assert all(state.status == "idle" for state in seen[-1])


def test_cancel_interrupts_the_job_on_the_server_and_records_nothing(studio, make_server, linked):
    server = make_server(step_delay=0.4)
    _setup(studio, {"box": server}, linked)
    studio.use_engine("comfyui:box")
    cancel = threading.Event()
    before = len(studio.works())

    def on_progress(progress) -> None:
        cancel.set()

    with pytest.raises(Cancelled):
        studio.generation.create(
            CreateRequest(mode="txt2img", prompt="never finished", seed=1, steps=8, width=64, height=64),
            on_progress=on_progress, cancel=cancel)

    prompt_id = server.prompts[0]["prompt_id"]
    assert prompt_id in server.deleted and prompt_id in server.interrupts
    assert ("POST", "/interrupt") in server.requests_seen and ("POST", "/queue") in server.requests_seen
    server.stop()  # let the interrupted run wind down before asserting it never finished
    assert server.executed == []
    assert len(studio.works()) == before
