"""Where a trained LoRA came from, written into its safetensors header and read back on `models add`. No torch.

The header carries the model-spec fields other tools read (`modelspec.title`, `.author`, `.license`,
`.architecture`, `.date`, `.description`) plus the base model (name and sha256) and the training set: the hash
of its images and captions and the library's work ids, so a LoRA that leaves the studio still names its data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MODELSPEC_VERSION = "1.0.0"
# Model-spec architecture ids of each base architecture, LoRA flavour.
_ARCHITECTURES = {
    "sd1": "stable-diffusion-v1/lora",
    "sd2": "stable-diffusion-v2-768-v/lora",
    "sdxl": "stable-diffusion-xl-v1-base/lora",
    "studio-tiny": "studio-tiny/lora",
    "studio-emoji": "studio-emoji/lora",
}


def modelspec_architecture(arch: str) -> str:
    return _ARCHITECTURES.get(arch, f"{arch}/lora")


def arch_of_modelspec(architecture: str) -> str | None:
    """The studio's architecture name for a model-spec architecture id, when it is one the studio knows."""
    return next((arch for arch, spec in _ARCHITECTURES.items() if spec == architecture), None)


def training_set_sha256(items: Iterable[tuple[str, str]]) -> str:
    """One hash for a training set: its images' sha256 with their captions, in a stable order."""
    rows = sorted(f"{sha}\0{caption}" for sha, caption in items)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoraProvenance:
    title: str
    license_id: str
    arch: str
    base_model: str
    base_model_sha256: str
    training_set_sha256: str
    author: str | None = None
    description: str | None = None
    date: str | None = None
    training_works: tuple[str, ...] = ()
    training_set_work: str | None = None
    base_model_work: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def header(self) -> dict[str, str]:
        """The safetensors `__metadata__` entries (all strings, as the format requires)."""
        values = {
            "modelspec.sai_model_spec": MODELSPEC_VERSION,
            "modelspec.architecture": modelspec_architecture(self.arch),
            "modelspec.implementation": "diffusers",
            "modelspec.title": self.title,
            "modelspec.author": self.author,
            "modelspec.license": self.license_id,
            "modelspec.description": self.description,
            "modelspec.date": self.date,
            "modelspec.base_model": self.base_model,
            "modelspec.base_model_hash": f"sha256:{self.base_model_sha256}",
            "studio.base_model_work": self.base_model_work,
            "studio.training_set_sha256": self.training_set_sha256,
            "studio.training_set_work": self.training_set_work,
            "studio.training_works": json.dumps(list(self.training_works)) if self.training_works else None,
            **self.extra,
        }
        return {k: str(v) for k, v in values.items() if v is not None}

    @classmethod
    def from_header(cls, metadata: Mapping[str, object] | None) -> LoraProvenance | None:
        """What a header says; None when it names no title (a LoRA from elsewhere without model-spec fields)."""
        meta = {k: str(v) for k, v in (metadata or {}).items()}
        title = meta.get("modelspec.title")
        if not title:
            return None
        works = meta.get("studio.training_works")
        try:
            training_works = tuple(str(w) for w in json.loads(works)) if works else ()
        except (ValueError, TypeError):
            training_works = ()
        base_hash = meta.get("modelspec.base_model_hash", "")
        return cls(
            title=title,
            license_id=meta.get("modelspec.license", ""),
            arch=arch_of_modelspec(meta.get("modelspec.architecture", "")) or "",
            base_model=meta.get("modelspec.base_model", ""),
            base_model_sha256=base_hash.removeprefix("sha256:"),
            training_set_sha256=meta.get("studio.training_set_sha256", ""),
            author=meta.get("modelspec.author"),
            description=meta.get("modelspec.description"),
            date=meta.get("modelspec.date"),
            training_works=training_works,
            training_set_work=meta.get("studio.training_set_work"),
            base_model_work=meta.get("studio.base_model_work"),
        )
