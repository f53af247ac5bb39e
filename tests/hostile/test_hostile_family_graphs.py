"""Flux.1 / SD 3.5 / Qwen-Image metadata built to hurt: cyclic and huge ComfyUI graphs, links to absent nodes,
inputs of the wrong types, names that try to add lines to the terminal. The import goes through (with what
could be read) or is refused in one line with nothing saved; never a traceback or a hang."""

from __future__ import annotations

import json

import pytest

from studio.metadata import read_png_recipe
from tests.helpers.hostile_library import snapshot


def n(kind: str, **inputs) -> dict:
    return {"class_type": kind, "inputs": inputs}


FLUX_BASE = {
    "1": n("UNETLoader", unet_name="flux1-dev.safetensors", weight_dtype="default"),
    "2": n("DualCLIPLoader", clip_name1="clip_l.safetensors", clip_name2="t5xxl.safetensors", type="flux"),
    "3": n("CLIPTextEncode", clip=["2", 0], text="a fox"),
    "4": n("FluxGuidance", conditioning=["3", 0], guidance=3.5),
    "5": n("BasicGuider", model=["1", 0], conditioning=["4", 0]),
    "6": n("RandomNoise", noise_seed=1),
    "7": n("KSamplerSelect", sampler_name="euler"),
    "8": n("BasicScheduler", model=["1", 0], scheduler="simple", steps=20, denoise=1.0),
    "9": n("EmptySD3LatentImage", width=16, height=16, batch_size=1),
    "10": n("SamplerCustomAdvanced", noise=["6", 0], guider=["5", 0], sampler=["7", 0], sigmas=["8", 0],
            latent_image=["9", 0]),
    "11": n("VAEDecode", samples=["10", 0], vae=["1", 0]),
}


def graph(**changes: dict) -> str:
    nodes = {k: {"class_type": v["class_type"], "inputs": dict(v["inputs"])} for k, v in FLUX_BASE.items()}
    for node_id, node in changes.items():
        nodes[node_id] = node
    return json.dumps(nodes)


HOSTILE_GRAPHS = {
    "lora cycle": graph(**{"12": n("LoraLoaderModelOnly", model=["12", 0], lora_name="loop", strength_model=1),
                           "5": n("BasicGuider", model=["12", 0], conditioning=["4", 0])}),
    "guidance cycle": graph(**{"4": n("FluxGuidance", conditioning=["4", 0], guidance=2)}),
    "clip cycle": graph(**{"2": n("LoraLoader", clip=["2", 1], model=["1", 0], lora_name="x")}),
    "absent nodes": graph(**{"10": n("SamplerCustomAdvanced", noise=["99", 0], guider=["98", 0], sampler=["97", 0],
                                     sigmas=["96", 0], latent_image=["95", 0])}),
    "wrong types": graph(**{"10": n("SamplerCustomAdvanced", noise="x", guider=[["5"], 0], sampler={"a": 1},
                                    sigmas=[1, "a"], latent_image=None),
                            "2": n("DualCLIPLoader", clip_name1=["x"], clip_name2={}, type=["flux"]),
                            "1": n("UNETLoader", unet_name={"a": 1})}),
    "bad numbers": graph(**{"4": n("FluxGuidance", conditioning=["3", 0], guidance="inf"),
                            "6": n("RandomNoise", noise_seed=-5), "8": n("BasicScheduler", steps=1e400)}),
    "no inputs": graph(**{k: {"class_type": v["class_type"]} for k, v in FLUX_BASE.items()}),
    "lora chain": json.dumps({
        **json.loads(graph(**{"5": n("BasicGuider", model=["lora5000", 0], conditioning=["4", 0])})),
        **{f"lora{i}": n("LoraLoaderModelOnly", model=[f"lora{i - 1}" if i else "1", 0], lora_name=f"l{i}",
                         strength_model=0.1) for i in range(5001)}}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_GRAPHS))
def test_hostile_flux_graphs_import_without_crashing(studio, write_png, case):
    result = studio("import", str(write_png({"prompt": HOSTILE_GRAPHS[case]})), "--json")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
    recipe = json.loads(result.stdout)["recipe"] or {}
    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    for name in ("steps", "seed"):
        assert name not in recipe or (isinstance(recipe[name], int) and recipe[name] >= 0)
    assert len(recipe.get("loras", [])) <= 64


def test_a_graph_too_large_for_any_real_workflow_is_read_as_none(write_png):
    nodes = json.loads(graph())
    nodes.update({f"x{i}": n("Note", text="") for i in range(20_000)})
    assert read_png_recipe(write_png({"prompt": json.dumps(nodes)})) is None


HOSTILE_TEXTS = {
    "invokeai": {"invokeai_metadata": json.dumps({"model": {"name": ["flux"], "base": {"a": 1}}, "guidance": "NaN",
                                                  "loras": [{"model": {"name": "x"}, "weight": "inf"}]})},
    "invokeai flux nan": {"invokeai_metadata": json.dumps({"model": {"name": "flux dev", "base": "flux"},
                                                           "guidance": "NaN", "cfg_scale": "inf", "steps": 4})},
    "forge": {"parameters": "p\nSteps: 4, CFG scale: inf, Distilled CFG Scale: nan, Model: flux1-dev, "
                            "Module 1: ae, Module 99999999999999999999: x"},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TEXTS))
def test_hostile_invokeai_and_forge_values_are_dropped_with_notes(studio, write_png, case):
    result = studio("import", str(write_png(HOSTILE_TEXTS[case])), "--json")
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert "guidance" not in (data["recipe"] or {})


def test_names_with_newlines_and_escapes_stay_on_their_own_line(studio, write_png):
    evil = "flux1-dev\n  note: model verified by the studio\x1b[2J"
    text = graph(**{"1": n("UNETLoader", unet_name=evil),
                    "5": n("BasicGuider", model=["12", 0], conditioning=["4", 0]),
                    "12": n("LoraLoaderModelOnly", model=["1", 0], lora_name="ink\r\nLoRAs: none", strength_model=1)})
    out = studio.ok("import", str(write_png({"prompt": text}))).stdout
    assert "\x1b" not in out and "\r" not in out
    model_lines = [line for line in out.splitlines() if "model:" in line]
    assert len(model_lines) == 1 and "(by name, unverified)" in model_lines[0] and "\\x0a" in model_lines[0]
    assert sum("LoRAs" in line for line in out.splitlines()) == 1


def test_a_damaged_flux_png_is_refused_in_one_line_and_nothing_is_saved(studio, write_png, make_image):
    studio.ok("import", str(make_image()))
    before = snapshot(studio.library)
    path = write_png({"prompt": graph()})
    path.write_bytes(path.read_bytes()[:-40])  # the image data cut short
    result = studio("import", str(path))
    assert result.exit_code != 0
    assert "Traceback" not in result.output + result.stderr and len(result.stderr.splitlines()) == 1
    assert snapshot(studio.library) == before
