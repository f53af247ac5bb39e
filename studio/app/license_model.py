"""What the License & royalty tab reads for one work: its verdict, its registrations on Story, its license and
where that license came from, the models it was made with, and its royalty split (as on the library's network
once it is published there, else the library's what-if under the chosen policy)."""

from __future__ import annotations

from dataclasses import dataclass

from studio.app.session import StudioSession
from studio.core.types import Relation, Work, units_to_percent
from studio.licensing import License, LicenseCatalog, Verdict, effective_pil
from studio.licensing.works import VerdictLine
from studio.report.registrations import Registration, registrations_of
from studio.royalty import RoyaltySplit
from studio.services.new_work_defaults import LICENSE_SOURCE_KEY, license_source_text

__all__ = [
    "License", "LicenseCatalog", "LicenseModel", "Registration", "RoyaltySplit", "Tool", "Verdict", "VerdictLine",
]

TOOL_RELATIONS = {Relation.generated_with: "Made with", Relation.styled_with: "styled with"}


@dataclass(frozen=True)
class Tool:
    """A model or LoRA a work was made with, as its details link to it."""

    label: str  # "Made with", "styled with"
    work_id: str
    title: str


class LicenseModel:
    def __init__(self, session: StudioSession) -> None:
        self.session = session

    def verdict(self, work_id: str) -> Verdict:
        return self.session.studio.license_check(work_id)

    def registrations(self, work_id: str) -> list[Registration]:
        return registrations_of(self.session.studio.library.publications, work_id)

    def license(self, license_id: str):
        return self.session.studio.catalog.get(license_id)

    @staticmethod
    def inherited_rev_share(verdict: Verdict) -> float | None:
        """The percent rev share remixes inherit, when the inherited license is commercial."""
        terms = verdict.inherited_license
        if terms is None:
            return None
        pil = effective_pil(terms)
        return units_to_percent(pil.commercial_rev_share) if pil.commercial_use else None

    @staticmethod
    def license_source(work: Work) -> str:
        """Where a made work's licence came from (recorded when it was made), or ''."""
        source = work.recipe.extra.get(LICENSE_SOURCE_KEY) if work.recipe is not None else None
        return license_source_text(source if isinstance(source, str) else None) or ""

    def tools(self, work: Work) -> list[Tool]:
        studio = self.session.studio
        edges = [e for e in studio.parents(work.id) if e.relation in TOOL_RELATIONS]
        if not edges:
            return []
        found = studio.library.works.get_many([e.parent_id for e in edges])
        return [Tool(TOOL_RELATIONS[e.relation], found[e.parent_id].id, found[e.parent_id].title)
                for e in edges if e.parent_id in found]

    def titles(self, ids: list[str]) -> dict[str, str]:
        return {i: w.title for i, w in self.session.studio.library.works.get_many(ids).items()}

    def network(self) -> str:
        return self.session.studio.publish_setup.default_network()

    def is_published(self, work_id: str) -> bool:
        return work_id in self.session.published_ids()

    def split(self, work_id: str, policy: str) -> RoyaltySplit:
        """A work published on the library's network: its split as there (a model it links to, and that model's
        training set, take their shares; the policy its terms carry there); otherwise the library's view under
        `policy`."""
        studio = self.session.studio
        if not self.is_published(work_id):
            return studio.royalty(work_id, policy)
        return studio.publish_planner.royalty_on(work_id, studio.publish_setup.default_network())
