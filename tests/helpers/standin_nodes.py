"""The stand-in server's node catalogue and its reading of an API-format workflow.

The built-in nodes the studio uses, with their inputs as ComfyUI's /object_info describes them, a validation of
a submitted graph like POST /prompt does (400 with `node_errors`), and the translation of a valid graph into a
request the studio's own diffusers engine runs on the built-in tiny model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from studio.generate import GenerationRequest, LoraRef, ModelRef
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
            for name, (kind, *_) in spec["input"]["required"].items():
                value = inputs.get(name)
                if value is None:
                    problems.append({"type": "required_input_missing", "message": "Required input is missing",
                                     "details": name})
                elif isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                    if value[0] not in graph:
                        problems.append({"type": "bad_linked_input", "message": "Linked node missing",
                                         "details": f"{name}: {value[0]}"})
                elif isinstance(kind, list) and value not in kind:
                    problems.append({"type": "value_not_in_list", "message": "Value not in list",
                                     "details": f"{name}: '{value}' not in {kind}"})
        if problems:
            errors[node_id] = {"errors": problems, "dependent_outputs": [], "class_type": class_type}
    return errors


@dataclass(frozen=True)
class Files:
    checkpoints: dict[str, ModelRef]
    loras: dict[str, Path]
    input_dir: Path
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # file name -> safetensors __metadata__


def to_request(graph: dict[str, Any], files: Files, work_dir: Path) -> tuple[GenerationRequest, str]:
    """The studio request the graph describes, and the KSampler node's id (progress names that node)."""
    sampler_id = next(k for k, n in graph.items() if n["class_type"] == "KSampler")
    sampler = graph[sampler_id]["inputs"]
    model_ref, loras = _model_chain(graph, sampler["model"][0], files)
    texts = [graph[sampler[key][0]]["inputs"]["text"] for key in ("positive", "negative")]
    latent = graph[sampler["latent_image"][0]]
    common = dict(prompt=texts[0], negative_prompt=texts[1], model=model_ref, loras=tuple(loras),
                  seed=int(sampler["seed"]), guidance=float(sampler["cfg"]),
                  scheduler=from_comfy(sampler["sampler_name"], sampler["scheduler"]))
    if latent["class_type"] == "EmptyLatentImage":
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


def _model_chain(graph: dict[str, Any], node_id: str, files: Files) -> tuple[ModelRef, list[LoraRef]]:
    loras: list[LoraRef] = []
    node = graph[node_id]
    while node["class_type"] == "LoraLoader":
        inputs = node["inputs"]
        path = files.loras[inputs["lora_name"]]
        loras.insert(0, LoraRef(id=inputs["lora_name"], path=path, weight=float(inputs["strength_model"]),
                                sha256=inputs["lora_name"], name=inputs["lora_name"]))
        node = graph[inputs["model"][0]]
    return files.checkpoints[node["inputs"]["ckpt_name"]], loras
