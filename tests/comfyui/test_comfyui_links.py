"""Linking a server's file to a registered model must be proven (the server's safetensors header is the registered
file's); otherwise the file is registered by name, unverified, under its own license, and every place that shows
the model says so. Also: `engines models` recognises registered files on its own and shows links to files that
are gone."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.errors import InvalidInput, LicenseRefused
from studio.services.generation import CreateRequest
from tests.helpers.standin_nodes import LINKED_MODEL, SD15_HEADER, TINY_HEADER, write_checkpoint

SD15 = "v1-5-pruned-emaonly.safetensors"


@pytest.fixture
def run(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data_dir))
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") != "1":
        monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")

    def invoke(*args: str, ok: bool = True):
        result = CliRunner().invoke(cli, ["--library", str(tmp_path / "lib"), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return invoke


def test_a_server_file_with_another_header_is_not_linked_to_a_registered_model(studio, make_server, tiny_file):
    server = make_server(extra_files={SD15: SD15_HEADER})
    studio.engines.add("box", server.url)
    studio.models.add(tiny_file, name=LINKED_MODEL, license_id="cc0-1.0")
    with pytest.raises(InvalidInput, match=f"{SD15} on box is not {LINKED_MODEL}: its safetensors header differs"):
        studio.engines.link("box", SD15, model=LINKED_MODEL)
    assert studio.engines.links() == {}


def test_an_unprovable_link_is_by_name_unverified_and_never_grants_the_claimed_models_license(run, make_server):
    # The server's SD 1.5 file said to be the built-in studio-tiny (CC0): a folder here, so no header to compare.
    server = make_server(extra_files={SD15: SD15_HEADER})
    run("engines", "add", "box", server.url)
    run("models", "list")  # registers the built-in model
    refused = run("engines", "link", "box", SD15, "--model", "studio-tiny", ok=False)
    assert refused.exit_code != 0 and refused.stderr.strip().splitlines() == [
        f"error: ComfyUI server box cannot prove that {SD15} is studio-tiny: it gives no safetensors header that "
        "names the file (to use it anyway, record it by name, unverified, under its own license: add --license ID "
        "(it will not carry studio-tiny's license or hash))"]
    assert json.loads(run("engines", "models", "box", "--json").stdout)[0]["model"] is None
    linked = run("engines", "link", "box", SD15, "--model", "studio-tiny", "--license", "all-rights-reserved")
    assert f"{SD15} on box -> v1-5-pruned-emaonly (all-rights-reserved, by name, unverified)" in linked.stdout
    assert "could not prove" in linked.stderr and "not as studio-tiny" in linked.stderr

    rows = json.loads(run("engines", "models", "box", "--json").stdout)
    row = next(r for r in rows if r["file"] == SD15)
    assert row["model"] == "v1-5-pruned-emaonly" and row["how"] == "by name, unverified"
    assert row["license"] == "all-rights-reserved"
    models = json.loads(run("models", "list", "--json").stdout)
    tiny = next(m for m in models if m["name"] == "studio-tiny")
    remote = next(m for m in models if m["name"] == "v1-5-pruned-emaonly")
    assert remote["license"] != tiny["license"] and remote["sha256"] != tiny["sha256"]
    assert remote["path"].startswith(f"{server.url}/models/checkpoints/")  # a URL, not http:/host

    # Its license decides, not studio-tiny's: with nothing granted, a commercial use is refused before any job.
    refused = run("generate", "a pier", "--engine", "comfyui:box", "--model", "v1-5-pruned-emaonly", "--size",
                  "64x64", "--steps", "2", "--commercial", ok=False)
    assert refused.exit_code != 0 and server.prompts == []
    assert "“v1-5-pruned-emaonly (a ComfyUI server's file, by name, unverified)” is all rights reserved" in (
        refused.stderr)
    assert "studio-tiny" not in refused.stderr


def test_show_names_the_engine_server_and_how_the_model_is_known(run, make_server):
    server = make_server()
    run("engines", "add", "box", server.url)
    run("engines", "link", "box", "studio-tiny.safetensors", "--license", "cc-by-4.0", "--as", "house-model")
    made = json.loads(run("generate", "a pier", "--engine", "comfyui:box", "--model", "house-model", "--size",
                          "64x64", "--steps", "2", "--seed", "3", "--json").stdout)
    shown = run("show", made["id"]).stdout
    assert "  engine    ComfyUI on server box, model file studio-tiny.safetensors (by name, unverified)" in shown


def test_engines_models_finds_registered_files_by_header_and_shows_links_to_gone_files(studio, make_server,
                                                                                      tiny_file, tmp_path):
    server = make_server(extra_files={"copy-of-tiny.safetensors": TINY_HEADER})
    studio.engines.add("box", server.url)
    studio.models.add(tiny_file, name=LINKED_MODEL, license_id="cc0-1.0")
    files = {f.filename: f for f in studio.engines.remote_models("box")}
    assert files["copy-of-tiny.safetensors"].state == "matches"
    assert files["copy-of-tiny.safetensors"].model.name == LINKED_MODEL
    assert files["studio-tiny.safetensors"].state == "matches"

    studio.engines.link("box", "copy-of-tiny.safetensors", model=LINKED_MODEL)
    del server.files.checkpoints["copy-of-tiny.safetensors"]
    files = {f.filename: f for f in studio.engines.remote_models("box")}
    gone = files["copy-of-tiny.safetensors"]
    assert gone.state == "gone" and gone.model.name == LINKED_MODEL and "gone" in gone.how
    other = write_checkpoint(tmp_path / "other.safetensors", {"format": "pt", "modelspec.title": "another"})
    studio.models.add(other, name="other", license_id="cc0-1.0")
    assert {f.filename: f.state for f in studio.engines.remote_models("box")}["studio-tiny.safetensors"] == "matches"


def test_a_header_of_just_its_format_proves_nothing(studio, make_server, tmp_path):
    plain = write_checkpoint(tmp_path / "plain.safetensors", {"format": "pt"})
    server = make_server(extra_files={"plain.safetensors": {"format": "pt"}})
    studio.engines.add("box", server.url)
    studio.models.add(plain, name="plain-local", license_id="cc0-1.0")
    with pytest.raises(InvalidInput, match=r"cannot prove that plain\.safetensors is plain-local"):
        studio.engines.link("box", "plain.safetensors", model="plain-local")
    model, known_by = studio.engines.link("box", "plain.safetensors", model="plain-local",
                                          license_id="all-rights-reserved")
    assert known_by == "name" and model.name != "plain-local" and model.work.license_id == "all-rights-reserved"
    studio.use_engine("comfyui:box")
    with pytest.raises(LicenseRefused, match="by name, unverified"):  # plain-local's CC0 is not borrowed
        studio.generation.create(CreateRequest(mode="txt2img", prompt="x", model=model.name, seed=1, steps=2, width=64,
                                               height=64, commercial=True))
