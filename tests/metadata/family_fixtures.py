"""Metadata as ComfyUI, InvokeAI and Forge write it for Flux.1, Stable Diffusion 3.5 and Qwen-Image images.

The ComfyUI graphs follow the shapes of ComfyUI's own templates (node classes and input names as in its source:
UNETLoader, DualCLIPLoader type "flux", CLIPLoader type "qwen_image", TripleCLIPLoader, FluxGuidance,
SamplerCustomAdvanced with RandomNoise/BasicGuider/KSamplerSelect/BasicScheduler, ModelSampling*), with node ids
that differ from the templates' so nothing depends on them.
"""

from __future__ import annotations

from typing import Any


def node(kind: str, **inputs: Any) -> dict[str, Any]:
    return {"class_type": kind, "inputs": inputs, "_meta": {"title": kind}}


FLUX_DEV_PROMPT: dict[str, Any] = {
    "101": node("UNETLoader", unet_name="flux1-dev-fp8.safetensors", weight_dtype="fp8_e4m3fn"),
    "102": node("DualCLIPLoader", clip_name1="t5xxl_fp16.safetensors", clip_name2="clip_l.safetensors",
                type="flux", device="default"),
    "103": node("VAELoader", vae_name="ae.safetensors"),
    "104": node("LoraLoaderModelOnly", model=["101", 0], lora_name="flux-realism.safetensors", strength_model=0.8),
    "105": node("LoraLoaderModelOnly", model=["104", 0], lora_name="ink_sketch_flux.safetensors",
                strength_model=0.45),
    "106": node("ModelSamplingFlux", model=["105", 0], max_shift=1.15, base_shift=0.5, width=1024, height=768),
    "107": node("CLIPTextEncode", clip=["102", 0], text="a red fox in fresh snow, golden hour, 35mm photo"),
    "108": node("FluxGuidance", conditioning=["107", 0], guidance=3.5),
    "109": node("BasicGuider", model=["106", 0], conditioning=["108", 0]),
    "110": node("RandomNoise", noise_seed=918273645),
    "111": node("KSamplerSelect", sampler_name="euler"),
    "112": node("BasicScheduler", model=["106", 0], scheduler="simple", steps=28, denoise=1.0),
    "113": node("EmptySD3LatentImage", width=1024, height=768, batch_size=1),
    "114": node("SamplerCustomAdvanced", noise=["110", 0], guider=["109", 0], sampler=["111", 0],
                sigmas=["112", 0], latent_image=["113", 0]),
    "115": node("VAEDecode", samples=["114", 0], vae=["103", 0]),
    "116": node("SaveImage", images=["115", 0], filename_prefix="ComfyUI"),
}

FLUX_SCHNELL_PROMPT: dict[str, Any] = {
    "1": node("KSampler", model=["2", 0], positive=["4", 0], negative=["5", 0], latent_image=["6", 0],
              seed=42, steps=4, cfg=1.0, sampler_name="euler", scheduler="simple", denoise=1.0),
    "2": node("UNETLoader", unet_name="flux1-schnell.safetensors", weight_dtype="default"),
    "3": node("DualCLIPLoader", clip_name1="clip_l.safetensors", clip_name2="t5xxl_fp8_e4m3fn.safetensors",
              type="flux"),
    "4": node("CLIPTextEncode", clip=["3", 0], text="a lighthouse made of glass"),
    "5": node("ConditioningZeroOut", conditioning=["4", 0]),
    "6": node("EmptySD3LatentImage", width=512, height=512, batch_size=1),
    "7": node("VAELoader", vae_name="ae.safetensors"),
    "8": node("VAEDecode", samples=["1", 0], vae=["7", 0]),
    "9": node("SaveImage", images=["8", 0], filename_prefix="ComfyUI"),
}

SD35_CHECKPOINT_PROMPT: dict[str, Any] = {
    "4": node("CheckpointLoaderSimple", ckpt_name="sd3.5_large.safetensors"),
    "13": node("ModelSamplingSD3", model=["4", 0], shift=3.0),
    "16": node("CLIPTextEncode", clip=["4", 1], text="an isometric city block at night, neon"),
    "40": node("CLIPTextEncode", clip=["4", 1], text="blurry, text"),
    "53": node("EmptySD3LatentImage", width=1024, height=1024, batch_size=1),
    "3": node("KSampler", model=["13", 0], positive=["16", 0], negative=["40", 0], latent_image=["53", 0],
              seed=7, steps=40, cfg=4.5, sampler_name="dpmpp_2m", scheduler="sgm_uniform", denoise=1.0),
    "8": node("VAEDecode", samples=["3", 0], vae=["4", 2]),
    "9": node("SaveImage", images=["8", 0], filename_prefix="sd3.5"),
}

QWEN_IMAGE_PROMPT: dict[str, Any] = {
    "37": node("UNETLoader", unet_name="qwen_image_fp8_e4m3fn.safetensors", weight_dtype="default"),
    "38": node("CLIPLoader", clip_name="qwen_2.5_vl_7b_fp8_scaled.safetensors", type="qwen_image",
               device="default"),
    "39": node("VAELoader", vae_name="qwen_image_vae.safetensors"),
    "66": node("ModelSamplingAuraFlow", model=["37", 0], shift=3.1),
    "6": node("CLIPTextEncode", clip=["38", 0], text='a shop sign that says "OPEN LATE", hand-painted'),
    "7": node("CLIPTextEncode", clip=["38", 0], text=""),
    "58": node("EmptySD3LatentImage", width=1328, height=1328, batch_size=1),
    "3": node("KSampler", model=["66", 0], positive=["6", 0], negative=["7", 0], latent_image=["58", 0],
              seed=555, steps=20, cfg=2.5, sampler_name="euler", scheduler="simple", denoise=1.0),
    "8": node("VAEDecode", samples=["3", 0], vae=["39", 0]),
    "60": node("SaveImage", images=["8", 0], filename_prefix="ComfyUI"),
}


def ui_workflow(nodes: list[tuple[int, str, list[Any], list[tuple[str, int | None]]]],
                links: list[tuple[int, int, int, int, int, str]]) -> dict[str, Any]:
    """The editor's graph: nodes with positional widget values and input slots naming link ids."""
    return {
        "last_node_id": max(n[0] for n in nodes), "last_link_id": max(link[0] for link in links),
        "nodes": [{"id": id_, "type": kind, "pos": [10 * id_, 10], "size": [300, 100], "flags": {}, "order": i,
                   "mode": 0, "inputs": [{"name": name, "type": "*", "link": link} for name, link in slots],
                   "outputs": [], "properties": {"Node name for S&R": kind}, "widgets_values": widgets}
                  for i, (id_, kind, widgets, slots) in enumerate(nodes)],
        "links": [list(link) for link in links], "groups": [], "config": {}, "extra": {}, "version": 0.4,
    }


FLUX_DEV_WORKFLOW = ui_workflow(
    [
        (12, "UNETLoader", ["flux1-dev.safetensors", "default"], []),
        (11, "DualCLIPLoader", ["t5xxl_fp16.safetensors", "clip_l.safetensors", "flux", "default"], []),
        (10, "VAELoader", ["ae.safetensors"], []),
        (30, "LoraLoaderModelOnly", ["watercolor_flux.safetensors", 0.7], [("model", 1)]),
        (6, "CLIPTextEncode", ["a watercolour heron"], [("clip", 2)]),
        (26, "FluxGuidance", [2.8], [("conditioning", 3)]),
        (22, "BasicGuider", [], [("model", 4), ("conditioning", 5)]),
        (25, "RandomNoise", [31337, "fixed"], []),
        (16, "KSamplerSelect", ["euler"], []),
        (17, "BasicScheduler", ["simple", 24, 1], [("model", 6)]),
        (27, "EmptySD3LatentImage", [896, 1152, 1], []),
        (13, "SamplerCustomAdvanced", [], [("noise", 7), ("guider", 8), ("sampler", 9), ("sigmas", 10),
                                           ("latent_image", 11)]),
        (8, "VAEDecode", [], [("samples", 12), ("vae", 13)]),
        (9, "SaveImage", ["ComfyUI"], [("images", 14)]),
    ],
    [(1, 12, 0, 30, 0, "MODEL"), (2, 11, 0, 6, 0, "CLIP"), (3, 6, 0, 26, 0, "CONDITIONING"),
     (4, 30, 0, 22, 0, "MODEL"), (5, 26, 0, 22, 1, "CONDITIONING"), (6, 30, 0, 17, 0, "MODEL"),
     (7, 25, 0, 13, 0, "NOISE"), (8, 22, 0, 13, 1, "GUIDER"), (9, 16, 0, 13, 2, "SAMPLER"),
     (10, 17, 0, 13, 3, "SIGMAS"), (11, 27, 0, 13, 4, "LATENT"), (12, 13, 0, 8, 0, "LATENT"),
     (13, 10, 0, 8, 1, "VAE"), (14, 8, 0, 9, 0, "IMAGE")],
)

SD35_SPLIT_WORKFLOW = ui_workflow(
    [
        (1, "UNETLoader", ["sd3.5_medium.safetensors", "default"], []),
        (2, "TripleCLIPLoader", ["clip_l.safetensors", "clip_g.safetensors", "t5xxl_fp8_e4m3fn.safetensors"], []),
        (3, "ModelSamplingSD3", [3], [("model", 1)]),
        (4, "CLIPTextEncode", ["a ceramic teapot shaped like a snail"], [("clip", 2)]),
        (5, "CLIPTextEncode", ["lowres"], [("clip", 3)]),
        (6, "EmptySD3LatentImage", [768, 768, 1], []),
        (7, "KSampler", [123456, "randomize", 30, 5, "euler", "sgm_uniform", 1],
         [("model", 4), ("positive", 5), ("negative", 6), ("latent_image", 7)]),
        (8, "VAELoader", ["sd35_vae.safetensors"], []),
        (9, "VAEDecode", [], [("samples", 8), ("vae", 9)]),
    ],
    [(1, 1, 0, 3, 0, "MODEL"), (2, 2, 0, 4, 0, "CLIP"), (3, 2, 0, 5, 0, "CLIP"), (4, 3, 0, 7, 0, "MODEL"),
     (5, 4, 0, 7, 1, "CONDITIONING"), (6, 5, 0, 7, 2, "CONDITIONING"), (7, 6, 0, 7, 3, "LATENT"),
     (8, 7, 0, 9, 0, "LATENT"), (9, 8, 0, 9, 1, "VAE")],
)

INVOKEAI_FLUX: dict[str, Any] = {
    "generation_mode": "flux_txt2img", "positive_prompt": "a paper boat on a puddle, macro",
    "width": 1024, "height": 1024, "seed": 3960523110, "steps": 30, "guidance": 4, "scheduler": "euler",
    "model": {"key": "6b4a2f1e-1c0d-4a8b-9e7f-0123456789ab", "hash": "blake3:2ab3c4d5e6f7",
              "name": "FLUX Dev (Quantized)",
              "base": "flux", "type": "main"},
    "loras": [{"model": {"key": "9c8b7a6d-0000-4000-8000-00000000000a", "hash": "blake3:77aa", "name": "Flux Film",
                         "base": "flux", "type": "lora"}, "weight": 0.65}],
    "app_version": "5.6.0",
}

INVOKEAI_SD35: dict[str, Any] = {
    "generation_mode": "sd3_txt2img", "positive_prompt": "a knight made of moss", "negative_prompt": "cartoon",
    "width": 1024, "height": 1024, "seed": 11, "steps": 28, "cfg_scale": 4.0, "scheduler": "euler",
    "model": {"key": "k", "hash": "blake3:00", "name": "SD3.5 Large", "base": "sd-3", "type": "main"},
    "app_version": "5.6.0",
}

FORGE_FLUX = (
    "a tiny robot watering a bonsai, studio light <lora:flux_clay:0.8>\n"
    "Steps: 20, Sampler: Euler, Schedule type: Simple, CFG scale: 1, Distilled CFG Scale: 3.5, Seed: 2212, "
    "Size: 896x1152, Model hash: bea01d51bd, Model: flux1-dev-bnb-nf4-v2, Lora hashes: \"flux_clay: 9a8b7c6d5e4f\", "
    "Version: f2.0.1v1.10.1-previous-535-gb20cb4bf, Module 1: ae, Module 2: clip_l, Module 3: t5xxl_fp16"
)

A1111_SD35 = (
    "an astronaut riding a horse, film still\n"
    "Negative prompt: deformed\n"
    "Steps: 28, Sampler: Euler, CFG scale: 4.5, Seed: 99, Size: 1024x1024, Model hash: 0a1b2c3d4e, "
    "Model: sd3.5_large_turbo, Version: v1.10.1"
)
