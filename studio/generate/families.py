"""The transformer model families beside Stable Diffusion's UNets: FLUX.1 [schnell] and [dev], Stable Diffusion 3 /
3.5 and Qwen-Image. One table says, per architecture id, how a request becomes a pipeline call: the diffusers
pipeline of each mode, the defaults (steps, guidance and what the guidance number means, size), the text
encoder's sequence length, the license the published weights carry, and how a single-file checkpoint of the
family is recognised from its tensor names. No torch here.

What `guidance` means differs per family:
- "none": FLUX.1 [schnell] is timestep-distilled; it takes no guidance (the pipeline is called with 0).
- "distilled": FLUX.1 [dev] has guidance distilled into the transformer (an embedding of the number, passed as
  `guidance_scale`); it runs one pass per step and takes no negative prompt.
- "cfg": classifier-free guidance with a negative prompt (SD3), two passes per step.
- "true_cfg": Qwen-Image's classifier-free guidance (`true_cfg_scale`); the negative prompt defaults to " ", as
  its model card shows, since an empty negative prompt turns the guidance off.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from studio.core.modes import Mode
from studio.errors import InvalidInput

GuidanceKind = Literal["none", "distilled", "cfg", "true_cfg"]


@dataclass(frozen=True)
class Family:
    arch: str  # the architecture id recorded with a registered model
    label: str
    pipelines: dict[Mode, str]  # diffusers pipeline class per mode (blend runs the img2img one)
    steps: int
    guidance: float
    guidance_kind: GuidanceKind
    size: int  # default side in pixels
    license: str  # the published weights' license (catalogue id)
    max_sequence_length: int | None = None  # the T5 / Qwen prompt length the published model was trained with
    default_negative_prompt: str = ""

    @property
    def takes_negative_prompt(self) -> bool:
        return self.guidance_kind in ("cfg", "true_cfg")

    def pipeline(self, mode: Mode) -> str:
        return self.pipelines[Mode.img2img if mode is Mode.blend else mode]


def _modes(prefix: str) -> dict[Mode, str]:
    return {Mode.txt2img: f"{prefix}Pipeline", Mode.img2img: f"{prefix}Img2ImgPipeline",
            Mode.inpaint: f"{prefix}InpaintPipeline"}


FAMILIES: dict[str, Family] = {
    family.arch: family
    for family in (
        Family("flux1-schnell", "FLUX.1 [schnell]", _modes("Flux"), steps=4, guidance=0.0, guidance_kind="none",
               size=1024, license="apache-2.0", max_sequence_length=256),
        Family("flux1-dev", "FLUX.1 [dev]", _modes("Flux"), steps=28, guidance=3.5, guidance_kind="distilled",
               size=1024, license="flux-1-dev-non-commercial", max_sequence_length=512),
        Family("sd3", "Stable Diffusion 3.5", _modes("StableDiffusion3"), steps=28, guidance=4.5,
               guidance_kind="cfg", size=1024, license="stabilityai-ai-community", max_sequence_length=256),
        Family("qwen-image", "Qwen-Image", _modes("QwenImage"), steps=30, guidance=4.0, guidance_kind="true_cfg",
               size=1024, license="apache-2.0", max_sequence_length=512, default_negative_prompt=" "),
    )
}

# model_index.json `_class_name` of each family's pipelines -> family prefix.
_PIPELINE_PREFIXES = {"Flux": "flux", "StableDiffusion3": "sd3", "QwenImage": "qwen-image"}


def family(arch: str | None) -> Family | None:
    """The transformer family of an architecture id, or None for the Stable Diffusion UNet ones."""
    return FAMILIES.get(arch or "")


def arch_of_pipeline(class_name: str, transformer_config: dict[str, Any]) -> str | None:
    """The architecture id of a diffusers folder from its pipeline class and transformer config; None if it is
    none of these families."""
    for prefix, arch in _PIPELINE_PREFIXES.items():
        rest = class_name.removeprefix(prefix)
        if rest != class_name and rest in ("Pipeline", "Img2ImgPipeline", "InpaintPipeline"):
            if arch == "flux":
                return "flux1-dev" if transformer_config.get("guidance_embeds") else "flux1-schnell"
            return arch
    return None


# Tensor names that identify each family's transformer in a single-file checkpoint (prefix stripped).
FLUX_KEY = "double_blocks.0.img_attn.norm.key_norm.scale"
FLUX_GUIDANCE_PREFIX = "guidance_in."
SD3_KEY = "joint_blocks.0.context_block.attn.qkv.weight"
DIFFUSERS_FLUX_GUIDANCE = "time_text_embed.guidance_embedder."
QWEN_KEYS = ("txt_norm.weight", "transformer_blocks.0.img_mod.1.weight")
# Prefixes a transformer's keys carry inside all-in-one files (ComfyUI / original repositories).
KEY_PREFIXES = ("model.diffusion_model.", "diffusion_model.", "model.")


def arch_of_checkpoint_keys(keys: Collection[str]) -> str | None:
    """The family of a single-file transformer checkpoint (or an all-in-one file) from its tensor names."""
    stripped = set(keys)
    for prefix in KEY_PREFIXES:
        stripped |= {k[len(prefix):] for k in keys if k.startswith(prefix)}
    if FLUX_KEY in stripped:
        return "flux1-dev" if any(k.startswith(FLUX_GUIDANCE_PREFIX) for k in stripped) else "flux1-schnell"
    if SD3_KEY in stripped:
        return "sd3"
    # The same transformers saved in diffusers' own layout (a model folder's transformer weights as one file).
    if any(k.startswith("single_transformer_blocks.") for k in stripped) and "x_embedder.weight" in stripped:
        return "flux1-dev" if any(k.startswith(DIFFUSERS_FLUX_GUIDANCE) for k in stripped) else "flux1-schnell"
    if "pos_embed.proj.weight" in stripped and "context_embedder.weight" in stripped:
        return "sd3"
    if all(k in stripped for k in QWEN_KEYS):
        return "qwen-image"
    return None


def same_family(a: str, b: str) -> bool:
    """Whether two architecture ids share a pipeline (FLUX.1 [dev] and [schnell] do)."""
    return a == b or (a.startswith("flux1-") and b.startswith("flux1-"))


def check_request(arch: str, mode: Mode, *, negative_prompt: str, scheduler: str | None) -> None:
    """Refuse, in one line, what a family cannot do with a request, before anything loads."""
    fam = family(arch)
    if fam is None:
        return
    if mode not in fam.pipelines and mode is not Mode.blend:
        raise InvalidInput(f"{fam.label} has no {mode.label} pipeline", hint="use text-to-image or img2img")
    if negative_prompt.strip() and not fam.takes_negative_prompt:
        raise InvalidInput(f"{fam.label} takes no negative prompt (its guidance is distilled into the model)",
                           hint="leave the negative prompt empty and describe what you want in the prompt")
    if scheduler is not None:
        raise InvalidInput(f"{fam.label} runs on its own flow-matching scheduler, not {scheduler}",
                           hint="leave the scheduler unset")


def check_pipeline_available(arch: str, mode: Mode, available: Collection[str]) -> str:
    """The diffusers pipeline class for `mode`, or one clear line when the installed diffusers lacks it."""
    fam = FAMILIES[arch]
    name = fam.pipeline(mode)
    if name not in available:
        raise InvalidInput(f"{fam.label} {mode.label} needs diffusers' {name}, which the installed diffusers lacks",
                           hint="update diffusers, or use another mode")
    return name
