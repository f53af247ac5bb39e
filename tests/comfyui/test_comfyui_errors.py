"""Clear one-line errors: unreachable server, refused token, missing node, missing model, a server error
mid-job, an unlinked model; and license refusals before anything reaches the server."""

from __future__ import annotations

import os
import socket

import pytest

from studio.errors import LicenseRefused
from studio.generate.comfyui import (
    JobFailed,
    MissingModel,
    MissingNodes,
    ModelNotLinked,
    ServerUnavailable,
    TokenRefused,
)
from studio.secrets import PlainFileTestBackend, SecretStore
from studio.services.engines import EngineRegistry
from studio.services.generation import CreateRequest

TXT = CreateRequest(mode="txt2img", prompt="a red kite", seed=2, steps=2, width=64, height=64)


@pytest.fixture
def keyring_store(tmp_path):
    """The real Secret Service when the run has one (tools/run-tests.sh), else the explicit test keyring."""
    if os.environ.get("STUDIO_TEST_SECRET_SERVICE") == "1":
        from keyring.backends import SecretService

        return SecretStore(SecretService.Keyring())
    return SecretStore(PlainFileTestBackend(tmp_path / "keyring.json"))


def _use(studio, server, linked, name="box"):
    studio.engines.add(name, server.url)
    linked(server, name)
    studio.use_engine(f"comfyui:{name}")


def test_an_unreachable_server_says_so_in_one_line(studio):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    studio.engines.add("gone", f"http://127.0.0.1:{port}")
    with pytest.raises(ServerUnavailable) as caught:
        studio.engines.test("gone")
    assert f"ComfyUI server gone at http://127.0.0.1:{port} cannot be reached" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_tokens_live_in_the_keyring_and_a_wrong_or_missing_token_is_named(studio, make_server, keyring_store):
    server = make_server(token="right-token-4242")
    library = studio.library  # a registry of its own, over the test keyring
    engines = EngineRegistry(works=library.works, model_records=library.models, settings=library.settings,
                             db=library.db, models=studio.models, secrets=lambda: keyring_store)
    engines.add("locked", server.url)
    with pytest.raises(TokenRefused, match="locked asks for an access token"):
        engines.test("locked")
    engines.add("locked", server.url, token="wrong-token-1111")
    with pytest.raises(TokenRefused, match="locked refused the access token") as caught:
        engines.test("locked")
    assert "wrong-token" not in str(caught.value)
    engines.add("locked", server.url, token="right-token-4242")
    assert engines.test("locked").checkpoints == ("studio-tiny.safetensors",)
    settings = [row["value"] for row in studio.library.db.query("SELECT value FROM settings")]
    assert not any("token-" in value for value in settings)
    assert keyring_store.get("comfyui-token:locked") == "right-token-4242"
    engines.remove("locked")
    assert keyring_store.get("comfyui-token:locked") is None
    assert engines.servers() == []


def test_a_missing_node_is_named(studio, make_server, linked, parent_images, mask_image):
    server = make_server(missing_nodes=("SetLatentNoiseMask",))
    _use(studio, server, linked)
    from studio.services.importing import ImportRequest

    parent = studio.importing.import_image(ImportRequest(path=parent_images[0], license_id="cc-by-4.0")).work
    with pytest.raises(MissingNodes, match="box lacks the built-in node\\(s\\) SetLatentNoiseMask"):
        studio.generation.create(CreateRequest(mode="inpaint", prompt="a door", parents=(parent.id,), mask=mask_image,
                                               seed=1, steps=2))
    assert server.prompts == []


def test_a_missing_model_says_which_file_and_where_it_goes(studio, make_server, linked):
    server = make_server()
    _use(studio, server, linked)
    server.files.checkpoints.clear()
    with pytest.raises(MissingModel) as caught:
        studio.generation.create(TXT)
    assert "box has no checkpoint 'studio-tiny.safetensors'" in str(caught.value)
    assert "models/checkpoints" in str(caught.value)
    assert server.prompts == []


def test_a_server_error_mid_job_is_reported_and_nothing_is_recorded(studio, make_server, linked):
    server = make_server(fail_node="KSampler")
    _use(studio, server, linked)
    before = len(studio.works())
    with pytest.raises(JobFailed, match="box failed the job in KSampler: Out of memory on the device"):
        studio.generation.create(TXT)
    assert len(studio.works()) == before


def test_an_unlinked_model_is_named_with_how_to_link_it(studio, make_server):
    server = make_server()
    studio.engines.add("box", server.url)
    studio.use_engine("comfyui:box")
    with pytest.raises(ModelNotLinked, match="studio-tiny is not linked"):
        studio.generation.create(TXT)
    assert server.prompts == []


def test_a_model_known_by_name_carries_its_license_and_is_checked_before_anything_is_sent(studio, make_server):
    server = make_server()
    studio.engines.add("box", server.url)
    model, known_by = studio.engines.link("box", "studio-tiny.safetensors", license_id="all-rights-reserved",
                                          name="house-model")
    assert known_by == "name" and model.work.license_id == "all-rights-reserved"
    files = studio.engines.remote_models("box")
    assert [(f.filename, f.model.name if f.model else None, f.known_by) for f in files] == [
        ("studio-tiny.safetensors", "house-model", "name")]
    assert studio.models.default().name == "studio-tiny"  # a model on a server is never the local default
    studio.use_engine("comfyui:box")
    seen_before = list(server.requests_seen)
    with pytest.raises(LicenseRefused):
        studio.generation.create(
            CreateRequest(mode="txt2img", prompt="x", model="house-model", seed=1, steps=2, width=64,
                          height=64, commercial=True))
    assert [r for r in server.requests_seen[len(seen_before):] if r[1] in ("/prompt", "/upload/image")] == []


def test_a_name_linked_model_runs_and_its_recipe_records_the_name_not_a_hash(studio, make_server):
    server = make_server()
    studio.engines.add("box", server.url)
    studio.engines.link("box", "studio-tiny.safetensors", license_id="cc-by-4.0", name="house-model")
    studio.use_engine("comfyui:box")
    work = studio.generation.create(CreateRequest(mode="txt2img", prompt="x", model="house-model", seed=1, steps=2,
                                                  width=64, height=64))
    assert work.recipe.model == "house-model" and work.recipe.model_sha256 is None
    assert work.recipe.extra["model_known_by"] == "name" and work.recipe.extra["server"] == "box"
    model = studio.models.get("house-model")
    assert any(e.parent_id == model.work.id for e in studio.parents(work.id))
