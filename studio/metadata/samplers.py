"""The studio's scheduler ids and the names other tools give the same samplers.

The id is what a recipe stores; the A1111 label and the ComfyUI (sampler_name, scheduler) pair are how those
tools write it in their PNGs, so recipes can travel both ways.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sampler:
    id: str
    a1111: str
    comfy_sampler: str | None
    comfy_scheduler: str = "normal"


SAMPLERS: tuple[Sampler, ...] = (
    Sampler("euler", "Euler", "euler"),
    Sampler("euler_ancestral", "Euler a", "euler_ancestral"),
    Sampler("heun", "Heun", "heun"),
    Sampler("ddim", "DDIM", "ddim", "ddim_uniform"),
    Sampler("pndm", "PLMS", None),
    Sampler("dpmpp_2m", "DPM++ 2M", "dpmpp_2m"),
    Sampler("dpmpp_2m_karras", "DPM++ 2M Karras", "dpmpp_2m", "karras"),
    Sampler("uni_pc", "UniPC", "uni_pc"),
    Sampler("lcm", "LCM", "lcm"),
)
SAMPLER_IDS: tuple[str, ...] = tuple(s.id for s in SAMPLERS)
_BY_ID = {s.id: s for s in SAMPLERS}


def a1111_label(sampler_id: str | None) -> str | None:
    """'euler_ancestral' -> 'Euler a'; an unknown id is written as it is."""
    if sampler_id is None:
        return None
    sampler = _BY_ID.get(sampler_id)
    return sampler.a1111 if sampler else sampler_id


def from_a1111(label: str, schedule_type: str | None = None) -> str:
    """'DPM++ 2M' with 'Karras' -> 'dpmpp_2m_karras'; a label the studio does not know is kept verbatim."""
    if schedule_type and schedule_type.lower() not in ("automatic", "uniform"):
        combined = f"{label} {schedule_type}".lower()
        for s in SAMPLERS:
            if s.a1111.lower() == combined:
                return s.id
    for s in SAMPLERS:
        if s.a1111.lower() == label.lower():
            return s.id
    return label


def from_comfy(sampler_name: str, scheduler: str | None = None) -> str:
    """ComfyUI's ('dpmpp_2m', 'karras') -> 'dpmpp_2m_karras'; unknown pairs are kept as 'sampler_name'."""
    matches = [s for s in SAMPLERS if s.comfy_sampler == sampler_name]
    for s in matches:
        if s.comfy_scheduler == scheduler:
            return s.id
    plain = [s for s in matches if s.comfy_scheduler in ("normal", "ddim_uniform")]
    return plain[0].id if plain else sampler_name


# InvokeAI's scheduler names that differ from the studio's ids.
_INVOKEAI = {"euler_a": "euler_ancestral", "dpmpp_2m_k": "dpmpp_2m_karras", "unipc": "uni_pc"}


def from_invokeai(name: str) -> str:
    """InvokeAI's 'euler_a' -> 'euler_ancestral'; names the studio does not know are kept verbatim."""
    return _INVOKEAI.get(name, name)
