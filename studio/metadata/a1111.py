"""The `parameters` text that Stable Diffusion web UI (A1111, Forge) writes into its PNGs, both ways.

    a misty harbour at dawn <lora:film-grain:0.6>
    Negative prompt: blurry
    Steps: 4, Sampler: Euler, CFG scale: 7, Seed: 1, Size: 64x64, Model hash: 1a2b3c4d5e, Model: dreamy, ...

The last line holds `key: value` pairs separated by commas; a value containing a comma, colon or quote is
written as a JSON string. LoRAs appear as `<lora:name:weight>` tags in the prompt, their hashes in
`Lora hashes`. Hashes in this format are the first 10 hex digits of the file's sha256.

Forge writes Flux.1 images with `CFG scale: 1` and the distilled guidance as `Distilled CFG Scale: 3.5`, and the
separately loaded files as `Module 1: ae, Module 2: clip_l, ...`; the studio writes its Flux.1 images the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any

from studio.core.types import LoraUse, Recipe
from studio.metadata import families
from studio.metadata.samplers import a1111_label, from_a1111
from studio.metadata.values import as_finite, as_float, as_int

_LORA_TAG = re.compile(r"<lora:([^:>]+)(?::([-+]?[\d.]+))?(?::[^>]*)?>")
_NEGATIVE = "Negative prompt:"


def format_parameters(recipe: Recipe) -> str:
    prompt = recipe.prompt or ""
    tags = " ".join(f"<lora:{_lora_name(lora)}:{lora.weight:g}>" for lora in recipe.loras)
    lines = [f"{prompt} {tags}".strip() if tags else prompt]
    if recipe.negative_prompt:
        lines.append(f"{_NEGATIVE} {recipe.negative_prompt}")
    fields: list[tuple[str, Any]] = [
        ("Steps", recipe.steps),
        ("Sampler", a1111_label(recipe.scheduler)),
        *_guidance_fields(recipe),
        ("Seed", recipe.seed),
        ("Size", f"{recipe.width}x{recipe.height}" if recipe.width and recipe.height else None),
        ("Model hash", recipe.model_sha256[:10] if recipe.model_sha256 else None),
        ("Model", recipe.model),
        ("Denoising strength", None if recipe.strength is None else f"{recipe.strength:g}"),
        ("Lora hashes", ", ".join(f"{_lora_name(u)}: {u.sha256[:10]}" for u in recipe.loras if u.sha256) or None),
        ("Version", recipe.software),
    ]
    lines.append(", ".join(f"{key}: {_quote(value)}" for key, value in fields if value not in (None, "")))
    return "\n".join(lines)


def parse_parameters(text: str) -> tuple[Recipe, dict[str, str]]:
    """A recipe and the raw `key: value` fields from an A1111 `parameters` text."""
    lines = text.strip("\n").split("\n")
    fields: dict[str, str] = {}
    if lines and "Steps:" in lines[-1]:
        fields = _split_fields(lines.pop())
    prompt_lines: list[str] = []
    negative_lines: list[str] | None = None
    for line in lines:
        if negative_lines is None and line.startswith(_NEGATIVE):
            negative_lines = [line[len(_NEGATIVE):].strip()]
        elif negative_lines is not None:
            negative_lines.append(line)
        else:
            prompt_lines.append(line)
    prompt = "\n".join(prompt_lines)
    hashes = _lora_hashes(fields.get("Lora hashes", ""))
    loras = tuple(
        LoraUse(id=name, weight=1.0 if as_float(weight) is None else as_float(weight), name=name)
        for name, weight in _LORA_TAG.findall(prompt)
    )
    width, height = _size(fields.get("Size"))
    strength = as_float(fields.get("Denoising strength"))
    if "Mask blur" in fields:
        mode = "inpaint"
    elif strength is not None and not any(k.startswith("Hires") for k in fields):
        mode = "img2img"
    else:
        mode, strength = "txt2img", None
    modules = [fields[k] for k in sorted(fields, key=_module_order) if re.fullmatch(r"Module \d{1,2}", k)]
    family = families.family_from_name(fields.get("Model"))
    guidance = as_float(fields.get("CFG scale"))
    distilled = as_float(fields.get("Distilled CFG Scale"))
    if distilled is not None and family == families.UNKNOWN:
        family = families.FLUX1  # only Forge's Flux.1 support writes a distilled CFG
    extra = {k: v for k, v in {"model_hash": fields.get("Model hash"), "lora_hashes": hashes,
                               "family": family, "modules": modules}.items() if v}
    if distilled is not None:
        extra["cfg"] = as_finite(guidance)
        guidance = distilled
    recipe = Recipe(
        model=fields.get("Model"),
        loras=loras,
        prompt=re.sub(r"\s{2,}", " ", _LORA_TAG.sub("", prompt)).strip(),
        negative_prompt=("\n".join(negative_lines).strip() or None) if negative_lines else None,
        seed=as_int(fields.get("Seed")),
        steps=as_int(fields.get("Steps")),
        guidance=guidance,
        strength=strength,
        width=width,
        height=height,
        scheduler=from_a1111(fields["Sampler"], fields.get("Schedule type")) if "Sampler" in fields else None,
        software=fields.get("Version"),
        mode=mode,
        extra=extra,
    )
    return recipe, fields


def _guidance_fields(recipe: Recipe) -> list[tuple[str, Any]]:
    guidance = None if recipe.guidance is None else f"{recipe.guidance:g}"
    if families.is_flux(recipe.extra.get("arch")):
        # The studio's Flux guidance is the distilled one; sampling itself runs without CFG.
        return [("CFG scale", "1"), ("Distilled CFG Scale", guidance)]
    return [("CFG scale", guidance)]


def _lora_name(lora: LoraUse) -> str:
    return (lora.name or lora.id).replace(":", "_").replace(">", "_")


def _module_order(key: str) -> tuple[int, str]:
    digits = key.removeprefix("Module ").strip()
    return (int(digits), key) if digits.isdigit() else (1 << 30, key)


def _quote(value: Any) -> str:
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if any(c in text for c in ',:"\n') else text


def _split_fields(line: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    # Keys are short; bounding their length keeps a hostile line without colons from taking quadratic time.
    pattern = re.compile(r'\s*([\w][\w \-/+.()]{0,63}?):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)')
    for match in pattern.finditer(line):
        key, value = match.group(1).strip(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) > 1:
            try:
                value = json.loads(value)
            except ValueError:
                value = value[1:-1]
        fields[key] = value
    return fields


def _lora_hashes(text: str) -> dict[str, str]:
    pairs = (item.rsplit(":", 1) for item in text.split(",") if ":" in item)
    return {name.strip(): digest.strip() for name, digest in pairs}


def _size(text: str | None) -> tuple[int | None, int | None]:
    match = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", text or "")
    return (int(match[1]), int(match[2])) if match else (None, None)
