"""What a model's license says about the images made with it, apart from the model itself, and the conditions a
creator must confirm for a use.

A model license may set different terms for the model and for its outputs (FLUX.1 [dev]: the model is
non-commercial, its outputs may be sold but not used to train a competing model). An image that only *used* a
model (generated_with / styled_with, however far up its lineage) follows the license's `[outputs]` terms; a
fine-tune adapts the model and follows the model's own terms. A condition (the Stability AI Community License's
annual revenue under US$1M) is a fact only the creator knows: commercial use is "allowed only if" until they
confirm it for the work, and allowed on that condition afterwards.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from studio.licensing.ancestry import Works, get_work
from studio.licensing.codes import Reason, reason
from studio.licensing.license import Condition, License
from studio.licensing.works import LicensedWork

# What a model's license says before anything is made with it: told with the credits and duties.
NOTE_CODES = ("model_run_non_commercial", "model_outputs_terms", "condition_unconfirmed", "condition_confirmed")


def model_terms_notes(reasons: Iterable[Reason]) -> list[str]:
    """The model licenses' own words for a planned work (outputs, conditions), each once, in plain sentences."""
    notes: list[str] = []
    for r in reasons:
        if r.code in NOTE_CODES and r.message not in notes:
            notes.append(r.message)
    return notes


def commercial_allowed(lic: License, adapted: bool) -> bool:
    """Whether a work reaching `lic` may be used commercially: a model only used (not adapted) binds by its
    license's terms for outputs where it has them, anything else by the license's own terms."""
    if lic.outputs is not None and not adapted:
        return lic.outputs.commercial_use
    return lic.pil.commercial_use


def outputs_reason(model: LicensedWork) -> Reason | None:
    lic = model.license
    if lic.outputs is None:
        return None
    return reason("model_outputs_terms", model.id, title=model.title, license=lic.name, terms=lic.outputs.terms,
                  url=lic.legal_url)


def model_use_reasons(model: LicensedWork) -> list[Reason]:
    """For a model judged itself: its license allows no commercial use of the model though its outputs may be
    used commercially (the model's own commercial line says no, with the outputs' terms beside it)."""
    lic = model.license
    if model.owned or lic.outputs is None or lic.pil.commercial_use:
        return []
    return [reason("model_use_non_commercial", model.id, title=model.title, license=lic.name,
                   terms=lic.outputs.terms, url=lic.legal_url)]


def running_model_reason(model: LicensedWork) -> Reason | None:
    """Before generating with a model whose license allows running it non-commercially only."""
    lic = model.license
    if model.owned or lic.outputs is None or lic.pil.commercial_use or not lic.outputs.commercial_use:
        return None
    return reason("model_run_non_commercial", model.id, title=model.title, license=lic.name, url=lic.legal_url)


def condition_reasons(source: LicensedWork, confirmed: Collection[str], *, judging: bool) -> list[Reason]:
    """The conditions `source`'s license sets on commercial use: confirmed ones allow it on that condition; an
    unconfirmed one refuses commercial use of an existing work ("allowed only if") and warns before making one."""
    lic = source.license
    found = []
    for condition in lic.conditions:
        values = {"statement": condition.statement, "license": lic.name, "title": source.title,
                  "url": lic.legal_url, "condition": condition.id}
        if condition.id in confirmed:
            found.append(reason("condition_confirmed", source.id, **values))
        else:
            found.append(reason("condition_unconfirmed", source.id, severity="block" if judging else "warn",
                                **values))
    return found


def lineage_conditions(work_id: str, works: Works) -> dict[str, tuple[Condition, LicensedWork]]:
    """Every condition that the licenses of the work and its ancestors (others' works only) set, by id."""
    found: dict[str, tuple[Condition, LicensedWork]] = {}
    for node in _lineage(work_id, works):
        if node.owned:
            continue
        for condition in node.license.conditions:
            found.setdefault(condition.id, (condition, node))
    return found


def output_training_reasons(work: LicensedWork, works: Works) -> list[Reason]:
    """Refusals to train on `work` because a model up its lineage forbids training (competing) models on what it
    makes: FLUX.1 [dev] outputs, and every remix of them. One reason per license, citing the nearest model."""
    found: list[Reason] = []
    seen_licenses: set[str] = set()
    direct = set(work.parent_ids)
    for node in _lineage(work.id, works):
        lic = node.license
        if node.id == work.id or node.owned or lic.outputs is None or lic.outputs.training_allowed:
            continue
        if lic.id in seen_licenses:
            continue
        seen_licenses.add(lic.id)
        through = "" if node.id in direct else " (up its lineage: it remixes or uses works made with it)"
        found.append(reason("training_outputs_forbidden", work.id, title=work.title, model=node.title,
                            through=through, license=lic.name, training_terms=lic.outputs.training_terms,
                            url=lic.legal_url))
    return found


def _lineage(work_id: str, works: Works) -> list[LicensedWork]:
    """The work and its ancestors, nearest first (breadth first), each once."""
    start = get_work(works, work_id)
    order, seen = [start], {start.id}
    index = 0
    while index < len(order):
        for pid in order[index].parent_ids:
            if pid not in seen:
                seen.add(pid)
                order.append(get_work(works, pid))
        index += 1
    return order
