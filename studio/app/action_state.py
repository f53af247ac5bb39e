"""Whether one of Generate / Remix / Inpaint / Blend may run now, and the line that says why not: what the create
panel and the window's Create menu both show (decided in `studio.app.create_actions`)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.core.modes import Mode

NO_PROMPT = "Describe the image in the prompt first."
INPAINT_NEEDS_MASK = "Paint the area to repaint on the image first."


@dataclass(frozen=True)
class ActionState:
    mode: Mode
    enabled: bool
    reason: str = ""
    license_refusal: bool = False
    license_note: str = ""  # what the model's license says of outputs and its conditions, said before it runs
