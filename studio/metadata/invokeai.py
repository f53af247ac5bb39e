"""Recipes from InvokeAI PNGs: the `invokeai_metadata` JSON chunk (InvokeAI 3 and later).

The main model is `{name, base, key, hash}` (`base` "sd-1", "sdxl", "sd-3", "flux", ...), LoRAs
`[{model: {...}, weight}]`; FLUX images carry their distilled guidance in `guidance` (their `cfg_scale`, when
present, is the real CFG, usually 1).
"""

from __future__ import annotations

from typing import Any

from studio.core.types import LoraUse, Recipe
from studio.metadata import families
from studio.metadata.samplers import from_invokeai
from studio.metadata.values import as_finite, as_float, as_int

_MODES = {"txt2img": "txt2img", "img2img": "img2img", "inpaint": "inpaint", "outpaint": "inpaint"}


def parse_invokeai(meta: Any) -> Recipe | None:
    if not isinstance(meta, dict):
        return None
    model = meta.get("model") if isinstance(meta.get("model"), dict) else {}
    loras = []
    entries = meta.get("loras")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        ref = entry.get("model") or entry.get("lora") or {}
        if not isinstance(ref, dict):
            continue
        name = ref.get("name") or ref.get("model_name") or ref.get("key")
        if name:
            weight = as_float(entry.get("weight"))
            loras.append(LoraUse(id=str(ref.get("key") or name), weight=1.0 if weight is None else weight,
                                 name=str(name)))
    generation = str(meta.get("generation_mode") or "txt2img")
    mode = next((m for key, m in _MODES.items() if generation.endswith(key)), "txt2img")
    strength = meta.get("strength", meta.get("denoising_strength"))
    base = model.get("base") or model.get("base_model")
    name = model.get("name") or model.get("model_name")
    family, conflict = families.combine(families.family_from_name(name), families.family_from_invokeai_base(base))
    extra = {k: v for k, v in {"model_hash": model.get("hash"), "base_model": base,
                               "generation_mode": generation, "family": family,
                               "family_note": conflict}.items() if v}
    guidance = as_float(meta.get("cfg_scale"))
    if families.is_flux(family) and meta.get("guidance") is not None:
        extra["cfg"] = as_finite(guidance)
        guidance = as_float(meta.get("guidance"))
    return Recipe(
        model=name,
        loras=tuple(loras),
        prompt=meta.get("positive_prompt"),
        negative_prompt=meta.get("negative_prompt") or None,
        seed=as_int(meta.get("seed")),
        steps=as_int(meta.get("steps")),
        guidance=guidance,
        strength=None if mode == "txt2img" else as_float(strength),
        width=as_int(meta.get("width")),
        height=as_int(meta.get("height")),
        scheduler=from_invokeai(str(meta["scheduler"])) if meta.get("scheduler") else None,
        software=f"InvokeAI {meta['app_version']}" if meta.get("app_version") else "InvokeAI",
        mode=mode,
        extra=extra,
    )
