"""A `GenerationRequest` for a transformer family (FLUX.1, Stable Diffusion 3.5, Qwen-Image) as a ComfyUI
API-format workflow of built-in nodes.

The model is either one all-in-one checkpoint (CheckpointLoaderSimple gives the model, text encoders and VAE) or
the family's split files, as they are distributed: the transformer (UNETLoader, models/diffusion_models), the text
encoders (DualCLIPLoader type "flux" with CLIP-L + T5-XXL; TripleCLIPLoader with CLIP-L + CLIP-G + T5-XXL;
CLIPLoader type "qwen_image" with Qwen2.5-VL) and the VAE (VAELoader). LoRAs apply to the transformer only
(LoraLoaderModelOnly), as the ones shared for these families are.

Guidance follows the family's kind (see studio.generate.families):
- FLUX.1 takes no classifier-free guidance: KSampler runs at cfg 1.0, where ComfyUI skips the negative pass, so
  the positive conditioning stands in as the negative. [dev]'s distilled guidance is FluxGuidance's number.
- SD3.5 and Qwen-Image run real CFG at the request's guidance, with the negative prompt encoded (Qwen-Image's
  default negative " ", as in the local engine).

Sampling matches the local engine's published scheduler configs: Euler on ComfyUI's "simple" (linear) schedule;
FLUX.1 [dev]'s resolution-dependent shift through ModelSamplingFlux (base 0.5, max 1.15), SD3.5's shift 3.0
through ModelSamplingSD3; [schnell] and Qwen-Image keep the server's own sampling settings for their model.
img2img, blend and inpaint start from the VAE encoding of the uploaded image, as in the Stable Diffusion graph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.core.modes import Mode
from studio.generate.comfyui.workflow import SAVE_NODE, SAVE_PREFIX, node, start_latent, steps_run
from studio.generate.families import Family
from studio.generate.request import GenerationRequest

SAMPLER_NAME = "euler"
SCHEDULER = "simple"
FLUX_BASE_SHIFT, FLUX_MAX_SHIFT = 0.5, 1.15
SD3_SHIFT = 3.0


@dataclass(frozen=True)
class PartSpec:
    """One split file a family's workflow loads: the part's name in a parts manifest, the kind of server file it
    is (see server_info.MODEL_FOLDERS) and what people call it."""

    part: str
    kind: str
    label: str


_FLUX_PARTS = (PartSpec("transformer", "unet", "transformer"), PartSpec("text_encoder", "clip", "CLIP-L text encoder"),
               PartSpec("text_encoder_2", "clip", "T5-XXL text encoder"), PartSpec("vae", "vae", "VAE"))
FAMILY_PARTS: dict[str, tuple[PartSpec, ...]] = {
    "flux1-schnell": _FLUX_PARTS,
    "flux1-dev": _FLUX_PARTS,
    "sd3": (PartSpec("transformer", "unet", "transformer"), PartSpec("text_encoder", "clip", "CLIP-L text encoder"),
            PartSpec("text_encoder_2", "clip", "CLIP-G text encoder"),
            PartSpec("text_encoder_3", "clip", "T5-XXL text encoder"), PartSpec("vae", "vae", "VAE")),
    "qwen-image": (PartSpec("transformer", "unet", "transformer"),
                   PartSpec("text_encoder", "clip", "Qwen2.5-VL text encoder"), PartSpec("vae", "vae", "VAE")),
}
PART_KINDS = {spec.part: spec.kind for specs in FAMILY_PARTS.values() for spec in specs}


@dataclass(frozen=True)
class ServerModel:
    """A request's model as files on the server: one all-in-one checkpoint, or each part's file by part name."""

    checkpoint: str | None = None
    parts: Mapping[str, str] | None = None


def text_encoder_loader(fam: Family) -> tuple[str, str | None]:
    """(the node that loads the family's text encoders from split files, its `type` option or None)."""
    if fam.arch.startswith("flux1-"):
        return "DualCLIPLoader", "flux"
    if fam.arch == "sd3":
        return "TripleCLIPLoader", None
    return "CLIPLoader", "qwen_image"


def _sampling_node(fam: Family) -> str | None:
    return {"flux1-dev": "ModelSamplingFlux", "sd3": "ModelSamplingSD3"}.get(fam.arch)


def required_family_nodes(request: GenerationRequest, fam: Family, model: ServerModel) -> tuple[str, ...]:
    if model.checkpoint is not None:
        loaders: tuple[str, ...] = ("CheckpointLoaderSimple",)
    else:
        loaders = ("UNETLoader", text_encoder_loader(fam)[0], "VAELoader")
    extra = tuple(n for n in (_sampling_node(fam), "FluxGuidance" if fam.guidance_kind == "distilled" else None)
                  if n is not None)
    latent = ("EmptySD3LatentImage",) if request.mode is Mode.txt2img else ("LoadImage", "VAEEncode")
    if request.mode is Mode.inpaint:
        latent += ("LoadImageMask", "SetLatentNoiseMask")
    lora = ("LoraLoaderModelOnly",) if request.loras else ()
    return loaders + extra + ("CLIPTextEncode", "KSampler", "VAEDecode", "SaveImage") + latent + lora


def required_options(fam: Family, model: ServerModel) -> tuple[tuple[str, str, str], ...]:
    """(node, input, value) the workflow sets that older servers lack, e.g. CLIPLoader's type "qwen_image"."""
    node_name, clip_type = text_encoder_loader(fam)
    if model.checkpoint is not None or clip_type is None:
        return ()
    return ((node_name, "type", clip_type),)


def build_family_workflow(
    request: GenerationRequest,
    fam: Family,
    model: ServerModel,
    *,
    loras: Sequence[tuple[str, float]] = (),
    image: str | None = None,
    mask: str | None = None,
) -> dict[str, Any]:
    """The API-format graph; `image`/`mask` are uploaded names."""
    graph: dict[str, Any] = {}
    if model.checkpoint is not None:
        graph["ckpt"] = node("CheckpointLoaderSimple", ckpt_name=model.checkpoint)
        unet: list[Any] = ["ckpt", 0]
        clip: list[Any] = ["ckpt", 1]
        vae: list[Any] = ["ckpt", 2]
    else:
        parts = dict(model.parts or {})
        graph["unet"] = node("UNETLoader", unet_name=parts["transformer"], weight_dtype="default")
        loader, clip_type = text_encoder_loader(fam)
        if loader == "DualCLIPLoader":
            graph["clip"] = node(loader, clip_name1=parts["text_encoder"], clip_name2=parts["text_encoder_2"],
                                 type=clip_type)
        elif loader == "TripleCLIPLoader":
            graph["clip"] = node(loader, clip_name1=parts["text_encoder"], clip_name2=parts["text_encoder_2"],
                                 clip_name3=parts["text_encoder_3"])
        else:
            graph["clip"] = node(loader, clip_name=parts["text_encoder"], type=clip_type)
        graph["vae"] = node("VAELoader", vae_name=parts["vae"])
        unet, clip, vae = ["unet", 0], ["clip", 0], ["vae", 0]
    for index, (lora_name, weight) in enumerate(loras):
        node_id = f"lora{index}"
        graph[node_id] = node("LoraLoaderModelOnly", model=unet, lora_name=lora_name, strength_model=weight)
        unet = [node_id, 0]
    sampling = _sampling_node(fam)
    if sampling == "ModelSamplingFlux":
        graph["sampling"] = node(sampling, model=unet, max_shift=FLUX_MAX_SHIFT, base_shift=FLUX_BASE_SHIFT,
                                 width=request.width, height=request.height)
        unet = ["sampling", 0]
    elif sampling == "ModelSamplingSD3":
        graph["sampling"] = node(sampling, model=unet, shift=SD3_SHIFT)
        unet = ["sampling", 0]

    graph["positive"] = node("CLIPTextEncode", text=request.prompt, clip=clip)
    positive: list[Any] = ["positive", 0]
    if fam.guidance_kind == "distilled":
        graph["guidance"] = node("FluxGuidance", conditioning=positive, guidance=request.guidance)
        positive = ["guidance", 0]
    if fam.takes_negative_prompt:
        graph["negative"] = node("CLIPTextEncode", text=request.negative_prompt or fam.default_negative_prompt,
                                 clip=clip)
        negative: list[Any] = ["negative", 0]
        cfg = request.guidance
    else:
        negative, cfg = positive, 1.0  # at cfg 1.0 the negative is never evaluated

    latent, denoise = start_latent(graph, request, vae, image=image, mask=mask, empty_node="EmptySD3LatentImage")

    graph["sampler"] = node(
        "KSampler", model=unet, seed=request.seed, steps=steps_run(request), cfg=cfg, sampler_name=SAMPLER_NAME,
        scheduler=SCHEDULER, positive=positive, negative=negative, latent_image=latent, denoise=denoise,
    )
    graph["decode"] = node("VAEDecode", samples=["sampler", 0], vae=vae)
    graph[SAVE_NODE] = node("SaveImage", images=["decode", 0], filename_prefix=SAVE_PREFIX)
    return graph
