"""What goes into a generation and what comes out: plain values, no torch.

A `GenerationRequest` is serialisable (`to_dict` / `from_dict`) so the same request can be run by the local
diffusers engine or sent to a remote server. Construction validates every value; `check_files()` also opens the
parents' and the mask's headers, which the engine does before it loads anything.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from PIL import Image

from studio.core.modes import Mode
from studio.core.types import LoraUse, Recipe
from studio.errors import Cancelled, InvalidInput, NotFound, StudioError  # noqa: F401 (Cancelled: generation's stop)
from studio.generate.families import check_request
from studio.metadata.samplers import SAMPLER_IDS

MIN_SIDE, MAX_SIDE = 64, 2048
MAX_STEPS = 150
MAX_GUIDANCE = 30.0
MAX_PROMPT_CHARS = 10_000
MAX_LORA_WEIGHT = 4.0
MAX_SEED = 2**64 - 1

# Used when a request leaves strength unset: inpaint repaints the masked region fully; img2img and blend keep
# the parents' composition.
DEFAULT_STRENGTH: dict[Mode, float] = {Mode.img2img: 0.6, Mode.inpaint: 1.0, Mode.blend: 0.6}


def _bad(message: str, hint: str | None = None) -> InvalidInput:
    return InvalidInput(message, hint=hint)


@dataclass(frozen=True)
class ModelRef:
    """A base model: a diffusers folder or a single `.safetensors` checkpoint (see `models.inspect_model`)."""

    id: str
    path: Path
    arch: str
    sha256: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        for name in ("id", "arch", "sha256", "name"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise _bad(f"Model reference needs a non-empty {name}", "inspect the model file first")

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "path": str(self.path), "arch": self.arch, "sha256": self.sha256, "name": self.name}


@dataclass(frozen=True)
class LoraRef:
    """A LoRA applied with `weight` (0 leaves the base model's output unchanged)."""

    id: str
    path: Path
    weight: float
    sha256: str
    name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        for name in ("id", "sha256", "name"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise _bad(f"LoRA reference needs a non-empty {name}", "inspect the LoRA file first")
        if not _is_number(self.weight) or abs(self.weight) > MAX_LORA_WEIGHT:
            raise _bad(
                f"LoRA weight {self.weight!r} for {self.name} is out of range",
                f"use a number between -{MAX_LORA_WEIGHT:g} and {MAX_LORA_WEIGHT:g}",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "path": str(self.path), "weight": self.weight, "sha256": self.sha256, "name": self.name,
        }


@dataclass(frozen=True)
class GenerationRequest:
    """One image to make. Sizes are in pixels; `init_images` are the parents' files, in lineage order."""

    mode: Mode
    prompt: str
    model: ModelRef
    seed: int
    steps: int
    guidance: float
    width: int
    height: int
    negative_prompt: str = ""
    loras: tuple[LoraRef, ...] = ()
    strength: float | None = None
    scheduler: str | None = None
    init_images: tuple[Path, ...] = ()
    mask: Path | None = None
    blend_weights: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", Mode(self.mode))  # a request read from JSON names its mode as text
        except ValueError:
            raise _bad(f"Unknown generation mode {self.mode!r}", f"use one of {', '.join(Mode)}") from None
        object.__setattr__(self, "loras", tuple(self.loras))
        object.__setattr__(self, "init_images", tuple(Path(p) for p in self.init_images))
        if self.mask is not None:
            object.__setattr__(self, "mask", Path(self.mask))
        if self.blend_weights is not None:
            object.__setattr__(self, "blend_weights", tuple(self.blend_weights))
        self._validate()

    # -- validation ---------------------------------------------------------------------------------------

    def _validate(self) -> None:
        if not isinstance(self.model, ModelRef):
            raise _bad("A generation request needs a model", "pick a model or the built-in studio-tiny")
        for name in ("prompt", "negative_prompt"):
            text = getattr(self, name)
            if not isinstance(text, str):
                raise _bad(f"The {name.replace('_', ' ')} must be text")
            if len(text) > MAX_PROMPT_CHARS:
                raise _bad(f"The {name.replace('_', ' ')} is {len(text)} characters long",
                           f"keep it under {MAX_PROMPT_CHARS}")
        self._validate_numbers()
        self._validate_parents()
        ids = [lora.id for lora in self.loras]
        if any(not isinstance(lora, LoraRef) for lora in self.loras):
            raise _bad("LoRAs must be LoRA references")
        if len(set(ids)) != len(ids):
            raise _bad("The same LoRA is listed twice", "list each LoRA once, with one weight")
        if self.scheduler is not None and self.scheduler not in SAMPLER_IDS:
            raise _bad(f"Unknown scheduler {self.scheduler!r}", f"use one of {', '.join(SAMPLER_IDS)}")
        check_request(self.model.arch, self.mode, negative_prompt=self.negative_prompt, scheduler=self.scheduler)

    def _validate_numbers(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if not _is_int(value) or not MIN_SIDE <= value <= MAX_SIDE or value % 8:
                raise _bad(f"Image {name} {value!r} is not usable",
                           f"use a multiple of 8 between {MIN_SIDE} and {MAX_SIDE}")
        if not _is_int(self.steps) or not 1 <= self.steps <= MAX_STEPS:
            raise _bad(f"Steps {self.steps!r} is out of range", f"use a whole number from 1 to {MAX_STEPS}")
        if not _is_number(self.guidance) or not 0 <= self.guidance <= MAX_GUIDANCE:
            raise _bad(f"Guidance {self.guidance!r} is out of range", f"use a number from 0 to {MAX_GUIDANCE:g}")
        if not _is_int(self.seed) or not 0 <= self.seed <= MAX_SEED:
            raise _bad(f"Seed {self.seed!r} is not usable", "use a whole number from 0 to 2^64 - 1")
        if self.strength is not None:
            if not self.mode.takes_parents:
                raise _bad("Strength applies only to img2img, inpaint and blend", "leave strength unset")
            if not _is_number(self.strength) or not 0 < self.strength <= 1:
                raise _bad(f"Strength {self.strength!r} is out of range", "use a number above 0 and at most 1")
        if self.mode.takes_parents and int(self.steps * self.effective_strength) < 1:
            raise _bad(
                f"{self.steps} steps at strength {self.effective_strength:g} leave no denoising step",
                "raise the steps or the strength",
            )

    def _validate_parents(self) -> None:
        count = len(self.init_images)
        mode = self.mode
        if not mode.takes_parents and count:
            raise _bad("Text-to-image takes no parent images", "use img2img, inpaint or blend to remix")
        if mode.min_parents == mode.max_parents == 1 and count != 1:
            raise _bad(f"{mode} needs exactly one parent image, got {count}")
        if mode.max_parents > 1:
            if count < mode.min_parents:
                raise _bad(f"{mode.label} needs at least two parent images, got {count}", "add another parent")
            if count > mode.max_parents:
                raise _bad(f"{mode.label} takes at most {mode.max_parents} parents, got {count}")
        if self.mode == Mode.inpaint and self.mask is None:
            raise _bad("Inpaint needs a mask", "paint the region to change (white) on a mask of the parent's size")
        if self.mode != Mode.inpaint and self.mask is not None:
            raise _bad("A mask applies only to inpaint", "switch the mode to inpaint or drop the mask")
        if self.blend_weights is not None:
            if self.mode != Mode.blend:
                raise _bad("Blend weights apply only to blend", "drop the weights")
            weights = self.blend_weights
            if len(weights) != count:
                raise _bad(f"{len(weights)} blend weights for {count} parents", "give one weight per parent")
            if any(not _is_number(w) or w < 0 for w in weights) or sum(weights) <= 0:
                raise _bad("Blend weights must be zero or more, and not all zero")

    def check_files(self, *, models: bool = True) -> None:
        """Open the parents' and the mask's headers: they must exist, be images, and fit the mode.

        `models=False` skips the model and LoRA files, for an engine that keeps its models elsewhere."""
        sizes = [_image_size(path, "Parent image") for path in self.init_images]
        if self.mode == Mode.inpaint:
            assert self.mask is not None
            mask_size = _image_size(self.mask, "Mask")
            if mask_size != sizes[0]:
                raise _bad(
                    f"The mask is {mask_size[0]}x{mask_size[1]} but the parent is {sizes[0][0]}x{sizes[0][1]}",
                    "use a mask of the parent's size",
                )
            if sizes[0] != (self.width, self.height):
                raise _bad(
                    f"Inpaint works at the parent's own size ({sizes[0][0]}x{sizes[0][1]}), "
                    f"not {self.width}x{self.height}",
                    "set the size to the parent's; a parent whose sides are not multiples of 8 must be "
                    "cropped or resized first",
                )
        if not models:
            return
        for lora in self.loras:
            if not lora.path.exists():
                raise NotFound(f"LoRA file {lora.path} is missing", hint="re-import the LoRA")
        if not self.model.path.exists():
            raise NotFound(f"Model {self.model.name} is missing at {self.model.path}", hint="re-import the model")

    # -- derived values -----------------------------------------------------------------------------------

    @property
    def effective_strength(self) -> float:
        """The strength the engine uses: the request's, or the mode's default; 1.0 for text-to-image."""
        if self.strength is not None:
            return float(self.strength)
        return DEFAULT_STRENGTH.get(self.mode, 1.0)

    @property
    def effective_blend_weights(self) -> tuple[float, ...]:
        """Blend weights normalised to sum to 1 (equal when unset)."""
        weights = self.blend_weights or tuple(1.0 for _ in self.init_images)
        total = float(sum(weights))
        return tuple(w / total for w in weights)

    def to_recipe(self, *, software: str, scheduler: str | None) -> Recipe:
        """The recipe recorded with the result; `scheduler` is the one actually used."""
        extra: dict[str, Any] = {"model_id": self.model.id, "arch": self.model.arch}
        if self.mode == Mode.blend:
            extra["blend_weights"] = list(self.effective_blend_weights)
        return Recipe(
            model=self.model.name,
            model_sha256=self.model.sha256,
            loras=tuple(LoraUse(id=r.id, weight=r.weight, name=r.name, sha256=r.sha256) for r in self.loras),
            prompt=self.prompt,
            negative_prompt=self.negative_prompt,
            seed=self.seed,
            steps=self.steps,
            guidance=self.guidance,
            strength=self.effective_strength if self.mode.takes_parents else None,
            width=self.width,
            height=self.height,
            scheduler=scheduler,
            software=software,
            mode=self.mode.value,
            extra=extra,
        )

    # -- serialisation ------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode.value,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "model": self.model.to_dict(),
            "loras": [lora.to_dict() for lora in self.loras],
            "seed": self.seed,
            "steps": self.steps,
            "guidance": self.guidance,
            "width": self.width,
            "height": self.height,
            "strength": self.strength,
            "scheduler": self.scheduler,
            "init_images": [str(p) for p in self.init_images],
            "mask": None if self.mask is None else str(self.mask),
            "blend_weights": None if self.blend_weights is None else list(self.blend_weights),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GenerationRequest:
        if not isinstance(data, dict):
            raise _bad("A generation request must be a mapping")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _bad(f"Unknown generation request field(s): {', '.join(unknown)}")
        try:
            kwargs = dict(data)
            kwargs["model"] = ModelRef(**data["model"])
            kwargs["loras"] = tuple(LoraRef(**lora) for lora in data.get("loras") or ())
            kwargs["init_images"] = tuple(Path(p) for p in data.get("init_images") or ())
            return cls(**kwargs)
        except StudioError:
            raise
        except (KeyError, TypeError) as exc:
            raise _bad(f"Generation request is incomplete or malformed: {exc}") from exc


@dataclass(frozen=True)
class Progress:
    """One denoising step done; `total` is the steps this run really takes (img2img runs fewer)."""

    step: int
    total: int
    preview: Image.Image | None = None


@dataclass(frozen=True)
class GenerationResult:
    image: Image.Image
    recipe: Recipe
    elapsed_s: float
    steps_run: int


ProgressCallback = Callable[[Progress], None]


@runtime_checkable
class Generator(Protocol):
    def run(
        self,
        request: GenerationRequest,
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult: ...


def snap_size(width: int, height: int, *, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """The nearest size a request accepts: scaled down to `max_side`, rounded to multiples of 8, at least 64."""
    scale = min(1.0, max_side / max(width, height))
    def snap(v: float) -> int:
        return int(min(max_side, max(MIN_SIDE, round(v * scale / 8) * 8)))
    return snap(width), snap(height)


def _image_size(path: Path, what: str) -> tuple[int, int]:
    try:
        with Image.open(path) as image:
            return image.size
    except FileNotFoundError:
        raise NotFound(f"{what} {path} is missing", hint="check that the file still exists") from None
    except (OSError, Image.DecompressionBombError) as exc:
        raise _bad(f"{what} {path} is not a readable image ({exc})", "use a PNG, JPEG or WebP file") from exc


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
