"""FLUX.1, SD3.5 and Qwen-Image on ComfyUI: each family's workflow is valid against the node specs captured from a
real ComfyUI server (tests/comfyui/data/object_info_comfyui.json), a server without a node, a loader option or a
part file is refused in one line that names it and its folder, and a split model linked part by part runs on a
stand-in server (the studio's own engine on a tiny FLUX.1 [dev] model) with its family and every part's file and
hash in the recipe."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.errors import InvalidInput
from studio.generate import GenerationRequest, LoraRef, ModelRef
from studio.generate.comfyui import MissingModel, MissingNodes, ModelNotLinked, inspect_server
from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.family_workflow import (
    FAMILY_PARTS,
    ServerModel,
    build_family_workflow,
    required_family_nodes,
    required_options,
)
from studio.generate.comfyui.server_info import require
from studio.generate.families import FAMILIES
from studio.store.files import sha256_file
from tests.helpers.family_parts import (
    FLUX_DEV_FILES,
    QWEN_IMAGE_FILES,
    FamilyParts,
    build_flux_dev_parts,
    build_parts,
)
from tests.helpers.standin_nodes import REAL_OBJECT_INFO, real_catalogue, validate
from tests.helpers.standin_server import server_factory

ARCHS = tuple(FAMILIES)
PART_FILES = {  # the names the families' split files are published under
    "flux1-dev": FLUX_DEV_FILES,
    "flux1-schnell": {"transformer": "flux1-schnell.safetensors", "text_encoder": "clip_l.safetensors",
                      "text_encoder_2": "t5xxl_fp16.safetensors", "vae": "ae.safetensors"},
    "sd3": {"transformer": "sd3.5_medium.safetensors", "text_encoder": "clip_l.safetensors",
            "text_encoder_2": "clip_g.safetensors", "text_encoder_3": "t5xxl_fp16.safetensors",
            "vae": "sd3_vae.safetensors"},
    "qwen-image": QWEN_IMAGE_FILES,
}


def _request(arch: str, mode: str, parents: list[Path], mask: Path, **changes) -> GenerationRequest:
    fam = FAMILIES[arch]
    ref = ModelRef(id=f"model-{arch}", path=Path(f"{arch}.parts.json"), arch=arch, sha256="0" * 64, name=arch)
    fields = dict(mode=mode, prompt="a lighthouse in fog", model=ref, seed=3, steps=fam.steps,
                  guidance=fam.guidance, width=64, height=64)
    if mode != "txt2img":
        fields["init_images"] = tuple(parents[: 2 if mode == "blend" else 1])
        fields["strength"] = 0.6
    if mode == "inpaint":
        fields["mask"] = mask
    return GenerationRequest(**{**fields, **changes})


def _lora(path: Path) -> LoraRef:
    return LoraRef(id="style", path=path, weight=0.8, sha256="1" * 64, name="style")


def _catalogue(arch: str, *, checkpoint: str | None = None) -> dict:
    files = list(PART_FILES[arch].values())
    return real_catalogue(checkpoints=[checkpoint] if checkpoint else [], loras=["style.safetensors"],
                          inputs=["remix-studio/in.png", "remix-studio/mask.png"],
                          unets=[files[0]], clips=files[1:-1], vaes=[files[-1]])


def test_the_captured_specs_come_from_a_real_server_and_hold_every_node_the_workflows_use(parent_images,
                                                                                          mask_image):
    source = json.loads(REAL_OBJECT_INFO.read_text())["_source"]
    assert source["comfyui_version"] == "0.3.64" and len(source["commit"]) == 40
    catalogue = real_catalogue()
    used: set[str] = set()
    for arch in ARCHS:
        for mode in ("txt2img", "img2img", "inpaint", "blend"):
            request = _request(arch, mode, parent_images, mask_image)
            for model in (ServerModel(parts=PART_FILES[arch]), ServerModel(checkpoint="all-in-one.safetensors")):
                used |= set(required_family_nodes(request, FAMILIES[arch], model))
    assert used - set(catalogue) == set()
    assert {"UNETLoader", "DualCLIPLoader", "TripleCLIPLoader", "CLIPLoader", "VAELoader", "FluxGuidance",
            "ModelSamplingFlux", "ModelSamplingSD3", "EmptySD3LatentImage", "CheckpointLoaderSimple"} <= used


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("mode", ["txt2img", "img2img", "inpaint", "blend"])
@pytest.mark.parametrize("with_lora", [False, True], ids=["plain", "lora"])
def test_each_familys_part_file_workflow_is_valid_on_a_real_servers_node_specs(arch, mode, with_lora, parent_images,
                                                                               mask_image):
    fam = FAMILIES[arch]
    request = _request(arch, mode, parent_images, mask_image)
    model = ServerModel(parts=PART_FILES[arch])
    graph = build_family_workflow(request, fam, model, loras=[("style.safetensors", 0.8)] if with_lora else [],
                                  image="remix-studio/in.png", mask="remix-studio/mask.png")

    assert validate(graph, _catalogue(arch)) == {}
    if with_lora:
        request = _request(arch, mode, parent_images, mask_image, loras=(_lora(parent_images[0]),))
    assert {n["class_type"] for n in graph.values()} == set(required_family_nodes(request, fam, model))
    by_type = {n["class_type"]: n["inputs"] for n in graph.values()}
    sampler = by_type["KSampler"]
    assert (sampler["sampler_name"], sampler["scheduler"]) == ("euler", "simple")
    if arch.startswith("flux1-"):
        assert by_type["DualCLIPLoader"]["type"] == "flux"
        assert sampler["cfg"] == 1.0 and sampler["negative"] == sampler["positive"]  # no real negative
        assert ("FluxGuidance" in by_type) == (arch == "flux1-dev")
        if arch == "flux1-dev":
            assert by_type["FluxGuidance"]["guidance"] == fam.guidance == 3.5
            assert by_type["ModelSamplingFlux"]["width"] == 64
        else:
            assert "ModelSamplingFlux" not in by_type and sampler["steps"] in (4, 2)  # schnell: 4 steps, or img2img's
    elif arch == "sd3":
        assert by_type["ModelSamplingSD3"]["shift"] == 3.0 and sampler["cfg"] == fam.guidance
        assert [by_type["TripleCLIPLoader"][f"clip_name{i}"] for i in (1, 2, 3)] == [
            "clip_l.safetensors", "clip_g.safetensors", "t5xxl_fp16.safetensors"]
    else:
        assert by_type["CLIPLoader"]["type"] == "qwen_image" and sampler["cfg"] == fam.guidance
        negative = graph[sampler["negative"][0]]["inputs"]["text"]
        assert negative == " "  # Qwen-Image's guidance needs a non-empty negative prompt
    if mode == "txt2img":
        assert by_type["EmptySD3LatentImage"]["width"] == 64 and sampler["denoise"] == 1.0
    else:
        assert sampler["denoise"] == 0.6
    if with_lora:
        assert by_type["LoraLoaderModelOnly"]["strength_model"] == 0.8


@pytest.mark.parametrize("arch", ARCHS)
def test_an_all_in_one_checkpoint_runs_through_checkpoint_loader_simple(arch, parent_images, mask_image):
    request = _request(arch, "txt2img", parent_images, mask_image)
    model = ServerModel(checkpoint="all-in-one.safetensors")
    graph = build_family_workflow(request, FAMILIES[arch], model)
    assert validate(graph, _catalogue(arch, checkpoint="all-in-one.safetensors")) == {}
    types = {n["class_type"] for n in graph.values()}
    assert "CheckpointLoaderSimple" in types and not types & {"UNETLoader", "VAELoader", "DualCLIPLoader"}
    assert required_options(FAMILIES[arch], model) == ()


def test_the_validator_catches_what_a_real_server_refuses(parent_images, mask_image):
    request = _request("flux1-dev", "txt2img", parent_images, mask_image)
    catalogue = _catalogue("flux1-dev")
    graph = build_family_workflow(request, FAMILIES["flux1-dev"], ServerModel(parts=PART_FILES["flux1-dev"]))
    wrong_type = json.loads(json.dumps(graph))
    wrong_type["guidance"]["inputs"]["conditioning"] = ["unet", 0]  # a MODEL where CONDITIONING goes
    wrong_option = json.loads(json.dumps(graph))
    wrong_option["clip"]["inputs"]["type"] = "qwen_image"  # CLIPLoader's, not DualCLIPLoader's
    too_small = json.loads(json.dumps(graph))
    too_small["latent"]["inputs"]["width"] = 8  # EmptySD3LatentImage's minimum is 16
    assert validate(wrong_type, catalogue)["guidance"]["errors"][0]["type"] == "return_type_mismatch"
    assert validate(wrong_option, catalogue)["clip"]["errors"][0]["type"] == "value_not_in_list"
    assert validate(too_small, catalogue)["latent"]["errors"][0]["type"] == "value_smaller_than_min"


# -- the server's files and nodes, on connect ------------------------------------------------------------


@pytest.fixture
def bare_server(tmp_path: Path, generator, tiny) -> Iterator:
    """A stand-in with the real node specs and FLUX.1 [dev]'s split files (no job runs on it)."""
    flux = PART_FILES["flux1-dev"]
    with server_factory(tmp_path, generator, {flux["transformer"]: tiny}) as make:
        yield lambda **options: make(real_nodes=True, parts={
            "unet": [flux["transformer"]], "clip": [flux["text_encoder"], flux["text_encoder_2"]],
            "vae": [flux["vae"]]}, **options)


def test_a_real_servers_lists_of_split_files_are_read_from_either_combo_format(bare_server):
    server = bare_server()
    info = inspect_server(ComfyUIClient(server.url, name="box"))
    assert info.files("unet") == ("flux1-dev.safetensors",)
    assert set(info.files("clip")) == {"clip_l.safetensors", "t5xxl_fp16.safetensors"}
    # VAELoader lists "pixel_space" (no VAE) beside the files: it is no file to link or to ask a header of.
    assert info.files("vae") == ("ae.safetensors",)
    assert info.files("checkpoint") == ()
    catalogue = real_catalogue(clips=["a.safetensors"])
    assert catalogue["TripleCLIPLoader"]["input"]["required"]["clip_name1"][0] == "COMBO"  # the newer format
    assert catalogue["DualCLIPLoader"]["input"]["required"]["clip_name1"][0] == ["a.safetensors"]


def test_a_servers_file_lists_keep_only_names_that_are_usable(bare_server):
    # Numbers, records, 100 kB names and names with terminal escapes are left out; a plain name stays (it only
    # ever goes back to the same server, inside a workflow).
    server = bare_server(object_info="files_junk")
    info = inspect_server(ComfyUIClient(server.url, name="box"))
    for kind in ("unet", "clip", "vae", "checkpoint"):
        assert info.files(kind) == ("../../../etc/passwd",)


@pytest.mark.parametrize(("kind", "missing", "folder"), [
    ("unet", "flux1-dev.safetensors", "models/diffusion_models/"),
    ("clip", "t5xxl_fp16.safetensors", "models/text_encoders/"),
    ("vae", "ae.safetensors", "models/vae/"),
])
def test_a_missing_part_file_is_named_with_the_folder_it_goes_in(bare_server, kind, missing, folder):
    server = bare_server()
    server.files.parts[kind] = [f for f in server.files.parts[kind] if f != missing]
    info = inspect_server(ComfyUIClient(server.url, name="box"))
    files = [("unet", "flux1-dev.safetensors"), ("clip", "clip_l.safetensors"), ("clip", "t5xxl_fp16.safetensors"),
             ("vae", "ae.safetensors")]
    with pytest.raises(MissingModel) as refused:
        require(info, ["UNETLoader"], files)
    label = {"unet": "diffusion model", "clip": "text encoder", "vae": "VAE"}[kind]
    assert refused.value.message == f"ComfyUI server box has no {label} {missing!r}"
    assert refused.value.hint.startswith(f"put the file in {folder} of that server's ComfyUI folder")
    assert "\n" not in str(refused.value)


def test_a_missing_node_or_loader_option_is_named(bare_server):
    server = bare_server(missing_nodes=("FluxGuidance",))
    info = inspect_server(ComfyUIClient(server.url, name="box"))
    with pytest.raises(MissingNodes) as refused:
        require(info, ["UNETLoader", "FluxGuidance"], [])
    assert refused.value.message == "ComfyUI server box lacks the built-in node(s) FluxGuidance"
    # A server older than Qwen-Image support has CLIPLoader, but not its type "qwen_image".
    info.options[("CLIPLoader", "type")] = ("stable_diffusion", "sd3")
    with pytest.raises(MissingNodes) as refused:
        require(info, ["CLIPLoader"], [], required_options(FAMILIES["qwen-image"], ServerModel(parts={})))
    assert refused.value.message == "ComfyUI server box's CLIPLoader has no type 'qwen_image'"


# -- a split model, linked part by part, run on a server ---------------------------------------------------


@pytest.fixture(scope="session")
def flux_dev(tmp_path_factory: pytest.TempPathFactory) -> FamilyParts:
    return build_flux_dev_parts(tmp_path_factory.mktemp("flux-dev"))


@pytest.fixture
def flux_server(tmp_path: Path, generator, flux_dev) -> Iterator:
    names = PART_FILES["flux1-dev"]
    with server_factory(tmp_path, generator, {names["transformer"]: flux_dev.model}, flux_dev.headers) as make:
        yield make(real_nodes=True, parts=flux_dev.by_kind)


def test_a_split_model_linked_part_by_part_runs_and_records_its_family_and_each_parts_hash(
    studio, flux_server, flux_dev
):
    manifest = flux_dev.manifest
    names = PART_FILES["flux1-dev"]
    studio.engines.add("box", flux_server.url)
    registered, _new = studio.models.add(manifest, name="flux-dev-parts")
    model = studio.models.get("flux-dev-parts")
    seen = {f.filename: f for f in studio.engines.remote_models("box")}  # recognised by header, not yet linked
    assert {f: (seen[f].part, seen[f].state, seen[f].model.name) for f in names.values()} == {
        f: (p, "matches", "flux-dev-parts") for p, f in names.items()}
    assert seen["t5xxl_fp16.safetensors"].how == "same header as flux-dev-parts (its text_encoder_2), not linked"
    for filename in names.values():
        linked, known_by = studio.engines.link("box", filename, model="flux-dev-parts")
        assert (linked.name, known_by) == ("flux-dev-parts", "hash")
    listed = {f.filename: f for f in studio.engines.remote_models("box")}
    assert {f: (listed[f].part, listed[f].state) for f in names.values()} == {
        f: (p, "linked") for p, f in names.items()}

    request = GenerationRequest(mode="txt2img", prompt="a lighthouse in fog", model=model.model_ref(), seed=5,
                                steps=2, guidance=3.5, width=64, height=64)
    result = studio.engines.generator("box").run(request)

    graph = flux_server.prompts[-1]["prompt"]
    assert {n["class_type"] for n in graph.values()} >= {"UNETLoader", "DualCLIPLoader", "VAELoader",
                                                         "FluxGuidance", "EmptySD3LatentImage"}
    recipe = result.recipe
    assert recipe.extra["family"] == "flux1-dev" and recipe.extra["guidance_kind"] == "distilled"
    assert recipe.model_sha256 == registered.work.sha256 == model.work.sha256
    root = manifest.parent
    assert [(p["part"], p["file"], p["kind"], p["known_by"], p["sha256"]) for p in recipe.extra["server_parts"]] == [
        (spec.part, names[spec.part], spec.kind, "hash", sha256_file(root / names[spec.part]))
        for spec in FAMILY_PARTS["flux1-dev"]]
    assert recipe.scheduler is None and recipe.extra["sampler"] == {"sampler_name": "euler", "scheduler": "simple"}
    assert result.image.size == (64, 64)


def test_an_unlinked_part_is_named_before_anything_is_sent(studio, flux_server, flux_dev):
    manifest = flux_dev.manifest
    names = PART_FILES["flux1-dev"]
    studio.engines.add("box", flux_server.url)
    studio.models.add(manifest, name="flux-dev-parts")
    for part in ("transformer", "text_encoder", "vae"):
        studio.engines.link("box", names[part], model="flux-dev-parts")
    model = studio.models.get("flux-dev-parts")
    request = GenerationRequest(mode="txt2img", prompt="a fox", model=model.model_ref(), seed=5, steps=2,
                                guidance=3.5, width=64, height=64)
    with pytest.raises(ModelNotLinked) as refused:
        studio.engines.generator("box").run(request)
    assert refused.value.message == ("flux-dev-parts (FLUX.1 [dev]) has no file linked on the ComfyUI servers for "
                                     "its text_encoder_2 (T5-XXL text encoder)")
    assert flux_server.prompts == []


def test_a_part_file_is_linked_only_when_its_header_is_a_registered_parts(studio, flux_server, flux_dev):
    manifest = flux_dev.manifest
    names = PART_FILES["flux1-dev"]
    studio.engines.add("box", flux_server.url)
    studio.models.add(manifest, name="flux-dev-parts")
    flux_server.files.headers[names["vae"]] = {"format": "pt", "modelspec.title": "another vae"}
    with pytest.raises(InvalidInput) as refused:
        studio.engines.link("box", names["vae"], model="flux-dev-parts")
    assert refused.value.message == ("ae.safetensors on box is no part of flux-dev-parts: its safetensors header "
                                     "differs from every VAE part's")
    with pytest.raises(InvalidInput) as refused:
        studio.engines.link("box", names["text_encoder"], license_id="cc0-1.0")
    assert refused.value.message == "clip_l.safetensors is a text encoder on the server: it is one part of a model"
    assert studio.engines.links() == {}


def test_engines_test_counts_the_split_model_files(bare_server, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    server = bare_server()
    lib = ["--library", str(tmp_path / "lib")]
    assert CliRunner().invoke(cli, [*lib, "engines", "add", "box", server.url]).exit_code == 0
    tested = CliRunner().invoke(cli, [*lib, "engines", "test", "box", "--json"])
    assert json.loads(tested.stdout)["parts"] == {"unet": 1, "clip": 2, "vae": 1}
    said = CliRunner().invoke(cli, [*lib, "engines", "test", "box"]).stdout
    assert "0 checkpoint(s), 0 LoRA(s), 4 split model file(s)" in said


def test_qwen_image_records_the_negative_prompt_it_encoded(studio, generator, tmp_path, tmp_path_factory):
    # Qwen-Image's guidance needs a negative prompt; an empty one is sent as " " (as the local engine does), and
    # the recipe says so, as the local engine's does.
    qwen = build_parts("qwen-image", tmp_path_factory.mktemp("qwen-parts"))
    with server_factory(tmp_path, generator, {QWEN_IMAGE_FILES["transformer"]: qwen.model}, qwen.headers) as make:
        server = make(real_nodes=True, parts=qwen.by_kind)
        studio.engines.add("box", server.url)
        studio.models.add(qwen.manifest, name="qwen-parts")
        for filename in QWEN_IMAGE_FILES.values():
            studio.engines.link("box", filename, model="qwen-parts")
        model = studio.models.get("qwen-parts")
        request = GenerationRequest(mode="txt2img", prompt="a lighthouse", model=model.model_ref(), seed=5,
                                    steps=2, guidance=4.0, width=64, height=64)
        recipe = studio.engines.generator("box").run(request).recipe
        graph = server.prompts[-1]["prompt"]
    assert recipe.negative_prompt == "" and recipe.extra["negative_prompt_used"] == " "
    assert graph["negative"]["inputs"]["text"] == " " and graph["clip"]["inputs"]["type"] == "qwen_image"
    assert [p["part"] for p in recipe.extra["server_parts"]] == ["transformer", "text_encoder", "vae"]


def test_a_family_model_in_one_file_runs_from_the_servers_all_in_one_checkpoint(studio, generator, flux_dev,
                                                                                tmp_path):
    # The same file here (registered, a FLUX.1 [dev] single file) and in the server's models/checkpoints.
    local = flux_dev.manifest.parent / FLUX_DEV_FILES["transformer"]
    header = flux_dev.headers[FLUX_DEV_FILES["transformer"]]
    with server_factory(tmp_path, generator, {"flux1-dev-aio.safetensors": flux_dev.model,
                                              FLUX_DEV_FILES["transformer"]: flux_dev.model},
                        {"flux1-dev-aio.safetensors": header, FLUX_DEV_FILES["transformer"]: header}) as make:
        server = make(real_nodes=True, parts={"unet": [FLUX_DEV_FILES["transformer"]]})
        studio.engines.add("box", server.url)
        registered, _new = studio.models.add(local, name="flux-one-file")
        assert registered.arch == "flux1-dev"
        with pytest.raises(InvalidInput) as refused:  # its server copy as a diffusion model: a part of nothing
            studio.engines.link("box", FLUX_DEV_FILES["transformer"], model="flux-one-file")
        assert refused.value.message == ("flux1-dev.safetensors is a diffusion model on box but flux-one-file is not "
                                         "registered from part files")
        assert studio.engines.link("box", "flux1-dev-aio.safetensors", model="flux-one-file")[1] == "hash"
        request = GenerationRequest(mode="txt2img", prompt="a lighthouse", model=registered.model_ref(), seed=5,
                                    steps=2, guidance=3.5, width=64, height=64)
        recipe = studio.engines.generator("box").run(request).recipe
        graph = server.prompts[-1]["prompt"]
    assert graph["ckpt"]["inputs"]["ckpt_name"] == "flux1-dev-aio.safetensors" and "unet" not in graph
    assert recipe.extra["server_model"] == "flux1-dev-aio.safetensors" and recipe.extra["model_known_by"] == "hash"
    assert recipe.model_sha256 == registered.work.sha256 and recipe.extra["family"] == "flux1-dev"
    assert "server_parts" not in recipe.extra
