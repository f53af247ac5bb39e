"""Recipes from ComfyUI PNGs: the `prompt` chunk (the executed API graph) or, failing that, the `workflow`
chunk (the editor's graph, whose widget values are positional).

The sampler node is the root, found by class and walked by its links (node ids mean nothing): a `KSampler`'s own
seed/steps/cfg/sampler, or a `SamplerCustomAdvanced`'s noise (seed), guider (model, conditioning, cfg), sampler
(name) and sigmas (scheduler, steps, denoise) nodes. Conditioning is traced back to text-encode nodes (through
`FluxGuidance`, whose value is Flux.1 dev's distilled guidance), the model back through LoRA loaders and
model-sampling nodes to the checkpoint or diffusion-model loader, the text encoder to its loader (whose type
names the family), and the latent telling txt2img (an empty latent, which gives the size), img2img or inpaint.
Every walk is bounded, so a graph with cycles, missing inputs or links to absent nodes reads as less, not as a
crash.
"""

from __future__ import annotations

from typing import Any

from studio.core.types import LoraUse, Recipe
from studio.metadata import families
from studio.metadata.samplers import from_comfy
from studio.metadata.values import as_finite, as_float, as_int

Graph = dict[str, dict[str, Any]]

_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "SamplerCustomAdvanced")
_CHECKPOINTS = ("CheckpointLoaderSimple", "CheckpointLoader", "unCLIPCheckpointLoader", "ImageOnlyCheckpointLoader")
_DIFFUSION_LOADERS = ("UNETLoader", "UnetLoaderGGUF")
_CLIP_LOADERS = ("CLIPLoader", "DualCLIPLoader", "TripleCLIPLoader", "QuadrupleCLIPLoader", "CLIPLoaderGGUF",
                 "DualCLIPLoaderGGUF")
_LORAS = ("LoraLoader", "LoraLoaderModelOnly")
_INPAINT_LATENTS = ("VAEEncodeForInpaint", "SetLatentNoiseMask", "InpaintModelConditioning")
_DECODERS = ("VAEDecode", "VAEDecodeTiled")
_EMPTY_LATENTS = ("EmptyLatentImage", "EmptySD3LatentImage", "EmptyHunyuanLatentVideo")
# Text inputs of the text-encode nodes, the one holding the full prompt first.
_TEXT_KEYS = ("text", "prompt", "t5xxl", "text_g", "clip_g", "text_l", "clip_l")

# Widget order of the editor's nodes this reader understands (workflow chunk only). None marks the
# "control after generate" value the editor stores after a seed.
_WIDGETS = {
    "KSampler": ("seed", None, "steps", "cfg", "sampler_name", "scheduler", "denoise"),
    "KSamplerAdvanced": ("add_noise", "noise_seed", None, "steps", "cfg", "sampler_name", "scheduler",
                         "start_at_step", "end_at_step", "return_with_leftover_noise"),
    "SamplerCustom": ("add_noise", "noise_seed", None, "cfg"),
    "RandomNoise": ("noise_seed", None),
    "KSamplerSelect": ("sampler_name",),
    "BasicScheduler": ("scheduler", "steps", "denoise"),
    "CFGGuider": ("cfg",),
    "CheckpointLoaderSimple": ("ckpt_name",),
    "UNETLoader": ("unet_name", "weight_dtype"),
    "CLIPLoader": ("clip_name", "type", "device"),
    "DualCLIPLoader": ("clip_name1", "clip_name2", "type", "device"),
    "TripleCLIPLoader": ("clip_name1", "clip_name2", "clip_name3"),
    "VAELoader": ("vae_name",),
    "CLIPTextEncode": ("text",),
    "CLIPTextEncodeFlux": ("clip_l", "t5xxl", "guidance"),
    "CLIPTextEncodeSD3": ("clip_l", "clip_g", "t5xxl", "empty_padding"),
    "FluxGuidance": ("guidance",),
    "ModelSamplingFlux": ("max_shift", "base_shift", "width", "height"),
    "ModelSamplingSD3": ("shift",),
    "ModelSamplingAuraFlow": ("shift",),
    "EmptyLatentImage": ("width", "height", "batch_size"),
    "EmptySD3LatentImage": ("width", "height", "batch_size"),
    "LoraLoader": ("lora_name", "strength_model", "strength_clip"),
    "LoraLoaderModelOnly": ("lora_name", "strength_model"),
}
_MAX_DEPTH = 32
_MAX_NODES = 10_000  # far more than any real graph; more is read as no graph


def parse_comfyui(prompt: Any, workflow: Any, image_size: tuple[int, int]) -> Recipe | None:
    graph = _api_graph(prompt) or _graph_from_workflow(workflow)
    if not graph:
        return None
    sampler_id = _root_sampler(graph)
    if sampler_id is None:
        return None
    node = graph[sampler_id]
    inputs = node.get("inputs", {})
    # SamplerCustomAdvanced spreads its settings over the nodes linked to it; the others hold them directly.
    guider = _linked(graph, inputs.get("guider"))
    guider_inputs = guider.get("inputs", {}) if guider else {}
    sigmas = _linked(graph, inputs.get("sigmas")).get("inputs", {})
    noise = _linked(graph, inputs.get("noise")).get("inputs", {})
    picked = _linked(graph, inputs.get("sampler")).get("inputs", {})

    def value(name: str, *places: dict[str, Any]) -> Any:
        for place in (inputs, *places):
            if name in place:
                return _resolve(graph, place.get(name))
        return None

    model_link = inputs.get("model", guider_inputs.get("model"))
    model, loras, model_hint = _trace_model(graph, model_link)
    positive = inputs.get("positive", guider_inputs.get("positive", guider_inputs.get("conditioning")))
    negative = inputs.get("negative", guider_inputs.get("negative"))
    clip_files, clip_hint = _trace_clip(graph, positive)
    mode, size = _trace_latent(graph, inputs.get("latent_image"))
    width, height = size or image_size
    denoise = as_float(value("denoise", sigmas))
    if mode == "refined":
        mode, denoise = "txt2img", None
    elif mode == "txt2img" and denoise is not None and denoise < 1:
        mode = "img2img"
    sampler = value("sampler_name", picked)
    cfg = as_float(value("cfg", guider_inputs))
    if cfg is None and guider and guider.get("class_type") == "BasicGuider":
        cfg = 1.0  # BasicGuider is sampling without classifier-free guidance
    distilled = _trace_guidance(graph, positive)
    named = families.family_from_name(model)
    hinted = clip_hint if clip_hint != families.UNKNOWN else model_hint
    if distilled is not None and hinted == families.UNKNOWN:
        hinted = families.FLUX1
    family, conflict = families.combine(named, hinted)
    seed = value("seed", noise) if "seed" in inputs else value("noise_seed", noise)
    extra: dict[str, Any] = {"comfy_sampler_node": sampler_id, "family": family}
    files = {"diffusion_model": model, "text_encoders": clip_files, "vae": _trace_vae(graph, sampler_id)}
    extra["model_files"] = {k: v for k, v in files.items() if v}
    if distilled is not None:
        extra["cfg"] = as_finite(cfg)
    if conflict:
        extra["family_note"] = conflict
    return Recipe(
        model=model,
        loras=loras,
        prompt=_trace_text(graph, positive),
        negative_prompt=_trace_text(graph, negative),
        seed=as_int(seed),
        steps=as_int(value("steps", sigmas)),
        guidance=distilled if distilled is not None else cfg,
        strength=None if mode == "txt2img" else (denoise if denoise is not None else 1.0),
        width=as_int(width),
        height=as_int(height),
        scheduler=from_comfy(str(sampler), value("scheduler", sigmas)) if isinstance(sampler, str) else None,
        software="ComfyUI",
        mode=mode,
        extra=extra,
    )


def _root_sampler(graph: Graph) -> str | None:
    """The sampler whose result is decoded and saved: the first sampler (in the graph's order) that a VAE
    decode reads, else the first sampler at all."""
    samplers = [nid for nid in sorted(graph, key=_order) if graph[nid].get("class_type") in _SAMPLERS]
    decoded = set()
    for node in graph.values():
        if node.get("class_type") in _DECODERS:
            link = node.get("inputs", {}).get("samples")
            if _is_link(link):
                decoded.add(str(link[0]))
    return next((nid for nid in samplers if nid in decoded), samplers[0] if samplers else None)


def _linked(graph: Graph, link: Any) -> dict[str, Any]:
    node = graph.get(str(link[0])) if _is_link(link) else None
    return node if isinstance(node, dict) else {}


def _api_graph(prompt: Any) -> Graph:
    if not isinstance(prompt, dict) or len(prompt) > _MAX_NODES:
        return {}
    return {
        str(k): v for k, v in prompt.items()
        if isinstance(v, dict) and isinstance(v.get("class_type"), str) and isinstance(v.get("inputs", {}), dict)
    }


def _graph_from_workflow(workflow: Any) -> Graph:
    """The editor's node list turned into the API graph shape: widget values by name, links as [node, slot]."""
    if not isinstance(workflow, dict) or not isinstance(workflow.get("nodes"), list):
        return {}
    if len(workflow["nodes"]) > _MAX_NODES:
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
    if kind == "ConditioningZeroOut":
        return None  # Flux templates' "negative": the positive conditioning zeroed, no text of its own
    if kind.startswith(("CLIPTextEncode", "TextEncode")):
        for key in _TEXT_KEYS:
            if key in inputs:
                text = _resolve(graph, inputs[key])
                if isinstance(text, str) and text:
                    return text
        return None
    for key in ("conditioning", "conditioning_1", "conditioning_to", "positive"):
        if key in inputs:
            return _trace_text(graph, inputs[key], depth + 1)
    return None


def _trace_guidance(graph: Graph, link: Any) -> float | None:
    """Flux.1 dev's distilled guidance on the positive conditioning: a FluxGuidance node's value, or the one
    CLIPTextEncodeFlux takes itself."""
    for _ in range(_MAX_DEPTH):
        if not _is_link(link):
            return None
        node = graph.get(str(link[0]), {})
        inputs = node.get("inputs", {})
        if node.get("class_type") in ("FluxGuidance", "CLIPTextEncodeFlux"):
            return as_float(_resolve(graph, inputs.get("guidance")))
        link = inputs.get("conditioning", inputs.get("conditioning_to"))
    return None


def _trace_clip(graph: Graph, conditioning: Any) -> tuple[list[str], str]:
    """The text-encoder files behind the positive conditioning, and the family their loader's type names."""
    link = None
    for _ in range(_MAX_DEPTH):  # down the conditioning chain to the text-encode node
        if not _is_link(conditioning):
            break
        inputs = graph.get(str(conditioning[0]), {}).get("inputs", {})
        if "clip" in inputs:
            link = inputs["clip"]
            break
        conditioning = inputs.get("conditioning", inputs.get("conditioning_to"))
    for _ in range(_MAX_DEPTH):  # up through LoRA loaders to the loader of the text encoders
        if not _is_link(link):
            break
        node = graph.get(str(link[0]), {})
        kind = str(node.get("class_type", ""))
        inputs = node.get("inputs", {})
        if kind in _CLIP_LOADERS:
            names = [_resolve(graph, inputs.get(key)) for key in sorted(inputs) if key.startswith("clip_name")]
            hint = families.family_from_clip_loader(kind.removesuffix("GGUF"), _resolve(graph, inputs.get("type")))
            return [n for n in names if isinstance(n, str)], hint
        if kind in _CHECKPOINTS:
            return [], families.UNKNOWN
        link = inputs.get("clip")
    return [], families.UNKNOWN


def _trace_vae(graph: Graph, sampler_id: str) -> str | None:
    """The VAE file of the VAEDecode that decodes the sampler's result, when a VAELoader provides it."""
    for node in graph.values():
        inputs = node.get("inputs", {})
        samples = inputs.get("samples")
        if node.get("class_type") in _DECODERS and _is_link(samples) and str(samples[0]) == sampler_id:
            loader = _linked(graph, inputs.get("vae"))
            if loader.get("class_type") == "VAELoader":
                name = _resolve(graph, loader.get("inputs", {}).get("vae_name"))
                return name if isinstance(name, str) else None
            return None
    return None


def _trace_model(graph: Graph, link: Any) -> tuple[str | None, tuple[LoraUse, ...], str]:
    """The model file, the LoRAs applied on the way (in the order applied) and a family hint from the
    model-sampling nodes passed (ModelSamplingFlux is only used with Flux)."""
    loras: list[LoraUse] = []
    hint = families.UNKNOWN
    for _ in range(_MAX_DEPTH):
        if not _is_link(link):
            break
        node = graph.get(str(link[0]), {})
        inputs = node.get("inputs", {})
        kind = node.get("class_type")
        if kind in _CHECKPOINTS:
            return _text_value(graph, inputs.get("ckpt_name")), tuple(reversed(loras)), hint
        if kind in _DIFFUSION_LOADERS:
            return _text_value(graph, inputs.get("unet_name")), tuple(reversed(loras)), hint
        if kind == "ModelSamplingFlux":
            hint = families.FLUX1
        if kind in _LORAS:
            name = _text_value(graph, inputs.get("lora_name"))
            weight = as_float(_resolve(graph, inputs.get("strength_model")))
            if name:
                loras.append(LoraUse(id=name, weight=1.0 if weight is None else weight, name=name))
        link = inputs.get("model")
    return None, tuple(reversed(loras)), hint


def _text_value(graph: Graph, value: Any) -> str | None:
    found = _resolve(graph, value)
    return found if isinstance(found, str) and found else None


def _trace_latent(graph: Graph, link: Any) -> tuple[str, tuple[Any, Any] | None]:
    for _ in range(_MAX_DEPTH):
        if not _is_link(link):
            break
        node = graph.get(str(link[0]), {})
        kind = node.get("class_type")
        inputs = node.get("inputs", {})
        if kind in _SAMPLERS:
            # A second pass over an earlier sampler's result (a "hires fix"): the image is still made from
            # noise, at the size of the final image rather than of the first latent.
            return "refined", None
        if kind in _EMPTY_LATENTS:
            return "txt2img", (_resolve(graph, inputs.get("width")), _resolve(graph, inputs.get("height")))
        if kind in _INPAINT_LATENTS:
            return "inpaint", None
        if kind == "VAEEncode":
            return "img2img", None
        link = inputs.get("samples") or inputs.get("latent") or inputs.get("latent_image")
    return "txt2img", None


def _order(node_id: str) -> tuple[int, str]:
    return (int(node_id), "") if node_id.isascii() and node_id.isdigit() else (1 << 30, node_id)
