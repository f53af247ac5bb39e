"""The terms a new image made with a model that is on Story is offered, and what the creator's choice means.

A model published as a derivative of its training set's group carries the group's terms on Story, and an image
links to it only under those same terms (Story's reciprocal licenses); under other terms the image is published
crediting the model, not linked to it, and nothing it earns reaches the data's creators. So a new root image made
with such a model takes the model's terms unless the creator chooses others, and the CLI and the window say what
the choice means before any compute: the share of the image's revenue the data's group receives, as the royalty
engine computes it from the royalty links the chain holds (the publications' predictions in the journal)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from studio.core.types import Work, WorkKind
from studio.errors import StudioError
from studio.licensing import LicenseCatalog, WorkTerms, effective_pil
from studio.licensing.catalog import royalty_percent
from studio.licensing.wording import describe, percent
from studio.royalty import royalty_split
from studio.store.works import WorkRepository
from studio.story.journal import Journal
from studio.story.prediction import Prediction
from studio.story.terms import story_terms

NEW_IMAGE = "(the new image)"  # the image about to be made, in the royalty engine's graph
TERM_FIELDS = ("license_id", "rev_share", "royalty_policy")
MODEL_KINDS = (WorkKind.model, WorkKind.lora)


@dataclass(frozen=True)
class ModelOffer:
    """A model on the library's network: the terms it carries there, and who an image linked to it pays."""

    model: Work
    network: str
    terms: WorkTerms
    payee: Work  # where the image's revenue ends up through the model: its training set, else the model itself
    payee_units: int  # the payee's share of the image's revenue (Story units), from the royalty engine

    @property
    def policy(self) -> str | None:
        return effective_pil(self.terms).royalty_policy

    def request_terms(self) -> dict[str, Any]:
        """The model's terms as a new work asks for them (`license_id`, `rev_share`, `minting_fee`,
        `royalty_policy`), each only where the license takes it."""
        lic, pil = self.terms.license, effective_pil(self.terms)
        return {
            "license_id": lic.id,
            "rev_share": pil.commercial_rev_share if "rev_share" in lic.parameters else None,
            "minting_fee": pil.default_minting_fee if "minting_fee" in lic.parameters else None,
            "royalty_policy": pil.royalty_policy if lic.pil.royalty_policy is not None else None,
        }

    def payee_name(self) -> str:
        if self.payee.kind is WorkKind.collection:
            who = (self.payee.creator or "").strip()
            if who:
                return f"the {who}{'’' if who.endswith('s') else '’s'} group"
            return f"the group of “{self.payee.title}”"
        return f"“{self.payee.title}”"


@dataclass(frozen=True)
class ModelLink:
    """What the new image's terms mean for the model it is made with: linked to it on Story, or only credited."""

    offer: ModelOffer
    linked: bool
    terms: WorkTerms  # the image's terms
    offered: bool  # the model's terms were filled in for what the creator left unset

    @property
    def text(self) -> str:
        offer = self.offer
        model = f"“{offer.model.title}”"
        on_story = f"{describe(offer.terms)}, as {model} has on {offer.network}"
        if not self.linked:
            return (f"published crediting the model, not linked to it: its data's creators are not paid ({model} "
                    f"is on {offer.network} under {describe(offer.terms)}; this image's terms are "
                    f"{describe(self.terms)})")
        took = "it takes the terms" if self.offered else "it carries the terms"
        if offer.policy is None or not offer.payee_units:
            return f"this image links to {model} on {offer.network}: {took} {on_story}, which pay no royalties"
        return (f"this image will pay {offer.payee_name()} {percent(offer.payee_units)} of its revenue: {took} "
                f"{on_story}, so it links to the model")

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.offer.model.id, "network": self.offer.network, "linked": self.linked,
            "offered": self.offered, "payee": self.offer.payee.id,
            "payee_percent": float(self.offer.payee_units) / 1_000_000 if self.linked else 0.0, "text": self.text,
        }


class ModelTerms:
    """Reads which models are on the library's current network (from the journal: no network is asked)."""

    def __init__(self, works: WorkRepository, journal: Journal, catalog: LicenseCatalog,
                 network: Callable[[], str]) -> None:
        self.works = works
        self.catalog = catalog
        self.journal = journal
        self.network = network

    def offer(self, model_id: str) -> ModelOffer | None:
        """The model's terms on the current network and who an image linked to it pays; None when the model is
        not on it (or its terms there are none the catalogue knows)."""
        model = self.works.get(model_id)
        if model.kind not in MODEL_KINDS:
            return None
        net = self.network()
        try:
            terms = story_terms(self.journal.confirmed(model.id, net), self.catalog)
        except StudioError:
            return None
        if terms is None:
            return None
        policy = effective_pil(terms).royalty_policy
        payee, units = model, 0
        if policy is not None:
            links = self._chain_links(model.id, net)
            links[NEW_IMAGE] = [(model.id, royalty_percent(terms))]
            split = royalty_split(NEW_IMAGE, links, policy)
            groups = [a for a in split.ancestors if self._kind(a.id) is WorkKind.collection]
            chosen = groups[0] if groups else next((a for a in split.ancestors if a.id == model.id), None)
            if chosen is not None:
                payee, units = self.works.get(chosen.id), chosen.royalty
        return ModelOffer(model, net, terms, payee, units)

    def fill(self, offer: ModelOffer, asked: dict[str, Any]) -> dict[str, Any] | None:
        """The terms to ask for: the model's, for whatever the creator left unset, when what they did set agrees
        with the model's terms; None when the creator chose other terms."""
        offered = offer.request_terms()
        chosen = dict(asked)
        if chosen.get("license_id") is not None:
            chosen["license_id"] = self.catalog.get(chosen["license_id"]).id
        if any(chosen.get(k) is not None and chosen[k] != offered[k] for k in TERM_FIELDS):
            return None
        return {**offered, **{k: v for k, v in chosen.items() if v is not None}}

    @staticmethod
    def link(offers: list[ModelOffer], terms: WorkTerms, *, offered: bool) -> ModelLink:
        """The image under `terms` links to the models on Story only if it carries the terms of every one."""
        linked = terms.license.is_pil and all(terms.same_terms(o.terms) for o in offers)
        return ModelLink(offers[0], linked, terms, offered)

    def _chain_links(self, work_id: str, net: str) -> dict[str, list[tuple[str, int]]]:
        """The royalty links above a work as its publications were predicted (Story freezes each link's percent
        when it is made)."""
        links: dict[str, list[tuple[str, int]]] = {}
        queue, seen = deque([work_id]), {work_id}
        while queue:
            node = queue.popleft()
            pub = self.journal.confirmed(node, net)
            prediction = Prediction.of(pub) if pub is not None else None
            if prediction is None or not prediction.parents:
                continue
            links[node] = [(p.work_id, p.royalty_percent) for p in prediction.parents]
            for parent in prediction.parents:
                if parent.work_id not in seen:
                    seen.add(parent.work_id)
                    queue.append(parent.work_id)
        return links

    def _kind(self, work_id: str) -> WorkKind | None:
        works = self.works.get_many([work_id])
        return works[work_id].kind if work_id in works else None

