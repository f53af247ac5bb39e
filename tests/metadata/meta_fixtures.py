"""PNG fixtures shaped like the real output of A1111, ComfyUI and InvokeAI (text chunks as those tools write them)."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image, PngImagePlugin

A1111_TXT2IMG_HIRES = (
    "masterpiece, a lighthouse on a cliff at sunset,\ndramatic clouds <lora:add_detail:0.7> <lora:film_grain_v2:0.35>\n"
    "Negative prompt: lowres, blurry, (worst quality:1.4)\n"
    "Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, Size: 512x768, "
    "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, VAE hash: 735e4c3a44, "
    "VAE: vae-ft-mse-840000-ema-pruned.safetensors, Denoising strength: 0.45, Hires upscale: 1.5, "
    "Hires steps: 10, Hires upscaler: Latent, "
    'Lora hashes: "add_detail: 7c6bad76eb54, film_grain_v2: 1a2b3c4d5e6f", TI hashes: "EasyNegative: c74b4e810b03", '
    "Version: v1.10.1"
)

A1111_INPAINT = (
    "a red knitted scarf\n"
    "Negative prompt: \n"
    "Steps: 20, Sampler: Euler a, Schedule type: Automatic, CFG scale: 7, Seed: 42, Size: 512x512, "
    "Model hash: e6bb9ea85b, Model: sd_xl_base_1.0, Denoising strength: 0.75, Mask blur: 4, "
    "Inpaint area: Only masked, Masked area padding: 32, Version: f2.0.1v1.10.1-previous-519-g44eb4ea8"
)

COMFY_PROMPT: dict[str, Any] = {
    "3": {"inputs": {"seed": 156680208700286, "steps": 20, "cfg": 8, "sampler_name": "dpmpp_2m",
                     "scheduler": "karras", "denoise": 1, "model": ["10", 0], "positive": ["6", 0],
                     "negative": ["7", 0], "latent_image": ["5", 0]},
          "class_type": "KSampler", "_meta": {"title": "KSampler"}},
    "4": {"inputs": {"ckpt_name": "v1-5-pruned-emaonly.safetensors"}, "class_type": "CheckpointLoaderSimple",
          "_meta": {"title": "Load Checkpoint"}},
    "5": {"inputs": {"width": 512, "height": 768, "batch_size": 1}, "class_type": "EmptyLatentImage",
          "_meta": {"title": "Empty Latent Image"}},
    "6": {"inputs": {"text": "beautiful scenery nature glass bottle landscape, purple galaxy bottle,",
                     "clip": ["11", 1]},
          "class_type": "CLIPTextEncode", "_meta": {"title": "CLIP Text Encode (Prompt)"}},
    "7": {"inputs": {"text": "text, watermark", "clip": ["11", 1]}, "class_type": "CLIPTextEncode",
          "_meta": {"title": "CLIP Text Encode (Prompt)"}},
    "8": {"inputs": {"samples": ["3", 0], "vae": ["4", 2]}, "class_type": "VAEDecode",
          "_meta": {"title": "VAE Decode"}},
    "9": {"inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}, "class_type": "SaveImage",
          "_meta": {"title": "Save Image"}},
    "10": {"inputs": {"lora_name": "watercolor_v1.safetensors", "strength_model": 0.55, "strength_clip": 0.55,
                      "model": ["11", 0], "clip": ["11", 1]}, "class_type": "LoraLoader",
           "_meta": {"title": "Load LoRA"}},
    "11": {"inputs": {"lora_name": "ink_lines.safetensors", "strength_model": 0.8, "strength_clip": 1,
                      "model": ["4", 0], "clip": ["4", 1]}, "class_type": "LoraLoader",
           "_meta": {"title": "Load LoRA"}},
}


def comfy_workflow() -> dict[str, Any]:
    """The editor graph for a plain txt2img run (what ComfyUI stores in the `workflow` chunk)."""
    def node(id_: int, kind: str, widgets: list[Any], inputs: list[tuple[str, int | None]]) -> dict[str, Any]:
        return {"id": id_, "type": kind, "pos": [100 * id_, 100], "size": [315, 262], "flags": {}, "order": id_,
                "mode": 0, "inputs": [{"name": n, "type": "ANY", "link": link} for n, link in inputs],
                "outputs": [], "properties": {"Node name for S&R": kind}, "widgets_values": widgets}

    return {
        "last_node_id": 9, "last_link_id": 9,
        "nodes": [
            node(3, "KSampler", [8566257, "randomize", 25, 7.5, "euler_ancestral", "normal", 1],
                 [("model", 1), ("positive", 4), ("negative", 6), ("latent_image", 2)]),
            node(4, "CheckpointLoaderSimple", ["dreamshaper_8.safetensors"], []),
            node(5, "EmptyLatentImage", [640, 448, 1], []),
            node(6, "CLIPTextEncode", ["an old map of an imaginary island"], [("clip", 3)]),
            node(7, "CLIPTextEncode", ["modern, photo"], [("clip", 5)]),
            node(8, "VAEDecode", [], [("samples", 7), ("vae", 8)]),
            node(9, "SaveImage", ["ComfyUI"], [("images", 9)]),
        ],
        "links": [[1, 4, 0, 3, 0, "MODEL"], [2, 5, 0, 3, 3, "LATENT"], [3, 4, 1, 6, 0, "CLIP"],
                  [4, 6, 0, 3, 1, "CONDITIONING"], [5, 4, 1, 7, 0, "CLIP"], [6, 7, 0, 3, 2, "CONDITIONING"],
                  [7, 3, 0, 8, 0, "LATENT"], [8, 4, 2, 8, 1, "VAE"], [9, 8, 0, 9, 0, "IMAGE"]],
        "groups": [], "config": {}, "extra": {"ds": {"scale": 1, "offset": [0, 0]}}, "version": 0.4,
    }


COMFY_IMG2IMG: dict[str, Any] = {
    "1": {"inputs": {"image": "parent.png", "upload": "image"}, "class_type": "LoadImage"},
    "2": {"inputs": {"pixels": ["1", 0], "vae": ["4", 2]}, "class_type": "VAEEncode"},
    "3": {"inputs": {"seed": 77, "steps": 12, "cfg": 4.5, "sampler_name": "euler", "scheduler": "normal",
                     "denoise": 0.6, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
                     "latent_image": ["2", 0]}, "class_type": "KSampler"},
    "4": {"inputs": {"ckpt_name": "sd_xl_turbo_1.0.safetensors"}, "class_type": "CheckpointLoaderSimple"},
    "6": {"inputs": {"text": "as a watercolour", "clip": ["4", 1]}, "class_type": "CLIPTextEncode"},
    "7": {"inputs": {"text": "", "clip": ["4", 1]}, "class_type": "CLIPTextEncode"},
}

INVOKEAI_METADATA: dict[str, Any] = {
    "generation_mode": "sdxl_txt2img",
    "positive_prompt": "a cozy cabin in snowy woods, warm light in the windows",
    "negative_prompt": "",
    "width": 1024, "height": 768, "seed": 2873459231, "rand_device": "cpu",
    "cfg_scale": 5.5, "cfg_rescale_multiplier": 0, "steps": 30, "scheduler": "dpmpp_2m_k",
    "model": {"key": "7e0f1c0a-3c1e-4d6e-9a52-1f2b3c4d5e6f", "hash": "blake3:4f9a0b7c", "name": "Juggernaut XL v9",
              "base": "sdxl", "type": "main"},
    "loras": [{"model": {"key": "0a1b2c3d-0000-4000-8000-000000000001", "hash": "blake3:99aa",
                         "name": "Detail Tweaker XL", "base": "sdxl", "type": "lora"}, "weight": 0.6}],
    "app_version": "5.4.2",
}

INVOKEAI_IMG2IMG: dict[str, Any] = {
    "generation_mode": "img2img", "positive_prompt": "oil painting", "negative_prompt": "photo",
    "width": 512, "height": 512, "seed": 9, "cfg_scale": 7, "steps": 20, "scheduler": "euler_a",
    "strength": 0.65, "model": {"model_name": "stable-diffusion-v1-5", "base_model": "sd-1"}, "app_version": "3.6.0",
}


def png_with_chunks(chunks: dict[str, str], size: tuple[int, int] = (64, 48), *, itxt: bool = False) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        if itxt:
            info.add_itxt(key, value)
        else:
            info.add_text(key, value)
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def comfy_png(prompt: dict[str, Any] | None, workflow: dict[str, Any] | None) -> bytes:
    chunks = {}
    if prompt is not None:
        chunks["prompt"] = json.dumps(prompt)
    if workflow is not None:
        chunks["workflow"] = json.dumps(workflow)
    return png_with_chunks(chunks)


def invokeai_png(meta: dict[str, Any]) -> bytes:
    graph = {"id": "sdxl_graph", "nodes": {}, "edges": []}
    return png_with_chunks({"invokeai_metadata": json.dumps(meta), "invokeai_graph": json.dumps(graph)})
