"""Which model family an image was made with, from what other tools write: model file names, InvokeAI's `base`,
ComfyUI's text-encoder loader types.

The result is a hint for the user, never a license fact: Flux.1 dev and schnell share one architecture but not
one license, and a fine-tune may carry any name. A name that does not say which family it is gives `UNKNOWN`,
and a Flux.1 file whose name does not say dev or schnell gives `FLUX1`, not a guess at either.
The ids are the studio's architecture ids, so a hint compares directly with a registered model's `arch`.
"""

from __future__ import annotations

import re

FLUX1_DEV = "flux1-dev"
FLUX1_SCHNELL = "flux1-schnell"
FLUX1 = "flux1"  # Flux.1, variant (and so license) not stated
SD3 = "sd3"
QWEN_IMAGE = "qwen-image"
SD1, SD2, SDXL = "sd1", "sd2", "sdxl"
UNKNOWN = "unknown"

FLUX_FAMILIES = (FLUX1_DEV, FLUX1_SCHNELL, FLUX1)

# Matched against the lower-cased file name without folders; the separators tools use vary (flux1-dev,
# FLUX.1-dev, "FLUX Dev (Quantized)", flux_dev), and quantised or fp8 variants only add suffixes.
_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"flux[ ._-]*(?:\.?1)?[ ._-]*(?:\[)?dev(?![a-z])"), FLUX1_DEV),
    (re.compile(r"flux[ ._-]*(?:\.?1)?[ ._-]*(?:\[)?schnell"), FLUX1_SCHNELL),
    (re.compile(r"(?:^|[^a-z])(?:sd|stable[ ._-]?diffusion)[ ._-]?3(?:[._]?5)?(?![0-9])"), SD3),
    (re.compile(r"qwen[ ._-]?image"), QWEN_IMAGE),
    (re.compile(r"(?:^|[^a-z])(?:sd[ ._-]?xl|stable[ ._-]?diffusion[ ._-]?xl)"), SDXL),
)

# InvokeAI's `base` of a main model.
_INVOKEAI_BASES = {"flux": FLUX1, "sd-3": SD3, "sdxl": SDXL, "sd-1": SD1, "sd-2": SD2, "qwen-image": QWEN_IMAGE}

# ComfyUI text-encoder loaders: (node class, its `type` input) -> family. CLIPLoader and DualCLIPLoader take a
# `type`; TripleCLIPLoader (clip_l + clip_g + t5xxl) is only used for SD3.
_CLIP_TYPES = {("DualCLIPLoader", "flux"): FLUX1, ("DualCLIPLoader", "sd3"): SD3, ("CLIPLoader", "sd3"): SD3,
               ("CLIPLoader", "qwen_image"): QWEN_IMAGE, ("TripleCLIPLoader", None): SD3,
               ("DualCLIPLoader", "sdxl"): SDXL}

_BASES = {FLUX1_DEV: FLUX1, FLUX1_SCHNELL: FLUX1}


def family_from_name(name: object) -> str:
    """The family a model's file or display name states, or `UNKNOWN`."""
    if not isinstance(name, str) or not name.strip():
        return UNKNOWN
    stem = re.split(r"[\\/]", name.strip().lower())[-1][:300]
    return next((family for pattern, family in _NAMES if pattern.search(stem)), UNKNOWN)


def family_from_invokeai_base(base: object) -> str:
    return _INVOKEAI_BASES.get(base, UNKNOWN) if isinstance(base, str) else UNKNOWN


def family_from_clip_loader(node_class: str, clip_type: object) -> str:
    key = (node_class, None if node_class == "TripleCLIPLoader" else clip_type)
    return _CLIP_TYPES.get(key, UNKNOWN) if isinstance(key[1], str | None) else UNKNOWN


def combine(named: str, hinted: str) -> tuple[str, str | None]:
    """The family from a model's name and from the rest of the file (loader types, a base field), and a note
    when they disagree (then the family is `UNKNOWN`: neither is trusted over the other)."""
    if named == UNKNOWN:
        return hinted, None
    if hinted == UNKNOWN or _BASES.get(named, named) == _BASES.get(hinted, hinted):
        return named, None
    return UNKNOWN, f"the model's name suggests {named} but the file's other settings suggest {hinted}; family unknown"


def is_flux(family: object) -> bool:
    return family in FLUX_FAMILIES
