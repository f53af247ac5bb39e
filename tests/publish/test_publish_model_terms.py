"""An image generated with a model that is on the devnet: `studio generate --royalty-policy lrp` with a published
LRP model takes the model's terms, says what that pays the data's group, plans as linked to the model, and its
read-back agrees; `--royalty-policy lap` says plainly before computing that the image only credits the model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.core.types import Relation, Work
from studio.licensing import WorkTerms
from studio.lineage.graph import LineageGraph, ParentLink
from studio.royalty import royalty_split
from studio.services.publishing import PublishOptions
from studio.story.chain import ChainClient
from studio.story.networks import NETWORKS


@pytest.fixture
def client(desk):
    chain = ChainClient(NETWORKS["devnet"], desk.rpc_url)
    yield chain
    chain.close()


def _model_on_devnet(desk) -> tuple[Work, Work]:
    """The built-in toy model, trained on a set of two LRP 10% works that are on the devnet, published as the
    set's group and the model as its derivative."""
    members = [desk.work(f"Member {i}", rev_share=10, royalty_policy="lrp") for i in range(2)]
    for member in members:
        desk.publish(member)
    studio = desk.studio
    collection = studio.collections.create("Data set", work_refs=[m.id for m in members])
    model = studio.models.builtin("studio-tiny").work
    with studio.library.db.atomic():
        LineageGraph(studio.library.edges).add_parents(model.id, [ParentLink(collection.id, Relation.trained_on)])
    results = desk.publish(model)
    assert [r.publication.work_id for r in results] == [collection.id, model.id]
    return model, collection


def _generate(desk, *args: str):
    return CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), "generate", "a cat", "--model",
                                    "studio-tiny", "--steps", "2", "--size", "64x64", "--seed", "3", *args],
                              catch_exceptions=False)


def test_an_image_generated_with_lrp_and_a_published_lrp_model_links_to_it(desk, client) -> None:
    model, collection = _model_on_devnet(desk)
    model_pub = desk.studio.journal.confirmed(model.id, "devnet")

    made = _generate(desk, "--royalty-policy", "lrp", "--json")
    assert made.exit_code == 0, made.output + made.stderr
    data = json.loads(made.stdout)
    assert (data["license"], data["royalty_policy"]) == ("pil-commercial-remix", "lrp")
    link = data["model_terms"]
    assert link["linked"] and link["model"] == model.id and link["payee"] == collection.id
    # The royalty engine's figure: the image pays the model 10%, the model pays its group 10% of that.
    expected = royalty_split("image", {"image": [(model.id, 10**7)], model.id: [(collection.id, 10**7)]}, "lrp")
    assert link["payee_percent"] == expected.share_of(collection.id) / 10**6 == 1.0
    assert link["text"].startswith("this image will pay the group of “Data set” 1% of its revenue: it takes the terms "
                                   "PIL Commercial Remix")

    image = desk.studio.work(data["id"])
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    assert plan.allowed, plan.refusals
    assert "model_linked" in {r.code for r in plan.notes}
    step = plan.steps[-1]
    assert [p.work_id for p in step.parents] == [model.id] and not [c for c in step.credits if c.work_id == model.id]
    (payout,) = plan.data_payouts
    assert payout.group_work_id == collection.id and payout.group_due == 10**18 // 100
    (published,) = desk.publish(image)
    pub = published.publication
    assert client.contracts.parents(pub.ip_id) == [model_pub.ip_id]
    assert pub.readback["agrees"], pub.readback["differences"]
    assert {a["work_id"] for a in pub.prediction["ancestors"]} == {model.id, collection.id}


def test_an_image_generated_with_lap_and_a_published_lrp_model_says_it_only_credits_it(desk) -> None:
    model, _collection = _model_on_devnet(desk)
    made = _generate(desk, "--royalty-policy", "lap")
    assert made.exit_code == 0, made.output + made.stderr
    assert ("  terms: published crediting the model, not linked to it: its data's creators are not paid "
            "(“studio-tiny” is on devnet under PIL Commercial Remix with a 10% rev share, LRP royalties; this "
            "image's terms are PIL Commercial Remix with a 0% rev share, LAP royalties)") in made.stderr
    image_id = made.stdout.split()[0]
    image = desk.studio.work(image_id)
    assert image.terms.royalty_policy == "lap"
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    codes = {r.code for r in plan.notes}
    assert "model_not_linked_terms" in codes and "model_linked" not in codes
    assert [c.work_id for c in plan.steps[-1].credits] == [model.id]

    # Without a choice the image takes the model's terms on the devnet.
    made = _generate(desk)
    assert made.exit_code == 0, made.output + made.stderr
    assert "this image will pay the group of “Data set” 1% of its revenue: it takes the terms" in made.stderr
    image = desk.studio.work(made.stdout.split()[0])
    terms = WorkTerms(desk.studio.catalog.get(image.license_id), rev_share=image.terms.rev_share,
                      minting_fee=image.terms.minting_fee, royalty_policy=image.terms.royalty_policy)
    model_terms = desk.studio.services.model_terms.offer(model.id).terms
    assert terms.same_terms(model_terms) and model_terms.royalty_policy == "lrp"
    plan = desk.studio.publish_planner.plan(image.id, PublishOptions(network="devnet"))
    assert "model_linked" in {r.code for r in plan.notes}
