"""The studio's scheduler ids as KSampler's (sampler_name, scheduler) pairs."""

from __future__ import annotations

from studio.generate.comfyui.errors import ComfyUIError
from studio.metadata.samplers import SAMPLERS

# A request that names no scheduler runs Euler on the normal schedule, the usual ComfyUI default.
DEFAULT_SCHEDULER = "euler"
_BY_ID = {s.id: s for s in SAMPLERS}


def ksampler_names(scheduler_id: str | None) -> tuple[str, str, str]:
    """(studio id actually used, sampler_name, scheduler) for KSampler."""
    used = scheduler_id or DEFAULT_SCHEDULER
    sampler = _BY_ID.get(used)
    if sampler is None or sampler.comfy_sampler is None:
        usable = ", ".join(s.id for s in SAMPLERS if s.comfy_sampler)
        raise ComfyUIError(f"the scheduler {used!r} has no ComfyUI KSampler equivalent", hint=f"use one of {usable}")
    return used, sampler.comfy_sampler, sampler.comfy_scheduler
