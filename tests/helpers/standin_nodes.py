"""The stand-in server's node catalogue and its reading of an API-format workflow.

The built-in nodes the studio uses, with their inputs as ComfyUI's /object_info describes them (written out for
the Stable Diffusion nodes, or, with `real_catalogue`, the specs captured from a real ComfyUI server in
tests/comfyui/data/object_info_comfyui.json), a validation of a submitted graph like POST /prompt does (400 with
`node_errors`: unknown nodes, missing inputs, links to missing nodes or to an output of another type, values
outside a combo's choices or a number's range), and the translation of a valid graph into a request the studio's
own diffusers engine runs: the built-in tiny model, or a tiny model of a transformer family for the part-file
graphs of FLUX.1, SD3.5 and Qwen-Image. The validation is stricter than ComfyUI in one point: an input the node
does not take is refused (ComfyUI ignores it), so a misspelt input name cannot pass unnoticed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from studio.generate import GenerationRequest, LoraRef, ModelRef
from studio.generate.families import family
from studio.metadata.samplers import SAMPLERS, from_comfy

SAMPLER_NAMES = sorted({s.comfy_sampler for s in SAMPLERS if s.comfy_sampler})
SCHEDULER_NAMES = ["normal", "karras", "exponential", "sgm_uniform", "simple", "ddim_uniform"]


LINKED_MODEL = "tiny-file"  # the name the servers' checkpoint is registered under in the test libraries
TINY_HEADER = {"format": "pt", "modelspec.title": "studio tiny single file", "modelspec.architecture":
               "stable-diffusion-v1", "modelspec.date": "2026-12-01"}
SD15_HEADER = {"format": "pt", "modelspec.title": "Stable Diffusion v1.5", "modelspec.architecture":
               "stable-diffusion-v1", "modelspec.license": "creativeml-openrail-m"}


def write_checkpoint(path: Path, metadata: dict[str, str]) -> Path:
    """A .safetensors file in the SD 1.x single-file layout (conv_in and one cross-attention key, zeros) with
    `metadata` as its header: what the studio inspects when registering a checkpoint and linking it."""
    import numpy as np
    from safetensors.numpy import save_file

    tensors = {
        "model.diffusion_model.input_blocks.0.0.weight": np.zeros((320, 4, 3, 3), dtype=np.float16),
        "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight":
            np.zeros((320, 768), dtype=np.float16),
    }
    save_file(tensors, str(path), metadata=metadata)
    return path


def node_catalogue(checkpoints: list[str], loras: list[str], inputs: list[str]) -> dict[str, dict[str, Any]]:
    """/object_info for the built-in nodes: {class: {"input": {"required": {name: [type or choices, opts]}}}}."""
    int_ = lambda **o: ["INT", o]  # noqa: E731
    float_ = lambda **o: ["FLOAT", o]  # noqa: E731
    nodes: dict[str, dict[str, Any]] = {
        "CheckpointLoaderSimple": ({"ckpt_name": [checkpoints, {}]}, ["MODEL", "CLIP", "VAE"]),
        "LoraLoader": ({"model": ["MODEL"], "clip": ["CLIP"], "lora_name": [loras, {}],
                        "strength_model": float_(default=1.0, min=-100.0, max=100.0),
                        "strength_clip": float_(default=1.0, min=-100.0, max=100.0)}, ["MODEL", "CLIP"]),
        "CLIPTextEncode": ({"text": ["STRING", {"multiline": True}], "clip": ["CLIP"]}, ["CONDITIONING"]),
        "EmptyLatentImage": ({"width": int_(default=512, min=16, max=16384), "height": int_(default=512, min=16,
                             max=16384), "batch_size": int_(default=1, min=1, max=4096)}, ["LATENT"]),
        "LoadImage": ({"image": [inputs, {"image_upload": True}]}, ["IMAGE", "MASK"]),
        "LoadImageMask": ({"image": [inputs, {"image_upload": True}],
                           "channel": [["alpha", "red", "green", "blue"], {}]}, ["MASK"]),
        "VAEEncode": ({"pixels": ["IMAGE"], "vae": ["VAE"]}, ["LATENT"]),
        "VAEEncodeForInpaint": ({"pixels": ["IMAGE"], "vae": ["VAE"], "mask": ["MASK"],
                                 "grow_mask_by": int_(default=6, min=0, max=64)}, ["LATENT"]),
        "SetLatentNoiseMask": ({"samples": ["LATENT"], "mask": ["MASK"]}, ["LATENT"]),
        "KSampler": ({"model": ["MODEL"], "seed": int_(default=0, min=0, max=0xFFFFFFFFFFFFFFFF),
                      "steps": int_(default=20, min=1, max=10000), "cfg": float_(default=8.0, min=0.0, max=100.0),
                      "sampler_name": [SAMPLER_NAMES, {}], "scheduler": [SCHEDULER_NAMES, {}],
                      "positive": ["CONDITIONING"], "negative": ["CONDITIONING"], "latent_image": ["LATENT"],
                      "denoise": float_(default=1.0, min=0.0, max=1.0)}, ["LATENT"]),
        "VAEDecode": ({"samples": ["LATENT"], "vae": ["VAE"]}, ["IMAGE"]),
        "SaveImage": ({"images": ["IMAGE"], "filename_prefix": ["STRING", {"default": "ComfyUI"}]}, []),
    }
    return {
        name: {"input": {"required": required, "optional": {}}, "output": outputs, "name": name,
               "display_name": name, "category": "standin", "output_node": name == "SaveImage"}
        for name, (required, outputs) in nodes.items()
    }


REAL_OBJECT_INFO = Path(__file__).parents[1] / "comfyui" / "data" / "object_info_comfyui.json"
# The combo inputs of the captured specs that list files, and which of the server's lists each one shows.
_FILE_INPUTS = {
    ("CheckpointLoaderSimple", "ckpt_name"): "checkpoints", ("LoraLoader", "lora_name"): "loras",
    ("LoraLoaderModelOnly", "lora_name"): "loras", ("LoadImage", "image"): "inputs",
    ("LoadImageMask", "image"): "inputs", ("UNETLoader", "unet_name"): "unets", ("VAELoader", "vae_name"): "vaes",
    ("CLIPLoader", "clip_name"): "clips", ("DualCLIPLoader", "clip_name1"): "clips",
    ("DualCLIPLoader", "clip_name2"): "clips", ("TripleCLIPLoader", "clip_name1"): "clips",
    ("TripleCLIPLoader", "clip_name2"): "clips", ("TripleCLIPLoader", "clip_name3"): "clips",
}
# VAELoader lists these beside the files of models/vae: decoding without a VAE, and the tiny preview VAEs.
VAE_PSEUDO_FILES = ["pixel_space"]


def real_catalogue(**lists: list[str]) -> dict[str, dict[str, Any]]:
    """The node specs captured from a real ComfyUI server, with its file lists as given (checkpoints, loras,
    inputs, unets, clips, vaes), each written in the format that server writes that node's lists in."""
    data = json.loads(REAL_OBJECT_INFO.read_text(encoding="utf-8"))
    data.pop("_source")
    for (node_name, field_name), source in _FILE_INPUTS.items():
        values = list(lists.get(source, [])) + (VAE_PSEUDO_FILES if source == "vaes" else [])
        spec = data[node_name]["input"]["required"][field_name]
        if spec[0] == "COMBO":
            spec[1]["options"] = values
        else:
            spec[0] = values
    for name, spec in data.items():
        spec["name"] = spec["display_name"] = name
    return data


def _problem(kind: str, message: str, details: str) -> dict[str, str]:
    return {"type": kind, "message": message, "details": details}


def _check_value(name: str, spec: list[Any], value: Any, graph: dict[str, Any],
                 catalogue: dict[str, dict[str, Any]]) -> dict[str, str] | None:
    kind = spec[0]
    options = spec[1] if len(spec) > 1 and isinstance(spec[1], dict) else {}
    if isinstance(value, list):
        if len(value) != 2 or not isinstance(value[0], str) or not isinstance(value[1], int):
            return _problem("bad_linked_input", "Bad linked input, must be a length-2 list of [string, int]", name)
        source = graph.get(value[0])
        if source is None:
            return _problem("bad_linked_input", "Linked node missing", f"{name}: {value[0]}")
        outputs = catalogue.get(source.get("class_type", ""), {}).get("output", [])
        if not 0 <= value[1] < len(outputs):
            return _problem("bad_linked_input", "Linked output missing", f"{name}: {value}")
        if isinstance(kind, str) and kind not in ("COMBO", "*") and outputs[value[1]] != kind:
            return _problem("return_type_mismatch", "Return type mismatch between linked nodes",
                            f"{name}, received_type({outputs[value[1]]}) mismatch input_type({kind})")
        return None
    choices = kind if isinstance(kind, list) else options.get("options") if kind == "COMBO" else None
    if choices is not None:
        return None if value in choices else _problem("value_not_in_list", "Value not in list",
                                                      f"{name}: '{value}' not in {choices}")
    if kind in ("INT", "FLOAT"):
        if isinstance(value, bool) or not isinstance(value, int | float) or (kind == "INT" and
                                                                            not isinstance(value, int)):
            return _problem("invalid_input_type", f"Failed to convert an input value to a {kind} value", name)
        if "min" in options and value < options["min"]:
            return _problem("value_smaller_than_min", f"Value {value} smaller than min of {options['min']}", name)
        if "max" in options and value > options["max"]:
            return _problem("value_bigger_than_max", f"Value {value} bigger than max of {options['max']}", name)
    if kind == "STRING" and not isinstance(value, str):
        return _problem("invalid_input_type", "Failed to convert an input value to a STRING value", name)
    if kind not in ("INT", "FLOAT", "STRING", "BOOLEAN"):
        return _problem("invalid_input_type", f"{kind} inputs must be linked from another node", name)
    return None


def validate(graph: Any, catalogue: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """node_errors as ComfyUI reports them ({} when the graph is valid)."""
    errors: dict[str, Any] = {}
    if not isinstance(graph, dict) or not graph:
        return {"prompt": {"errors": [{"type": "invalid_prompt", "message": "no nodes"}], "class_type": None}}
    for node_id, node in graph.items():
        problems = []
        class_type = node.get("class_type") if isinstance(node, dict) else None
        spec = catalogue.get(class_type or "")
        if spec is None:
            problems.append({"type": "missing_node_type", "message": f"Node '{class_type}' not found"})
        else:
            inputs = node.get("inputs") or {}
            declared = {**spec["input"].get("optional", {}), **spec["input"]["required"]}
            for name in sorted(set(inputs) - set(declared)):
                problems.append(_problem("unknown_input", "Input is not one the node takes", name))
            for name, input_spec in declared.items():
                value = inputs.get(name)
                if value is None:
                    if name in spec["input"]["required"]:
                        problems.append(_problem("required_input_missing", "Required input is missing", name))
                    continue
                problem = _check_value(name, list(input_spec), value, graph, catalogue)
                if problem is not None:
                    problems.append(problem)
        if problems:
            errors[node_id] = {"errors": problems, "dependent_outputs": [], "class_type": class_type}
    return errors


@dataclass(frozen=True)
class Files:
    checkpoints: dict[str, ModelRef]
    loras: dict[str, Path]
    input_dir: Path
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # file name -> safetensors __metadata__
    # split model files by kind ("unet", "clip", "vae"); a unet's name also keys `checkpoints` with the model run
    parts: dict[str, list[str]] = field(default_factory=dict)


def to_request(graph: dict[str, Any], files: Files, work_dir: Path) -> tuple[GenerationRequest, str]:
    """The studio request the graph describes, and the KSampler node's id (progress names that node)."""
    sampler_id = next(k for k, n in graph.items() if n["class_type"] == "KSampler")
    sampler = graph[sampler_id]["inputs"]
    model_ref, loras = _model_chain(graph, sampler["model"][0], files)
    fam = family(model_ref.arch)
    positive, guidance = _conditioning(graph, sampler["positive"])
    if sampler["negative"] == sampler["positive"]:
        negative = ""  # FLUX.1 at cfg 1.0: the positive stands in, and is never evaluated
    else:
        negative, _ = _conditioning(graph, sampler["negative"])
    latent = graph[sampler["latent_image"][0]]
    common = dict(prompt=positive, negative_prompt=negative, model=model_ref, loras=tuple(loras),
                  seed=int(sampler["seed"]), guidance=float(guidance if guidance is not None else sampler["cfg"]),
                  scheduler=None if fam else from_comfy(sampler["sampler_name"], sampler["scheduler"]))
    if latent["class_type"] in ("EmptyLatentImage", "EmptySD3LatentImage"):
        inputs = latent["inputs"]
        request = GenerationRequest(mode="txt2img", steps=int(sampler["steps"]), width=int(inputs["width"]),
                                    height=int(inputs["height"]), **common)
        return request, sampler_id
    mask_path = None
    if latent["class_type"] == "SetLatentNoiseMask":
        mask_node = graph[latent["inputs"]["mask"][0]]["inputs"]
        channel = "RGBA".index(mask_node["channel"][0].upper()) if mask_node["channel"] != "alpha" else 3
        with Image.open(files.input_dir / mask_node["image"]) as opened:
            band = opened.convert("RGBA").getchannel(channel)
        mask_path = work_dir / "mask.png"
        band.save(mask_path)
        latent = graph[latent["inputs"]["samples"][0]]
    image_path = files.input_dir / graph[latent["inputs"]["pixels"][0]]["inputs"]["image"]
    with Image.open(image_path) as opened:
        width, height = opened.size
    denoise = float(sampler["denoise"])
    ksteps = int(sampler["steps"])
    # The studio's engine runs int(steps * strength) of `steps`; pick the steps that run KSampler's count.
    steps = max(ksteps, math.ceil(ksteps / denoise))
    while int(steps * denoise) < ksteps:
        steps += 1
    request = GenerationRequest(mode="inpaint" if mask_path else "img2img", steps=steps, width=width, height=height,
                                strength=denoise, init_images=(image_path,), mask=mask_path, **common)
    return request, sampler_id


def _conditioning(graph: dict[str, Any], link: list[Any]) -> tuple[str, float | None]:
    """(the prompt a conditioning was encoded from, FluxGuidance's number on the way, if any)."""
    node = graph[link[0]]
    guidance = None
    if node["class_type"] == "FluxGuidance":
        guidance = float(node["inputs"]["guidance"])
        node = graph[node["inputs"]["conditioning"][0]]
    return node["inputs"]["text"], guidance


def _model_chain(graph: dict[str, Any], node_id: str, files: Files) -> tuple[ModelRef, list[LoraRef]]:
    loras: list[LoraRef] = []
    node = graph[node_id]
    while node["class_type"] in ("LoraLoader", "LoraLoaderModelOnly", "ModelSamplingFlux", "ModelSamplingSD3",
                                 "ModelSamplingAuraFlow"):
        inputs = node["inputs"]
        if node["class_type"].startswith("Lora"):
            path = files.loras[inputs["lora_name"]]
            loras.insert(0, LoraRef(id=inputs["lora_name"], path=path, weight=float(inputs["strength_model"]),
                                    sha256=inputs["lora_name"], name=inputs["lora_name"]))
        node = graph[inputs["model"][0]]
    if node["class_type"] == "UNETLoader":  # a family's transformer file: the engine runs that family's model
        return files.checkpoints[node["inputs"]["unet_name"]], loras
    return files.checkpoints[node["inputs"]["ckpt_name"]], loras
