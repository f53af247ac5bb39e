"""Recipes from ComfyUI PNGs: the `prompt` chunk (the executed API graph) or, failing that, the `workflow`
chunk (the editor's graph, whose widget values are positional).

The sampler node is the root: its seed/steps/cfg/sampler/denoise, its `positive` and `negative` inputs traced
back to text-encode nodes, its `model` input traced back through LoRA loaders to the checkpoint loader, and its
`latent_image` input telling txt2img (EmptyLatentImage, which gives the size), img2img (VAEEncode) or inpaint.
"""

from __future__ import annotations

from typing import Any

from studio.core.types import LoraUse, Recipe
from studio.metadata.samplers import from_comfy
from studio.metadata.values import as_float, as_int

Graph = dict[str, dict[str, Any]]

_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom")
_CHECKPOINTS = ("CheckpointLoaderSimple", "CheckpointLoader", "unCLIPCheckpointLoader", "ImageOnlyCheckpointLoader")
_LORAS = ("LoraLoader", "LoraLoaderModelOnly")
_INPAINT_LATENTS = ("VAEEncodeForInpaint", "SetLatentNoiseMask", "InpaintModelConditioning")
# Widget order of the editor's nodes this reader understands (workflow chunk only).
_WIDGETS = {
    "KSampler": ("seed", None, "steps", "cfg", "sampler_name", "scheduler", "denoise"),
    "KSamplerAdvanced": ("add_noise", "noise_seed", None, "steps", "cfg", "sampler_name", "scheduler",
                         "start_at_step", "end_at_step", "return_with_leftover_noise"),
    "CheckpointLoaderSimple": ("ckpt_name",),
    "CLIPTextEncode": ("text",),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "LoraLoader": ("lora_name", "strength_model", "strength_clip"),
    "LoraLoaderModelOnly": ("lora_name", "strength_model"),
}
_MAX_DEPTH = 32


def parse_comfyui(prompt: Any, workflow: Any, image_size: tuple[int, int]) -> Recipe | None:
    graph = _api_graph(prompt) or _graph_from_workflow(workflow)
    if not graph:
        return None
    sampler_id = next((nid for nid in sorted(graph, key=_order) if graph[nid].get("class_type") in _SAMPLERS), None)
    if sampler_id is None:
        return None
    inputs = graph[sampler_id].get("inputs", {})

    def value(name: str) -> Any:
        return _resolve(graph, inputs.get(name))

    model, loras = _trace_model(graph, inputs.get("model"))
    mode, size = _trace_latent(graph, inputs.get("latent_image"))
    width, height = size or image_size
    denoise = as_float(value("denoise"))
    if mode == "txt2img" and denoise is not None and denoise < 1:
        mode = "img2img"
    sampler = value("sampler_name")
    return Recipe(
        model=model,
        loras=loras,
        prompt=_trace_text(graph, inputs.get("positive")),
        negative_prompt=_trace_text(graph, inputs.get("negative")),
        seed=as_int(value("seed") if "seed" in inputs else value("noise_seed")),
        steps=as_int(value("steps")),
        guidance=as_float(value("cfg")),
        strength=None if mode == "txt2img" else (denoise if denoise is not None else 1.0),
        width=as_int(width),
        height=as_int(height),
        scheduler=from_comfy(str(sampler), value("scheduler")) if sampler else None,
        software="ComfyUI",
        mode=mode,
        extra={"comfy_sampler_node": sampler_id},
    )


def _api_graph(prompt: Any) -> Graph:
    if not isinstance(prompt, dict):
        return {}
    return {
        str(k): v for k, v in prompt.items()
        if isinstance(v, dict) and isinstance(v.get("class_type"), str) and isinstance(v.get("inputs", {}), dict)
    }


def _graph_from_workflow(workflow: Any) -> Graph:
    """The editor's node list turned into the API graph shape: widget values by name, links as [node, slot]."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("nodes"), list):
        return {}
    links = {}
    raw_links = workflow.get("links")
    for link in raw_links if isinstance(raw_links, list) else []:
        if isinstance(link, list) and len(link) >= 3 and _is_key(link[0]):
            links[link[0]] = [str(link[1]), link[2]]
        elif isinstance(link, dict) and _is_key(link.get("id")):
            links[link["id"]] = [str(link.get("origin_id")), link.get("origin_slot", 0)]
    graph: Graph = {}
    for node in workflow["nodes"]:
        if not isinstance(node, dict) or "id" not in node:
            continue
        kind = node.get("type")
        if not isinstance(kind, str):
            continue
        inputs: dict[str, Any] = {}
        names = _WIDGETS.get(kind, ())
        values = node.get("widgets_values")
        if isinstance(values, list):
            inputs.update({n: v for n, v in zip(names, values, strict=False) if n})
        slots = node.get("inputs")
        for slot in slots if isinstance(slots, list) else []:
            if isinstance(slot, dict) and _is_key(slot.get("link")) and slot["link"] in links:
                inputs[str(slot.get("name"))] = links[slot["link"]]
        graph[str(node["id"])] = {"class_type": kind, "inputs": inputs}
    return graph


def _is_key(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[1], int)


def _resolve(graph: Graph, value: Any, depth: int = 0) -> Any:
    """A literal input, or the value a linked primitive-like node carries."""
    if not _is_link(value) or depth > _MAX_DEPTH:
        return value
    node = graph.get(str(value[0]), {})
    inputs = node.get("inputs", {})
    for key in ("value", "seed", "noise_seed", "text", "string", "int", "float", "number"):
        if key in inputs:
            return _resolve(graph, inputs[key], depth + 1)
    literals = [v for v in inputs.values() if not _is_link(v)]
    return literals[0] if len(literals) == 1 else None


def _trace_text(graph: Graph, link: Any, depth: int = 0) -> str | None:
    if not _is_link(link) or depth > _MAX_DEPTH:
        return None
    node = graph.get(str(link[0]), {})
    inputs = node.get("inputs", {})
    kind = str(node.get("class_type", ""))
    if kind.startswith("CLIPTextEncode"):
        for key in ("text", "text_g", "text_l"):
            if key in inputs:
                text = _resolve(graph, inputs[key])
                return text if isinstance(text, str) and text else None
    for key in ("conditioning", "conditioning_1", "conditioning_to", "positive"):
        if key in inputs:
            return _trace_text(graph, inputs[key], depth + 1)
    return None


def _trace_model(graph: Graph, link: Any) -> tuple[str | None, tuple[LoraUse, ...]]:
    loras: list[LoraUse] = []
    for _ in range(_MAX_DEPTH):
        if not _is_link(link):
            break
        node = graph.get(str(link[0]), {})
        inputs = node.get("inputs", {})
        kind = node.get("class_type")
        if kind in _CHECKPOINTS:
            return _resolve(graph, inputs.get("ckpt_name")), tuple(reversed(loras))
        if kind == "UNETLoader":
            return _resolve(graph, inputs.get("unet_name")), tuple(reversed(loras))
        if kind in _LORAS:
            name = str(_resolve(graph, inputs.get("lora_name")))
            weight = as_float(_resolve(graph, inputs.get("strength_model")))
            loras.append(LoraUse(id=name, weight=1.0 if weight is None else weight, name=name))
        link = inputs.get("model")
    return None, tuple(reversed(loras))


def _trace_latent(graph: Graph, link: Any) -> tuple[str, tuple[Any, Any] | None]:
    for _ in range(_MAX_DEPTH):
        if not _is_link(link):
            break
        node = graph.get(str(link[0]), {})
        kind = node.get("class_type")
        inputs = node.get("inputs", {})
        if kind in ("EmptyLatentImage", "EmptySD3LatentImage"):
            return "txt2img", (_resolve(graph, inputs.get("width")), _resolve(graph, inputs.get("height")))
        if kind in _INPAINT_LATENTS:
            return "inpaint", None
        if kind == "VAEEncode":
            return "img2img", None
        link = inputs.get("samples") or inputs.get("latent") or inputs.get("latent_image")
    return "txt2img", None


def _order(node_id: str) -> tuple[int, str]:
    return (int(node_id), "") if node_id.isascii() and node_id.isdigit() else (1 << 30, node_id)
