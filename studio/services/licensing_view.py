"""The license and royalty engines applied to works in the library.

The engines are pure; this module loads the ancestry they need from the database and turns stored works into
the engine's values.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import replace
from typing import Protocol

from studio.core.types import Origin, Relation, Work, WorkKind
from studio.errors import InvalidInput, LicenseRefused
from studio.licensing import (
    DerivativePlan,
    LicenseCatalog,
    LicensedWork,
    Reason,
    TrainingSignal,
    TrainingVerdict,
    Verdict,
    WorkTerms,
    audit_recorded_derivative,
    check_work,
    default_catalog,
    effective_pil,
    plan_derivative,
    royalty_links,
    training_verdict,
)
from studio.licensing.model_terms import lineage_conditions
from studio.licensing.training import signals_with_choice
from studio.lineage.graph import LineageGraph
from studio.royalty import RoyaltySplit, royalty_split
from studio.services.training_data import data_nodes
from studio.store.license_confirmations import LicenseConfirmations
from studio.store.members import MemberRecords
from studio.store.training_permissions import TrainingPermission, TrainingPermissions
from studio.store.works import WorkRepository

# Reasons that mean the user asked for terms that cannot be: bad input, refused before anything is written.
REQUEST_ERRORS = frozenset(
    {
        "license_must_be_inherited",
        "license_must_be_share_alike",
        "rev_share_below_inherited",
        "rev_share_needs_commercial_terms",
        "parameter_not_applicable",
        "inherited_terms_fixed",
    }
)


class LicenseViewFactory(Protocol):
    """Makes the license view of one network: the works confirmed there (and those in `planned`, a set the caller
    may still add to) count as on chain; with no network, no work does."""

    def __call__(self, network: str | None = None, *, planned: Set[str] = frozenset()) -> LicenseView: ...


def terms_of(work: Work, catalog: LicenseCatalog) -> WorkTerms:
    return WorkTerms.of(catalog, work.terms)


def now() -> int:
    return int(time.time())


class LicenseView:
    """Answers license and royalty questions about works of one library, knowing which works are on chain
    through `on_chain` (nothing is, without it)."""

    def __init__(
        self,
        *,
        works: WorkRepository,
        training: TrainingPermissions,
        confirmations: LicenseConfirmations,
        members: MemberRecords,
        graph: LineageGraph,
        catalog: LicenseCatalog | None = None,
        on_chain: Callable[[Iterable[str]], set[str]] | None = None,
    ) -> None:
        self.works = works
        self.training = training
        self.confirmations = confirmations
        self.members = members
        self.graph = graph
        self.catalog = catalog or default_catalog()
        self._on_chain = on_chain or (lambda work_ids: set())

    def ancestry(self, work_ids: Iterable[str]) -> dict[str, LicensedWork]:
        """Every given work and all their ancestors, as the engine sees them."""
        ids: set[str] = set()
        edges = []
        for work_id in work_ids:
            ids.add(work_id)
            for edge in self.graph.ancestor_edges(work_id):
                edges.append(edge)
                ids.update((edge.child_id, edge.parent_id))
        parents: dict[str, list[tuple[str, Relation]]] = {}
        for edge in sorted(set(edges), key=lambda e: (e.child_id, e.position, e.parent_id)):
            parents.setdefault(edge.child_id, []).append((edge.parent_id, edge.relation))
        works = self.works.get_many(ids)
        chain = self._on_chain(works)
        training = self.training.of_works(works)
        confirmed = self.confirmations.of_works(works)
        found = {
            work_id: self.licensed(
                work, parents.get(work_id, ()), on_chain=work_id in chain, training=training.get(work_id),
                confirmed=confirmed.get(work_id, frozenset()),
            )
            for work_id, work in works.items()
        }
        # Training sets: their members' licenses, grouped, as parts of each collection (see training_data).
        found.update(data_nodes(works, self.members, self.catalog,
                                lambda work, parts: replace(found[work.id], parents=found[work.id].parents + parts)))
        return found

    def licensed(
        self,
        work: Work,
        parents: Sequence[tuple[str, Relation]] = (),
        *,
        on_chain: bool | None = None,
        training: TrainingPermission | None = None,
        confirmed: frozenset[str] | None = None,
    ) -> LicensedWork:
        if training is None:
            training = self.training.get(work.id)
        if confirmed is None:
            confirmed = self.confirmations.of_works([work.id]).get(work.id, frozenset())
        title = work.title
        if work.format == "comfyui":  # a model file on a ComfyUI server, registered by name: say so in verdicts
            title = f"{title} (a ComfyUI server's file, by name, unverified)"
        return LicensedWork(
            id=work.id,
            title=title,
            creator=work.creator,
            kind=work.kind,
            terms=terms_of(work, self.catalog),
            parents=tuple(parents),
            on_chain=bool(self._on_chain([work.id])) if on_chain is None else on_chain,
            flags=tuple(Reason.from_dict(flag) for flag in work.flags),
            # The user made it (generated, or recorded as theirs); imported works and the models and training
            # sets that ship with the studio belong to others.
            owned=work.origin is Origin.generated,
            training=training_signals(training),
            confirmed=confirmed,
        )

    def may_train(self, work_id: str) -> TrainingVerdict:
        """May the user train a model on the work: the verdict with its codes and reasons (license, the owner's
        choice, and what the work's file stated on import). Training code asks this for every selected work
        before any compute and leaves out (or lists) those whose verdict is not `allowed`."""
        return self.may_train_many([work_id])[work_id]

    def may_train_many(self, work_ids: Iterable[str]) -> dict[str, TrainingVerdict]:
        """`may_train` for many works at once (a training set), each with its lineage: a model up it may forbid
        training on what it made (FLUX.1 [dev] outputs and their remixes)."""
        ids = list(dict.fromkeys(work_ids))
        works = self.works.get_many(ids)
        missing = [i for i in ids if i not in works]
        if missing:
            raise InvalidInput(f"no work {missing[0]!r} in this library", hint="check the id with `studio list`")
        lineage = self.ancestry(ids)
        return {i: training_verdict(lineage[i], works=lineage) for i in ids}

    def confirm_condition(self, work: Work, condition: str, *, withdraw: bool = False) -> Verdict:
        """Record (or withdraw) the creator's confirmation of a license condition for the work, and the verdict
        it leads to. Only a condition that a license of the work's lineage sets may be confirmed."""
        known = self.catalog.conditions()
        if condition not in known:
            names = ", ".join(sorted(known)) or "none"
            raise InvalidInput(f"unknown license condition {condition!r}", hint=f"known conditions: {names}")
        if work.kind is WorkKind.collection:
            raise InvalidInput(f"“{work.title}” is a collection: confirm conditions on each of its works")
        lineage = self.ancestry([work.id])
        if not withdraw and condition not in lineage_conditions(work.id, lineage):
            _, lic = known[condition]
            raise InvalidInput(
                f"“{work.title}” has no condition {condition!r}: no license in its lineage sets it "
                f"(it comes from {lic.name})",
                hint=f"run `studio license check {work.id}` to see what its licenses ask",
            )
        if withdraw:
            self.confirmations.withdraw(work.id, condition)
        else:
            self.confirmations.confirm(work.id, condition)
        return self.check(work)

    def set_training_choice(self, work: Work, choice: str | None) -> TrainingVerdict:
        """Record the owner's choice for the work: "deny" (do not train), "allow", or None to clear it.

        Anyone may mark a work "do not train"; only its maker may allow training that its license does not.
        """
        if choice is not None and work.kind is WorkKind.collection:
            # Training on a collection trains on its members, and each member's own permission decides.
            raise InvalidInput(
                f"“{work.title}” is a collection: training permission is set on each of its works, not on the set",
                hint=f"run `studio collection show {work.id}` and `studio train-permission ID {choice}` per work",
            )
        if choice == "allow" and work.origin is Origin.imported:
            raise InvalidInput(
                f"“{work.title}” was imported: only its owner can allow training on it beyond its license",
                hint="mark it deny, or clear the choice to follow its license and file",
            )
        self.training.set_choice(work.id, choice)
        return self.may_train(work.id)

    def check(self, work: Work) -> Verdict:
        return check_work(work.id, self.ancestry([work.id]), now=now(), catalog=self.catalog)

    def plan(
        self,
        parents: Sequence[tuple[str, Relation]],
        *,
        commercial: bool = False,
        license_id: str | None = None,
        rev_share: int | None = None,
        minting_fee: int | None = None,
        royalty_policy: str | None = None,
        confirmed: Sequence[str] = (),
    ) -> DerivativePlan:
        works = self.ancestry(pid for pid, _ in parents)
        return plan_derivative(
            list(parents),
            works,
            commercial=commercial,
            license_id=license_id,
            rev_share=rev_share,
            minting_fee=minting_fee,
            royalty_policy=royalty_policy,
            now=now(),
            catalog=self.catalog,
            confirmed=confirmed,
        )

    def audit(self, work_id: str) -> list[Reason]:
        """Violations of its parents' terms by an existing work (stored as its flags)."""
        return audit_recorded_derivative(work_id, self.ancestry([work_id]), now=now(), catalog=self.catalog)

    def royalty(self, work: Work, policy: str | None = None) -> RoyaltySplit:
        works = self.ancestry([work.id])
        links = royalty_links(work.id, works)
        chosen = policy or _policy_of(work, works) or "lap"
        return royalty_split(work.id, links, chosen)


def _policy_of(work: Work, works: dict[str, LicensedWork]) -> str | None:
    """The policy the work's own chain uses: its terms' policy (reciprocal chains share one)."""
    return effective_pil(works[work.id].terms).royalty_policy


def training_signals(permission: TrainingPermission | None) -> tuple[TrainingSignal, ...]:
    """The owner's choice and the file's stored signals as the engine reads them."""
    return () if permission is None else signals_with_choice(permission.choice, permission.signals)


def raise_request_errors(plan: DerivativePlan) -> None:
    """Turn the reasons that mean 'these terms cannot be asked for' into one clear input error."""
    bad = [r for r in plan.reasons if r.code in REQUEST_ERRORS and r.blocks]
    if bad:
        raise InvalidInput(bad[0].message)


def refuse_unless_allowed(plan: DerivativePlan, what: str) -> None:
    """For work the studio itself makes (generation): refuse with every blocking reason."""
    if not plan.allowed:
        blocking = [r for r in plan.reasons if r.blocks and r.scope in ("make", "commercial")]
        summary = "; ".join(r.message for r in blocking) or "the parents' licenses do not allow it"
        raise LicenseRefused(f"{what} refused: {summary}", reasons=blocking)
