"""What the license engine decides about putting training sets and models on Story (pure: values in, values out).

A training set goes on Story as a group IP whose reward pool pays its members evenly. Its terms are what every
member allows: PIL Commercial Remix under LRP (a group's pool is paid through a royalty policy), at the rev share
the publisher chooses. A model trained on the set is a derivative of that group and so carries the group's
reciprocal terms on Story; Story makes a group the sole parent of its derivatives, so a LoRA's base model is
named in its metadata (FINETUNED_FROM) rather than linked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from studio.core.types import Relation, percent_to_units
from studio.licensing.catalog import LicenseCatalog, WorkTerms, effective_pil, royalty_percent
from studio.licensing.codes import Reason, reason
from studio.licensing.publishing import ParentPlan
from studio.licensing.wording import describe
from studio.licensing.works import LicensedWork

GROUP_LICENSE_ID = "pil-commercial-remix"
GROUP_POLICY = "lrp"
DEFAULT_GROUP_REV_SHARE = percent_to_units(10)


@dataclass(frozen=True)
class TrainingSetJudgement:
    terms: WorkTerms | None
    reasons: tuple[Reason, ...]

    @property
    def refusals(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocks)


@dataclass(frozen=True)
class ModelJudgement:
    """A model's Story registration: its terms (its group's), the group as its parent, what is only credited."""

    terms: WorkTerms | None
    parents: tuple[ParentPlan, ...]
    credited: tuple[tuple[str, Relation], ...]
    reasons: tuple[Reason, ...]

    @property
    def refusals(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocks)


def judge_training_set(collection: LicensedWork, parts: Sequence[LicensedWork], catalog: LicenseCatalog, *,
                       license_id: str | None = None, rev_share: int | None = None) -> TrainingSetJudgement:
    """The terms the training set offers as a Story group, or why it cannot be offered."""
    reasons: list[Reason] = []
    for part in parts:
        pil = part.license.pil
        missing = [what for what, ok in (("commercial use", pil.commercial_use),
                                         ("adaptations", pil.derivatives_allowed)) if not ok]
        if missing:
            reasons.append(reason("group_member_forbids", collection.id, title=collection.title,
                                  count=part.title, license=part.license.name, what=" or ".join(missing)))
    license_ = catalog.get(license_id or GROUP_LICENSE_ID)
    if not license_.is_pil or not license_.pil.royalty_policy or not license_.pil.commercial_use:
        reasons.append(reason("group_needs_commercial_terms", collection.id, license=license_.name))
        return TrainingSetJudgement(None, tuple(reasons))
    terms = WorkTerms(
        license_,
        rev_share=(DEFAULT_GROUP_REV_SHARE if rev_share is None else rev_share)
        if "rev_share" in license_.parameters else None,
        royalty_policy=GROUP_POLICY,
    )
    licenses = ", ".join(sorted({p.license.name for p in parts})) or "no members yet"
    reasons.append(reason("group_terms_from_members", collection.id, title=collection.title,
                          terms=describe(terms), licenses=licenses))
    return TrainingSetJudgement(None if any(r.blocks for r in reasons) else terms, tuple(reasons))


def judge_model_on_story(model: LicensedWork, *, collection: LicensedWork | None, group_terms: WorkTerms | None,
                         base: LicensedWork | None, network: str) -> ModelJudgement:
    """A model or LoRA on Story: a derivative of its training set's group (which must be there already), under
    the group's terms; its base model credited."""
    reasons: list[Reason] = []
    credited: list[tuple[str, Relation]] = []
    if base is not None:
        credited.append((base.id, Relation.finetuned_from))
        if base.on_chain:
            reasons.append(reason("model_base_not_linked", model.id, base=base.title))
    if collection is None:
        reasons.append(reason("model_training_set_not_on_chain", model.id, title="its training set",
                              network=network, ref="COLLECTION"))
        return ModelJudgement(None, (), tuple(credited), tuple(reasons))
    if group_terms is None:
        reasons.append(reason("model_training_set_not_on_chain", model.id, title=collection.title,
                              network=network, ref=collection.id))
        return ModelJudgement(None, (), tuple(credited), tuple(reasons))
    pil = effective_pil(group_terms)
    parent = ParentPlan(collection.id, collection.title, Relation.trained_on, pil, royalty_percent(group_terms),
                        pil.default_minting_fee)
    reasons.append(reason("model_terms_from_group", model.id, title=model.title, terms=describe(group_terms),
                          license=model.license.name))
    return ModelJudgement(group_terms, (parent,), tuple(credited), tuple(reasons))
