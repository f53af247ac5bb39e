"""A hostile ComfyUI server: answers without end, trickling answers, a websocket that never reports the end, a
job that never ends, decompression bombs, oversized and wrong-sized images, malformed history entries. Each ends
in one clear line within the configured limits, and nothing is recorded."""

from __future__ import annotations

import time

import pytest

from studio.generate.comfyui import ComfyUIError, JobFailed, ServerUnavailable
from studio.services.generation import CreateRequest

TXT = CreateRequest(mode="txt2img", prompt="a quiet pier", seed=3, steps=2, width=64, height=64)


@pytest.fixture
def hostile(studio, make_server, linked):
    """A stand-in with the given misbehaviour as the only server, with short limits (the defaults are minutes)."""

    def make(**options):
        server = make_server(**options)
        studio.engines.add("box", server.url)
        linked(server)
        studio.engines.set_limits(idle_s=0.5, deadline_s=2.0, job_deadline_s=4.0)
        studio.use_engine("comfyui:box")
        return server

    return make


def _fails(studio, error, match):
    before = len(studio.works())
    with pytest.raises(error) as caught:
        studio.generation.create(TXT)
    message = str(caught.value)
    assert match in message and "\n" not in message, message
    assert len(studio.works()) == before
    return message


def test_an_endless_view_body_is_cut_at_the_image_cap(studio, hostile):
    server = hostile(view="endless")
    _fails(studio, ServerUnavailable, "box sent more than 64 MB on /view; the answer was dropped")
    assert server.view_bytes_sent < 200 * 1024 * 1024  # the reader stopped; the server did not send gigabytes


def test_a_view_that_trickles_a_byte_at_a_time_ends_at_the_deadline(studio, hostile):
    hostile(view="trickle")
    _fails(studio, ServerUnavailable, "box did not finish its answer on /view within the time limit (0.5 s without "
                                      "data, 2 s in all)")


def test_a_websocket_that_never_reports_the_end_is_answered_by_the_history(studio, hostile):
    server = hostile(silent_end=True)
    work = studio.generation.create(TXT)
    assert work.recipe.extra["server"] == "box" and len(server.executed) == 1


def test_a_job_that_never_ends_is_stopped_on_the_server_at_the_job_deadline(studio, hostile):
    server = hostile(hang=True)
    _fails(studio, JobFailed, "the job on ComfyUI server box did not finish within 4 s; it was cancelled there")
    prompt_id = server.prompts[0]["prompt_id"]
    assert prompt_id in server.interrupts
    # The stand-in's worker notices the interrupt at its next poll, as a real server does at its next step.
    deadline = time.monotonic() + 5
    while not server.queue_empty() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.queue_empty()


@pytest.mark.parametrize("view", ["bomb", "huge"])
def test_a_bomb_or_a_huge_image_is_refused_from_its_header_before_decoding(studio, hostile, view):
    hostile(view=view)
    _fails(studio, ComfyUIError, "box sent an image with more pixels than any request (16,777,216); it was not "
                                 "decoded")


def test_an_image_of_another_size_than_asked_is_refused(studio, hostile):
    hostile(view="wrong_size")
    _fails(studio, ComfyUIError, "box sent a 72x64 image for a 64x64 request; it was refused")


@pytest.mark.parametrize(("history", "said"), [
    ("strings", "described its image with something that is not a record"),
    ("no_filename", "named no usable image file"),
    ("bad_type", "put its image in an unexpected place"),
])
def test_a_malformed_history_entry_is_named_not_a_crash(studio, hostile, history, said):
    hostile(history=history)
    _fails(studio, ComfyUIError, f"ComfyUI server box finished the job but {said}")


def test_json_nested_too_deep_is_not_json_to_the_studio(studio, hostile):
    hostile(history="deep")
    _fails(studio, ComfyUIError, "ComfyUI server box sent something that is not JSON on /history/")
