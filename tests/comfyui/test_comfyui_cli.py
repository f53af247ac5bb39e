"""`studio engines ...` and `studio generate --engine comfyui[:NAME]` against a stand-in server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from studio.cli.main import cli


@pytest.fixture
def run(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data_dir))  # the built-in model is built once per session
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") != "1":
        monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, ok: bool = True):
        result = runner.invoke(cli, ["--library", str(tmp_path / "lib"), *args], input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


def test_engines_commands_and_a_generation_on_the_server(run, make_server, tiny_file, tmp_path):
    server = make_server(token="cli-token-777")
    added = run("engines", "add", "box", server.url, "--token-stdin", input="cli-token-777\n")
    assert "cli-token-777" not in added.output + added.stderr
    assert "token in the OS keyring" in added.stdout
    listed = json.loads(run("engines", "list", "--json").stdout)
    assert listed == [{"name": "box", "url": server.url, "token": True}]
    assert "ComfyUI 0.3.60" in run("engines", "test", "box").stdout
    assert "(not linked)" in run("engines", "models", "box").stdout
    run("models", "add", str(tiny_file), "--name", "tiny-file", "--license", "cc0-1.0")
    linked = run("engines", "link", "box", "studio-tiny.safetensors", "--model", "tiny-file")
    assert "(cc0-1.0, proven the same file)" in linked.stdout

    made = json.loads(run("generate", "a harbour at night", "--engine", "comfyui:box", "--size", "64x64",
                          "--steps", "2", "--seed", "9", "--json").stdout)
    assert made["recipe"]["extra"]["server"] == "box" and made["recipe"]["extra"]["engine"] == "comfyui"
    assert any(p["relation"] == "generated_with" for p in made["parents"])
    assert len(server.executed) == 1
    # The stored PNG keeps the graph the server ran, so ComfyUI can reopen it, beside the studio's own recipe.
    stored = tmp_path / "lib" / made["file"]
    with Image.open(stored) as png:
        png.load()
        assert json.loads(png.text["prompt"]) == server.prompts[0]["prompt"]
        assert "remix-studio" in png.text and "Steps: 2" in png.text["parameters"]

    run("engines", "remove", "box")
    assert json.loads(run("engines", "list", "--json").stdout) == []


def test_engine_errors_are_one_line_without_a_traceback(run, make_server):
    unknown = run("generate", "x", "--engine", "comfyui:nosuch", "--size", "64x64", ok=False)
    assert unknown.exit_code != 0
    assert unknown.stderr.strip().splitlines() == [
        "error: no ComfyUI server named 'nosuch' (see `studio engines list`, add one with `studio engines add NAME "
        "URL`)"]
    wrong = run("generate", "x", "--engine", "gpu-farm", ok=False)
    assert wrong.stderr.strip() == "error: unknown engine 'gpu-farm' (use local, comfyui or comfyui:NAME)"

    server = make_server()
    run("engines", "add", "box", server.url)
    server.stop()
    gone = run("engines", "test", "box", ok=False)
    lines = gone.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot be reached" in lines[0] and "Traceback" not in gone.output
    bad = run("engines", "add", "box2", "ftp://example", ok=False)
    assert bad.stderr.strip().startswith("error: 'ftp://example' is not a ComfyUI server address")
