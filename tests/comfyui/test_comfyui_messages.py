"""What the engine says and how often it asks: hints that fit the set-up (one server or several), every dead
server named, no needless restart advice, and /object_info fetched once per connection, not per job."""

from __future__ import annotations

import socket

import pytest

from studio.generate.comfyui import MissingModel, ServerUnavailable
from studio.services.generation import CreateRequest

TXT = CreateRequest(mode="txt2img", prompt="a lighthouse", seed=2, steps=2, width=64, height=64)


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_one_server_dropping_mid_job_does_not_suggest_another_server(studio, make_server, linked):
    server = make_server(die_at_step=1)
    studio.engines.add("box", server.url)
    linked(server)
    studio.use_engine("comfyui:box")
    with pytest.raises(ServerUnavailable) as caught:
        studio.generation.create(TXT)
    assert "box dropped the connection" in str(caught.value)
    assert "another server" not in str(caught.value)


def test_when_every_server_is_dead_each_is_named(studio, make_server, linked):
    server = make_server()
    studio.engines.add("box", server.url)
    linked(server)
    server.stop()
    studio.engines.add("spare", _dead_url())
    studio.use_engine("comfyui")
    with pytest.raises(ServerUnavailable) as caught:
        studio.generation.create(TXT)
    message = str(caught.value)
    assert message.startswith("none of the 2 ComfyUI servers could take the job: ")
    assert "ComfyUI server box at" in message and "ComfyUI server spare at" in message and "\n" not in message


def test_a_missing_model_does_not_ask_for_a_restart(studio, make_server, linked):
    server = make_server()
    studio.engines.add("box", server.url)
    linked(server)
    studio.use_engine("comfyui:box")
    server.files.checkpoints.clear()
    with pytest.raises(MissingModel) as caught:
        studio.generation.create(TXT)
    assert "restart" not in str(caught.value).replace("no restart needed", "")
    assert "no restart needed" in str(caught.value)


def test_object_info_is_fetched_once_per_connection_and_again_when_a_file_seems_missing(studio, make_server,
                                                                                       linked):
    server = make_server()
    studio.engines.add("box", server.url)
    linked(server)
    studio.use_engine("comfyui:box")

    def fetched() -> int:
        return sum(1 for method, path in server.requests_seen if path.endswith("/object_info"))

    before = fetched()
    studio.generation.create(TXT)
    studio.generation.create(TXT)
    studio.generation.create(TXT)
    assert fetched() - before == 1
    server.files.checkpoints.clear()
    with pytest.raises(MissingModel):
        studio.generation.create(TXT)
    assert fetched() - before == 2  # the cached copy said the file was there: asked again, and it is gone
