"""Hostile ComfyUI servers for a model of split files (FLUX.1 [dev] as transformer, text encoders and VAE, linked
part by part): after the parts are linked, the server's /object_info turns hostile (file inputs that are not
lists; lists of numbers, records, 100 kB names and names with terminal escapes; a DualCLIPLoader without its "flux"
type). `studio engines models` and `studio generate --engine comfyui:box` each end in one line on stderr, no
traceback, no escape sequence echoed, and the library exactly as it was.

The corpus is data: add a case as the stand-in's `object_info` mode."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from tests.helpers.family_parts import FLUX_DEV_FILES, build_flux_dev_parts
from tests.helpers.hostile_library import snapshot
from tests.helpers.standin_server import server_factory

MODES = ["files_not_lists", "files_junk", "no_flux_type"]


@pytest.fixture(scope="module")
def flux_dev(tmp_path_factory: pytest.TempPathFactory):
    return build_flux_dev_parts(tmp_path_factory.mktemp("flux-dev-parts"))


@pytest.mark.parametrize("mode", MODES)
def test_a_hostile_object_info_for_a_part_linked_model_gets_one_line(generator, flux_dev, mode, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(generator.data_dir))
    lib = tmp_path / "lib"

    def studio(*args: str):
        return CliRunner().invoke(cli, ["--library", str(lib), *args], prog_name="studio")

    with server_factory(tmp_path / "servers", generator, {FLUX_DEV_FILES["transformer"]: flux_dev.model},
                        flux_dev.headers) as make:
        server = make(real_nodes=True, parts=flux_dev.by_kind)
        setup = [("engines", "add", "box", server.url), ("models", "add", str(flux_dev.manifest), "--name", "flux"),
                 *[("engines", "link", "box", f, "--model", "flux") for f in FLUX_DEV_FILES.values()],
                 ("engines", "limits", "--idle", "0.5", "--deadline", "2", "--job-deadline", "4")]
        for args in setup:
            done = studio(*args)
            assert done.exit_code == 0, done.output
        server.object_info_mode = mode
        before = snapshot(lib)
        box: dict = {}

        def run() -> None:
            box["models"] = studio("engines", "models", "box")
            box["generate"] = studio("generate", "a pier", "--engine", "comfyui:box", "--model", "flux",
                                     "--size", "64x64", "--steps", "2", "--seed", "1", "--json")

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(90)
        assert not thread.is_alive(), f"{mode} hangs"
        assert server.prompts == []  # refused before anything was sent
    for what in ("models", "generate"):
        result = box[what]
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{mode}: {what} raised {result.exception!r}") from result.exception
        assert "Traceback" not in result.stdout + result.stderr
        assert "\x1b" not in result.stdout + result.stderr
        if what == "generate" or result.exit_code != 0:
            assert result.exit_code != 0 and len(result.stderr.splitlines()) == 1, (what, result.stderr)
    assert "no diffusion model 'flux1-dev.safetensors'" in box["generate"].stderr or mode == "no_flux_type"
    after = snapshot(lib)
    assert after.integrity == "ok" and after.rows == before.rows and after.files == before.files
