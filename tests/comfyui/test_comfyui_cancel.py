"""Ctrl-C or SIGTERM on `studio generate --engine comfyui:NAME` takes the same cancel path as the window's Cancel:
the job is deleted from the server's queue (and interrupted when it runs), and the command exits 130 with one line.
The command runs as a real process, so the signal is a real one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]


def _wait(condition, what: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def cli_library(tmp_path: Path, data_dir: Path, tiny_file: Path, monkeypatch: pytest.MonkeyPatch):
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore",
           "STUDIO_KEYRING": f"plainfile:{tmp_path / 'keyring.json'}"}
    for key in ("STUDIO_DATA_DIR", "STUDIO_KEYRING"):
        monkeypatch.setenv(key, env[key])
    lib = tmp_path / "lib"

    def setup(server) -> list[str]:
        for args in (("engines", "add", "box", server.url),
                     ("models", "add", str(tiny_file), "--name", "tiny-file", "--license", "cc0-1.0"),
                     ("engines", "link", "box", "studio-tiny.safetensors", "--model", "tiny-file")):
            result = CliRunner().invoke(cli, ["--library", str(lib), *args], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        return [sys.executable, "-m", "studio", "--library", str(lib), "generate", "a slow tide", "--engine",
                "comfyui:box", "--size", "64x64", "--steps", "20", "--seed", "4"]

    return setup, env


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_run_deletes_and_interrupts_the_job_on_the_server(make_server, cli_library, sig):
    server = make_server(step_delay=0.3)
    setup, env = cli_library
    process = subprocess.Popen(setup(server), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL)
    try:
        _wait(lambda: server._running is not None, "the job to start on the server")
        process.send_signal(sig)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    prompt_id = server.prompts[0]["prompt_id"]
    assert process.returncode == 130, err
    lines = err.strip().splitlines()
    assert lines[-1] == ("Generation cancelled; its job was removed from ComfyUI server box; no image was made"), err
    assert "Traceback" not in err
    assert prompt_id in server.deleted and prompt_id in server.interrupts
    _wait(server.queue_empty, "the server's queue to empty", timeout=10)
    assert server.executed == []


def test_ctrl_c_while_the_job_waits_in_the_queue_removes_it_before_it_runs(make_server, cli_library):
    server = make_server(hold=True)
    setup, env = cli_library
    process = subprocess.Popen(setup(server), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL)
    try:
        _wait(lambda: bool(server.queued), "the job to be queued")
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    prompt_id = server.prompts[0]["prompt_id"]
    assert process.returncode == 130, err
    assert server.queued == [] and prompt_id in server.deleted
    assert prompt_id not in server.interrupts  # not running: nothing (and nobody else's job) is interrupted
    server.release()
    time.sleep(0.5)
    assert server.executed == [] and server.queue_empty()
