"""Local image generation: one `GenerationRequest` in, one `GenerationResult` out.

Importing this package does not import torch; `DiffusersGenerator` imports it on its first run.
"""

from __future__ import annotations

from studio.generate.builtin import BUILTIN_DESCRIPTION, BUILTIN_ID, builtin_model_ref, ensure_builtin_model
from studio.generate.diffusers_backend import DiffusersGenerator
from studio.generate.hub import RECOMMENDED, HubUnavailable, fetch_recommended
from studio.generate.models import ModelInfo, inspect_model
from studio.generate.request import (
    Cancelled,
    GenerationRequest,
    GenerationResult,
    Generator,
    LoraRef,
    ModelRef,
    Progress,
    snap_size,
)

__all__ = [
    "BUILTIN_DESCRIPTION",
    "BUILTIN_ID",
    "RECOMMENDED",
    "Cancelled",
    "DiffusersGenerator",
    "GenerationRequest",
    "GenerationResult",
    "Generator",
    "HubUnavailable",
    "LoraRef",
    "ModelInfo",
    "ModelRef",
    "Progress",
    "builtin_model_ref",
    "ensure_builtin_model",
    "fetch_recommended",
    "inspect_model",
    "snap_size",
]
