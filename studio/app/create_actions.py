"""Which of Generate / Remix / Inpaint / Blend the create panel may offer now, and why not.

The license answer comes from the license engine through `Studio.plan_derivative`, with the selected parents
and the chosen model and LoRAs as the new work's parents; this module only decides which parents each action
needs and turns a refusal into the text the panel shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.app.action_state import INPAINT_NEEDS_MASK, NO_PROMPT, ActionState
from studio.core.modes import Mode
from studio.core.types import Relation, Work, WorkKind
from studio.errors import StudioError
from studio.generate.request import DEFAULT_STRENGTH
from studio.licensing import DerivativePlan
from studio.licensing.model_terms import model_terms_notes
from studio.services import Studio
from studio.services.generation import CreateRequest

# What the create panel shows of the models' defaults, re-exported for it.
from studio.services.generation import default_steps as default_steps
from studio.services.models import default_builtin_name as default_builtin_name
from studio.services.models import suggested_prompts as suggested_prompts

ROYALTY_POLICIES = (("lap", "LAP (absolute)"), ("lrp", "LRP (relative)"))


def refusal_text(plan: DerivativePlan) -> str:
    """The blocking reasons of a plan as one text (each message once), as the user reads it."""
    seen: list[str] = []
    for r in plan.reasons:
        if r.blocks and r.scope in ("make", "commercial") and r.message not in seen:
            seen.append(r.message)
    return " ".join(seen) or "The parents' licenses do not allow it."


def action_states(
    studio: Studio,
    parents: Sequence[Work],
    tools: Sequence[str] = (),
    *,
    has_mask: bool = False,
    commercial: bool = False,
    has_prompt: bool = True,
) -> dict[Mode, ActionState]:
    """The state of each action for the selected `parents` and the chosen model and LoRA work ids (`tools`);
    without a prompt nothing runs (the model would draw from nothing the user said)."""
    images = [w for w in parents if w.kind is WorkKind.image]
    states: dict[Mode, ActionState] = {}
    for mode in Mode:
        need = _parents_needed(mode, images, has_mask)
        if need:
            states[mode] = ActionState(mode, False, need)
            continue
        ids = [w.id for w in images] if mode.takes_parents else []
        ids += [t for t in tools if t not in ids]
        if not ids:
            states[mode] = ActionState(mode, has_prompt, "" if has_prompt else NO_PROMPT)
            continue
        try:
            plan = studio.plan_derivative(ids, mode.relation or Relation.remix_of, commercial=commercial)
        except StudioError as exc:
            states[mode] = ActionState(mode, False, str(exc))
            continue
        if plan.allowed:
            # A license refusal is told first, so nobody writes a prompt for something that may not be made.
            states[mode] = ActionState(mode, has_prompt, "" if has_prompt else NO_PROMPT,
                                       license_note=" ".join(model_terms_notes(plan.reasons)))
        else:
            states[mode] = ActionState(mode, False, refusal_text(plan), license_refusal=True)
    return states


def _parents_needed(mode: Mode, images: Sequence[Work], has_mask: bool) -> str:
    count = len(images)
    if mode is Mode.inpaint and count == 1 and not has_mask:
        return INPAINT_NEEDS_MASK
    if not mode.takes_parents or mode.fits(count):
        return ""
    if mode is Mode.img2img:
        return "Select one image to remix." if count == 0 else "Remix takes one image; select just one (or Blend)."
    if mode is Mode.inpaint:
        return "Select one image, then paint the area to repaint on it."
    if count < mode.min_parents:
        return "Select two or more images to blend."
    return f"Blend takes at most {mode.max_parents} images."


def steps_note(mode: Mode, steps: int, strength: float | None) -> str:
    """How many denoising steps really run: a remix or inpaint runs only `steps × strength` of them (as
    diffusers' image-to-image pipelines do)."""
    if not mode.takes_parents:
        return f"{steps} steps run"
    used = strength or DEFAULT_STRENGTH[mode]
    return f"{steps} steps × strength {used:g} → {min(int(steps * used), steps)} run"


def steps_notes(parent_mode: Mode, steps: int, strength: float | None) -> str:
    """The steps note of every action the selection offers: Generate ignores the selected images and runs all
    its steps, so the strength arithmetic is told only for the action that starts from them."""
    if not parent_mode.takes_parents:
        return steps_note(parent_mode, steps, strength)
    return (f"{Mode.txt2img.label}: {steps_note(Mode.txt2img, steps, strength)} · "
            f"{parent_mode.label}: {steps_note(parent_mode, steps, strength)}")


def waiting_hints(states: dict[Mode, ActionState], current: Mode | None = None) -> str:
    """What Generate, Inpaint and the action the selection calls for wait for (a prompt, a selection, a mask),
    in one short line, so those greyed-out buttons are never left unexplained; Remix and Blend say theirs in
    their tooltips, and license refusals are told elsewhere, in full."""
    shown = (Mode.txt2img, Mode.inpaint, current)
    waiting: dict[str, list[str]] = {}  # one short reason -> the actions waiting for it
    for mode, state in states.items():
        if mode in shown and not state.enabled and not state.license_refusal and state.reason:
            waiting.setdefault(_SHORT_REASONS.get(state.reason, state.reason), []).append(mode.label)
    return " · ".join(f"{', '.join(labels)}: {reason}" for reason, labels in waiting.items())


_SHORT_REASONS = {NO_PROMPT: "write a prompt first", INPAINT_NEEDS_MASK: "paint the area to repaint first"}


@dataclass(frozen=True)
class TermsChoice:
    """What the panel's royalty-policy choice means for a new image: what "Default" stands for now, and what the
    terms mean for a model that is on Story (empty where it is not, or where parents' terms decide)."""

    default_label: str
    note: str = ""
    linked: bool | None = None


def terms_choice(studio: Studio, tools: Sequence[str], *, royalty_policy: str | None = None,
                 commercial: bool = False, has_parents: bool = False) -> TermsChoice:
    """The default the policy choice stands for and, for Generate with a model on Story (`tools`: the work ids of
    the chosen model and LoRAs), what the chosen terms mean for the model's data (the generation service's
    answer, the same the CLI prints)."""
    request = CreateRequest(Mode.txt2img, "", royalty_policy=royalty_policy, commercial=commercial)
    link = studio.generation.model_link(request, tools)
    if has_parents:  # a remix carries its parents' terms where they are PIL; Generate still makes a root
        note = f"Generate: {link.text}" if link is not None else ""
        return TermsChoice("Default (the parents' terms, else LAP)", note, link.linked if link else None)
    if link is None:
        return TermsChoice("Default (LAP)")
    policy = (link.offer.policy or "no royalties").upper()
    return TermsChoice(f"The model's terms ({policy})", link.text, link.linked)
