"""The ComfyUI engine through the studio: every mode against a stand-in server, recorded once with its lineage,
and the same pixels the local engine makes for the same request (the server runs that engine)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from studio.core.types import Relation
from studio.generate import Progress
from studio.services.generation import CreateRequest
from tests.helpers.standin_nodes import LINKED_MODEL

ALLOWED_NODES = {"CheckpointLoaderSimple", "LoraLoader", "CLIPTextEncode", "EmptyLatentImage", "LoadImage",
                 "LoadImageMask", "VAEEncode", "SetLatentNoiseMask", "VAEEncodeForInpaint", "KSampler", "VAEDecode",
                 "SaveImage"}


@pytest.fixture
def remote(studio, make_server, linked):
    server = make_server()
    studio.engines.add("box", server.url)
    linked(server)
    studio.use_engine("comfyui:box")
    return server


def _pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _import(studio, path):
    from studio.services.importing import ImportRequest

    return studio.importing.import_image(ImportRequest(path=path, license_id="cc-by-4.0")).work


@pytest.mark.parametrize("mode", ["txt2img", "img2img", "inpaint", "blend"])
def test_each_mode_runs_on_the_server_and_is_recorded_once_with_lineage(
    mode, studio, remote, generator, tiny, parent_images, mask_image
):
    parents = ()
    if mode != "txt2img":
        count = 2 if mode == "blend" else 1
        parents = tuple(_import(studio, p).id for p in parent_images[:count])
    events: list[Progress] = []
    create = CreateRequest(mode=mode, prompt="a lighthouse in fog", parents=parents, seed=11, steps=4,
                           width=64, height=64, mask=mask_image if mode == "inpaint" else None,
                           blend_weights=(2.0, 1.0) if mode == "blend" else None)
    works_before = len(studio.works())
    prepared = studio.generation.prepare(create)
    work = studio.generation.record(prepared, studio.generation.run(prepared, on_progress=events.append))

    assert len(studio.works()) == works_before + 1
    assert len(remote.executed) == 1
    graph = remote.prompts[0]["prompt"]
    assert {node["class_type"] for node in graph.values()} <= ALLOWED_NODES
    expected_upload = 0 if mode == "txt2img" else (2 if mode == "inpaint" else 1)
    assert len(remote.uploads) == expected_upload

    recipe = work.recipe
    builtin = studio.models.get(LINKED_MODEL)
    assert recipe.extra["engine"] == "comfyui" and recipe.extra["server"] == "box"
    assert recipe.extra["server_model"] == "studio-tiny.safetensors" and recipe.extra["model_known_by"] == "hash"
    assert recipe.model_sha256 == builtin.work.sha256 and recipe.mode == mode and recipe.seed == 11
    edges = {(e.parent_id, e.relation) for e in studio.parents(work.id)}
    assert (builtin.work.id, Relation.generated_with) in edges
    relation = {"img2img": Relation.remix_of, "inpaint": Relation.inpaint_of, "blend": Relation.composite_of}
    for parent in parents:
        assert (parent, relation[mode]) in edges

    total = 4 if mode in ("txt2img", "inpaint") else 2
    assert [e.step for e in events if e.preview is None] == list(range(1, total + 1))
    assert all(e.total == total for e in events)
    assert any(e.preview is not None for e in events)

    # The same request on this machine, on the weights the server runs for its file.
    local = generator.run(replace(prepared.request, scheduler="euler", model=tiny))
    assert np.abs(_pixels(studio.file_of(work)) - np.asarray(local.image, dtype=np.int16)).max() <= 1
    if mode == "inpaint":
        outside = np.asarray(Image.open(mask_image)) == 0
        parent = _pixels(parent_images[0])
        assert (_pixels(studio.file_of(work))[outside] == parent[outside]).all()
