"""A `GenerationRequest` as a ComfyUI API-format workflow, built from ComfyUI's built-in nodes only.

Every mode is one graph: checkpoint (+ LoRA chain) -> two text encodings -> a latent -> KSampler -> VAEDecode ->
SaveImage. txt2img starts from EmptyLatentImage; img2img and blend start from the VAE encoding of one uploaded
image (blend's is the parents averaged on this side); inpaint adds SetLatentNoiseMask with the uploaded mask.

img2img-like modes run `int(steps * strength)` KSampler steps at `denoise = strength`, which is what the local
engine runs for the same request, so a recipe means the same amount of work on either engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from studio.core.modes import Mode
from studio.generate.comfyui.samplers import ksampler_names
from studio.generate.request import GenerationRequest

SAVE_PREFIX = "remix-studio"
SAVE_NODE = "save"
BASE_NODES = ("CheckpointLoaderSimple", "CLIPTextEncode", "KSampler", "VAEDecode", "SaveImage")
MODE_NODES: dict[Mode, tuple[str, ...]] = {
    Mode.txt2img: ("EmptyLatentImage",),
    Mode.img2img: ("LoadImage", "VAEEncode"),
    Mode.blend: ("LoadImage", "VAEEncode"),
    Mode.inpaint: ("LoadImage", "LoadImageMask", "VAEEncode", "SetLatentNoiseMask"),
}


def required_nodes(request: GenerationRequest) -> tuple[str, ...]:
    extra = ("LoraLoader",) if request.loras else ()
    return BASE_NODES + MODE_NODES[request.mode] + extra


def steps_run(request: GenerationRequest) -> int:
    if request.mode is Mode.txt2img:
        return request.steps
    return max(1, int(request.steps * request.effective_strength))


def build_workflow(
    request: GenerationRequest,
    *,
    checkpoint: str,
    loras: Sequence[tuple[str, float]] = (),
    image: str | None = None,
    mask: str | None = None,
) -> tuple[dict[str, Any], str]:
    """(the API-format graph, the studio scheduler id it samples with). `image`/`mask` are uploaded names."""
    scheduler_id, sampler_name, scheduler = ksampler_names(request.scheduler)
    graph: dict[str, Any] = {"ckpt": node("CheckpointLoaderSimple", ckpt_name=checkpoint)}
    model: list[Any] = ["ckpt", 0]
    clip: list[Any] = ["ckpt", 1]
    vae: list[Any] = ["ckpt", 2]
    for index, (lora_name, weight) in enumerate(loras):
        node_id = f"lora{index}"
        graph[node_id] = node(
            "LoraLoader", model=model, clip=clip, lora_name=lora_name, strength_model=weight, strength_clip=weight
        )
        model, clip = [node_id, 0], [node_id, 1]
    graph["positive"] = node("CLIPTextEncode", text=request.prompt, clip=clip)
    graph["negative"] = node("CLIPTextEncode", text=request.negative_prompt, clip=clip)

    latent, denoise = start_latent(graph, request, vae, image=image, mask=mask, empty_node="EmptyLatentImage")

    graph["sampler"] = node(
        "KSampler",
        model=model,
        seed=request.seed,
        steps=steps_run(request),
        cfg=request.guidance,
        sampler_name=sampler_name,
        scheduler=scheduler,
        positive=["positive", 0],
        negative=["negative", 0],
        latent_image=latent,
        denoise=denoise,
    )
    graph["decode"] = node("VAEDecode", samples=["sampler", 0], vae=vae)
    graph[SAVE_NODE] = node("SaveImage", images=["decode", 0], filename_prefix=SAVE_PREFIX)
    return graph, scheduler_id


def start_latent(
    graph: dict[str, Any], request: GenerationRequest, vae: list[Any], *, image: str | None, mask: str | None,
    empty_node: str,
) -> tuple[list[Any], float]:
    """The latent a graph samples from, and its denoise: an empty one (`empty_node`, the family's) for txt2img, the
    VAE encoding of the uploaded image for the other modes, masked for inpaint. Adds its nodes to `graph`."""
    if request.mode is Mode.txt2img:
        graph["latent"] = node(empty_node, width=request.width, height=request.height, batch_size=1)
        return ["latent", 0], 1.0
    if image is None:
        raise ValueError(f"{request.mode} needs an uploaded image")
    graph["image"] = node("LoadImage", image=image)
    graph["encode"] = node("VAEEncode", pixels=["image", 0], vae=vae)
    latent: list[Any] = ["encode", 0]
    if request.mode is Mode.inpaint:
        if mask is None:
            raise ValueError("inpaint needs an uploaded mask")
        graph["mask"] = node("LoadImageMask", image=mask, channel="red")
        graph["masked"] = node("SetLatentNoiseMask", samples=latent, mask=["mask", 0])
        latent = ["masked", 0]
    return latent, request.effective_strength


def node(class_type: str, **inputs: Any) -> dict[str, Any]:
    return {"class_type": class_type, "inputs": inputs}
