"""A model and its training set as the journal records them once published on a network, for tests of what the
library does with a model that is on Story without sending anything (the devnet tests send the real thing)."""

from __future__ import annotations

import uuid

from studio.core.types import Relation, Work, percent_to_units
from studio.licensing import WorkTerms, effective_pil
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services import Studio
from studio.story.journal import Journal
from studio.story.prediction import PredictedParent, Prediction

WALLET = "0x" + "ab" * 20


def group_terms(studio: Studio, rev_share: float = 10, policy: str = "lrp") -> WorkTerms:
    return WorkTerms(studio.catalog.get("pil-commercial-remix"), rev_share=percent_to_units(rev_share),
                     royalty_policy=policy)


def _confirmed(journal: Journal, work_id: str, network: str, terms: WorkTerms, nonce: int, *, kind: str = "ip",
               parents: tuple[PredictedParent, ...] = ()) -> str:
    pil = effective_pil(terms)
    prediction = Prediction(
        work_id=work_id, network=network, wallet=WALLET, license_id=terms.license.id, license_name=terms.license.name,
        terms={k: (v.hex() if isinstance(v, bytes) else v) for k, v in pil.story_fields().items()},
        royalty_percent=pil.commercial_rev_share, policy=pil.royalty_policy, parents=parents, kind=kind,
        royalty_stack=sum(p.royalty_percent for p in parents),
    )
    ip_id = "0x" + uuid.uuid4().hex[:40].ljust(40, "0")
    pub = journal.draft(work_id, network, 1315, WALLET, prediction)
    journal.mark_sent(pub.id, "0x" + uuid.uuid4().hex * 2, nonce, "0x00")
    journal.confirm(pub.id, ip_id, 1, WALLET, (1,))
    journal.set_readback(pub.id, {"agrees": True, "differences": []})  # settled: nothing to reconcile on opening
    return ip_id


def model_on_story(studio: Studio, model: Work, *, creator: str = "OpenMoji contributors", network: str = "devnet",
                   rev_share: float = 10, policy: str = "lrp") -> Work:
    """`model` trained on a new training set by `creator`; the set recorded as a group on `network` and the model
    as its derivative under the group's terms. Returns the training set."""
    collection = studio.collections.create("Emoji set", creator=creator)
    with studio.library.db.atomic():
        LineageGraph(studio.library.edges).add_parents(model.id, [ParentLink(collection.id, Relation.trained_on)])
    terms = group_terms(studio, rev_share, policy)
    journal = Journal(studio.library.publications)
    group_ip = _confirmed(journal, collection.id, network, terms, 0, kind="group")
    units = percent_to_units(rev_share)
    _confirmed(journal, model.id, network, terms, 1, parents=(PredictedParent(collection.id, group_ip, 1, units, 0),))
    return collection
