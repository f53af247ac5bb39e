"""Hostile ComfyUI servers in the corpus: `studio generate --engine comfyui:box` against a stand-in server that
misbehaves (see tests/helpers/standin_server.py). For each: a non-zero exit within the configured limits, exactly
one line on stderr, no traceback, and the library exactly as it was.

The corpus is data: add a case as the stand-in's options."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from tests.helpers.hostile_library import snapshot
from tests.helpers.standin_server import server_factory

SERVERS: list[dict] = [
    {"view": "endless"}, {"view": "trickle"}, {"view": "bomb"}, {"view": "huge"}, {"view": "wrong_size"},
    {"history": "strings"}, {"history": "no_filename"}, {"history": "bad_type"}, {"history": "deep"}, {"hang": True},
    {"fail_node": "KSampler"}, {"missing_nodes": ("KSampler",)},
    {"silent_end": True, "hang": True},
]
HEADER = {"format": "pt", "modelspec.title": "hostile corpus file"}


@pytest.mark.parametrize("options", SERVERS, ids=[",".join(f"{k}={v}" for k, v in o.items()) for o in SERVERS])
def test_a_hostile_server_gets_one_line_and_leaves_the_library_untouched(generator, options, tmp_path,
                                                                         monkeypatch):
    from studio.generate import builtin_model_ref

    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(generator.data_dir))  # the built-in model is built once
    lib = tmp_path / "lib"
    tiny = builtin_model_ref(generator.data_dir)
    with server_factory(tmp_path / "servers", generator, {"studio-tiny.safetensors": tiny},
                        {"studio-tiny.safetensors": HEADER}) as make:
        server = make(**options)
        for args in (("engines", "add", "box", server.url),
                     ("engines", "link", "box", "studio-tiny.safetensors", "--license", "cc0-1.0", "--as", "remote"),
                     ("engines", "limits", "--idle", "0.5", "--deadline", "2", "--job-deadline", "4")):
            done = CliRunner().invoke(cli, ["--library", str(lib), *args])
            assert done.exit_code == 0, done.output
        before = snapshot(lib)
        box: dict = {}

        def run() -> None:
            box["result"] = CliRunner().invoke(cli, [
                "--library", str(lib), "generate", "a pier", "--engine", "comfyui:box", "--model", "remote",
                "--size", "64x64", "--steps", "2", "--seed", "1", "--json"], prog_name="studio")

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(60)
        assert not thread.is_alive(), f"{options} hangs"
    result = box["result"]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{options} raised {result.exception!r}") from result.exception
    assert result.exit_code != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    after = snapshot(lib)
    assert after.integrity == "ok" and after.rows == before.rows and after.files == before.files
