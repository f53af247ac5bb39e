"""Publishing training sets and models from the window on the devnet (a real anvil with the project's
contracts): the Model tab's "Publish on Story…" opens the publish dialog for a LoRA, which lists its training set
as a group (who joins, who is credited), the LoRA as the group's derivative, the engines' notes and what 1 IP to
the LoRA pays each of the data's creators; signing runs as a job and the journal, the chain and the Model tab
then show the group and the LoRA. A training set alone publishes from the gallery's context menu, and an image
made with the published LoRA links to it and previews the same creators' share."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.core.amounts import ip_text
from studio.core.types import Origin, Relation, Terms, WorkKind, percent_to_units
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services.publishing import PublishOptions
from studio.store.works import NewWork
from studio.story.chain import ChainClient
from studio.story.group_publisher import GroupStep
from studio.story.networks import NETWORKS
from studio.story.publisher import StepPlan
from studio.ui.publish_dialog import PublishDialog
from studio.ui.publish_training import PAYOUT_ROWS
from tests.ui.test_model_page import _select_in_gallery

LRP = {"rev_share": percent_to_units(10), "royalty_policy": "lrp"}
CREATORS = ["Ada", "Ada", "Bo", "Cy", "Di", "Ed", "Fa", "Gu"]  # 7 creators: more than the dialog lists
TIMEOUT_MS = 120_000


def _members_on_devnet(studio, add_image, creators: list[str]) -> list[str]:
    """Images their creators published on the devnet (through the service: the dialog is tested on the set)."""
    members = [add_image("pil-commercial-remix", title=f"{c.lower()} {n}", creator=c, **LRP)
               for n, c in enumerate(creators)]
    for member in members:
        studio.publish(member, PublishOptions(network="devnet"))
    return members


def _lora(studio, collection_id: str, title: str = "My Style", rev_share: int = 10) -> str:
    """A LoRA trained on the set, its weights under PIL Commercial Remix at `rev_share` percent (LRP)."""
    terms = Terms("pil-commercial-remix", rev_share=percent_to_units(rev_share), royalty_policy="lrp")
    with studio.library.db.atomic():
        lora = studio.library.works.insert(NewWork(
            kind=WorkKind.lora, sha256=f"{title.encode().hex():0<64}"[:64], title=title, creator="Dee",
            origin=Origin.generated, terms=terms, format="safetensors"))
        LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(collection_id, Relation.trained_on)])
    return lora.id


def _checked(qtbot, dialog: PublishDialog) -> PublishDialog:
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=TIMEOUT_MS)
    assert dialog.check.plan is not None, dialog.check.plan_error
    assert dialog.check.wallet is not None, dialog.check.wallet_error
    return dialog


def _sign(qtbot, window, dialog: PublishDialog) -> list:
    assert not dialog.publish_button.isEnabled()  # not before the confirmation
    dialog.confirm.setChecked(True)
    jobs_before = {j.id for j in window.session.jobs.jobs()}
    with qtbot.waitSignal(dialog.published, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
    # It ran on the window's queue as a publish job, as an image's publishing does.
    [job] = [j for j in window.session.jobs.jobs() if j.id not in jobs_before and j.kind == "publish"]
    assert job.state.done
    return dialog.results


def _client(rpc_url: str) -> ChainClient:
    return ChainClient(NETWORKS["devnet"], rpc_url)


def test_the_model_tab_publishes_a_lora_with_its_training_set_as_a_group(qtbot, keyring_env, window, on_devnet,
                                                                         add_image):
    studio = window.session.studio
    try:
        studio.publish_setup.create_wallet()
        members = _members_on_devnet(studio, add_image, CREATORS)
        outsider = add_image("cc-by-4.0", title="not on story", creator="Zed")  # credited, not a member
        collection = studio.collections.create("Style set", work_refs=[*members, outsider])
        lora = _lora(studio, collection.id)
        window.session.library_changed.emit()
        _select_in_gallery(window, lora, "LoRAs")
        page = window.model_page
        window.tabs.setCurrentWidget(page)
        assert page.publish_button.isEnabled() and page.publish_button.text() == "Publish on Story…"

        qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
        dialog = _checked(qtbot, page.publish_dialog)
        assert dialog.isVisible() and dialog.work.id == lora
        plan = dialog.check.plan
        assert plan.allowed, plan.refusals
        group, model = plan.steps
        assert isinstance(group, GroupStep) and group.work.id == collection.id
        assert isinstance(model, StepPlan) and model.work.id == lora
        text = dialog.plan_text.text()
        assert "1. <b>Style set</b> (training set, as a group) under PIL Commercial Remix" in text
        assert f"{len(members)} members on devnet join its reward pool; all {len(members) + 1} are credited" in text
        assert "its derivatives pay it 10% of their revenue (LRP)" in text
        assert "2. <b>My Style</b> (LoRA, derivative of its training set's group) under PIL Commercial Remix" in text
        assert "linked to “Style set”: 10% of revenue" in text
        # The engines' notes, once each: who joins, who is only credited, what the LoRA carries on Story.
        assert f"• {len(members)} works of the set on devnet join the group" in text
        assert "• 1 work of the set are not on devnet: they are credited in the group's metadata" in text
        assert text.count("join the group and share its revenue evenly") == 1
        # The group's terms may be chosen (it asks no minting fee); the LoRA carries them.
        assert dialog.license.isEnabled() and not dialog.minting_fee.isEnabled()
        assert "carries them on Story as its derivative" in dialog.terms_note.text()

        # What 1 IP paid to the LoRA pays the group (its 10% under LRP) and, evenly per member, each creator.
        payouts = dialog.payouts
        assert payouts.isVisible() and len(payouts.tables) == 1
        due = 10**18 * 10 // 100
        share = due // len(members)
        assert payouts.headings[0].text() == (
            f"A payment of 1 IP to “My Style” pays the training set “Style set” {ip_text(due)}, shared evenly by its "
            f"{len(members)} members on devnet:")
        assert payouts.rows(0) == [("Ada", "2", ip_text(2 * share))] + [
            (c, "1", ip_text(share)) for c in ["Bo", "Cy", "Di", "Ed"]]
        assert len(payouts.rows(0)) == PAYOUT_ROWS
        assert payouts.more[0].isVisible() and payouts.more[0].text() == "… and 2 more creators"
        assert {s.work_id: s.percent for s in dialog.chart.slices} == {collection.id: 10.0, lora: 90.0}

        group_result, model_result = _sign(qtbot, window, dialog)
        group_pub, model_pub = group_result.publication, model_result.publication
        # The journal: the group and the LoRA confirmed, every member on Story recorded as added.
        journal = studio.journal
        assert journal.confirmed(collection.id, "devnet").ip_id == group_pub.ip_id
        assert journal.confirmed(lora, "devnet").ip_id == model_pub.ip_id
        assert group_pub.prediction["kind"] == "group" and group_pub.readback["agrees"]
        assert model_pub.readback["agrees"], model_pub.readback.get("differences")
        added = studio.library.group_members.members_of(collection.id, "devnet")
        assert sorted(m.member_work_id for m in added) == sorted(members)
        assert journal.confirmed(outsider, "devnet") is None
        result = dialog.result.text()
        assert f"“Style set”: group IP <b>{group_pub.ip_id}</b>" in result
        assert f"{len(members)} members in the group on chain" in result
        assert f"“My Style”: IP <b>{model_pub.ip_id}</b>" in result
        assert not dialog.publish_button.isEnabled() and dialog.close_button.text() == "Done"
        # The chain agrees: the group holds the members, the LoRA derives from the group alone.
        client = _client(on_devnet)
        try:
            assert client.groups.is_group(group_pub.ip_id)
            member_ips = {journal.confirmed(m, "devnet").ip_id.lower() for m in members}
            assert {ip.lower() for ip in client.groups.members(group_pub.ip_id)} == member_ips
            assert client.contracts.parents(model_pub.ip_id) == [group_pub.ip_id]
        finally:
            client.close()
        dialog.close()

        # The Model tab shows them on Story and does not offer to publish the LoRA again.
        assert group_pub.ip_id in page.ips.text() and model_pub.ip_id in page.ips.text()
        assert f"{len(members)} of the set's works are members of the group" in page.ips.text()
        assert not page.publish_button.isEnabled() and page.publish_button.text() == "Published on devnet"
        qtbot.waitUntil(lambda: page.earnings_read is not None, timeout=TIMEOUT_MS)
        assert page.earnings_read.earnings is not None, page.earnings_read.problem
        assert page.earnings_read.earnings.members == len(members)
        # Read on the configured node: no devnet of its own started.
        assert not studio.publish_setup.devnet_status().running
    finally:
        window.shutdown()


def test_a_training_set_from_the_context_menu_then_an_image_made_with_its_lora(qtbot, keyring_env, window,
                                                                               on_devnet, add_image):
    studio = window.session.studio
    try:
        studio.publish_setup.create_wallet()
        members = _members_on_devnet(studio, add_image, ["Ada", "Bo"])
        collection = studio.collections.create("Tiles set", work_refs=members)
        # Its weights under the 20% its training set's group is about to be offered at, which images made with it
        # inherit: they then carry the LoRA's Story terms and link to it.
        lora = _lora(studio, collection.id, "Tiles", rev_share=20)
        window.session.library_changed.emit()
        _select_in_gallery(window, collection.id, "Everything")  # the gallery lists training sets there

        # The training set alone, from the gallery's context menu: a group with no derivative yet, no payouts.
        menu = window.work_actions.menu_for(collection.id)
        action = next(a for a in menu.actions() if a.objectName() == "publish")
        assert action.isEnabled() and action.text() == "Publish on &Story…"
        action.trigger()
        dialog = _checked(qtbot, window.work_actions.publish_dialog)
        plan = dialog.check.plan
        assert [type(s) for s in plan.steps] == [GroupStep] and plan.allowed, plan.refusals
        text = dialog.plan_text.text()
        assert "1. <b>Tiles set</b> (training set, as a group) under PIL Commercial Remix" in text
        assert "2 members on devnet join its reward pool; all 2 are credited" in text
        assert "• 2 works of the set on devnet join the group" in text and "credited in the group's" not in text
        assert dialog.payouts.isHidden() and not plan.data_payouts
        assert dialog.license.isEnabled() and "its members share what it earns" in dialog.terms_note.text()
        dialog.rev_share.setValue(20.0)  # the publisher chooses the group's share
        qtbot.waitUntil(lambda: dialog.check is not None and "pay it 20%" in dialog.plan_text.text(),
                        timeout=TIMEOUT_MS)
        (group_result,) = _sign(qtbot, window, dialog)
        group_ip = group_result.publication.ip_id
        assert studio.journal.confirmed(collection.id, "devnet").ip_id == group_ip
        assert len(studio.library.group_members.members_of(collection.id, "devnet")) == 2
        dialog.close()

        # The LoRA from its own context menu: only the LoRA is left, under the group's 20%.
        dialog = window.work_actions.publish(lora)
        _checked(qtbot, dialog)
        plan = dialog.check.plan
        assert [s.work.id for s in plan.steps] == [lora] and plan.allowed, plan.refusals
        assert "linked to “Tiles set”: 20% of revenue" in dialog.plan_text.text()
        assert not dialog.license.isEnabled() and "training set's group's terms" in dialog.terms_note.text()
        assert dialog.payouts.rows(0) == [("Ada", "1", ip_text(10**17)), ("Bo", "1", ip_text(10**17))]
        assert dialog.payouts.more[0].isHidden()
        (model_result,) = _sign(qtbot, window, dialog)
        lora_ip = model_result.publication.ip_id
        dialog.close()

        # An image made with the LoRA links to it on Story: the note says so and the data's share is previewed.
        image = add_image(None, title="Made with Tiles", creator="Dee", parents=(lora,),
                          relation=Relation.styled_with)
        window.session.select([image])
        dialog = _checked(qtbot, window.open_publish())
        plan = dialog.check.plan
        assert plan.allowed and [s.work.id for s in plan.steps] == [image], plan.refusals
        text = dialog.plan_text.text()
        assert "1. <b>Made with Tiles</b> (remix) under PIL Commercial Remix" in text
        assert "linked to “Tiles”: 20% of revenue" in text
        assert "• “Made with Tiles” links to the model “Tiles” on devnet" in text
        (payout,) = plan.data_payouts
        assert payout.group_work_id == collection.id and payout.members == 2 and payout.group_due > 0
        assert dialog.payouts.headings[0].text().startswith(
            f"A payment of 1 IP to “Made with Tiles” pays the training set “Tiles set” {ip_text(payout.group_due)}")
        half = payout.group_due // 2
        assert dialog.payouts.rows(0) == [("Ada", "1", ip_text(half)), ("Bo", "1", ip_text(half))]
        (image_result,) = _sign(qtbot, window, dialog)
        client = _client(on_devnet)
        try:
            assert client.contracts.parents(image_result.publication.ip_id) == [lora_ip]
            assert client.contracts.parents(lora_ip) == [group_ip]
        finally:
            client.close()
        # Published, its License & royalty chart shows the split as on the devnet: the LoRA and its set take part.
        window.session.library_changed.emit()
        window.session.select([image])
        window.tabs.setCurrentWidget(window.license_panel)
        panel = window.license_panel
        panel.lrp.setChecked(True)
        qtbot.waitUntil(lambda: {s.work_id for s in panel.chart.slices} >= {lora, collection.id}, timeout=30_000)
    finally:
        window.shutdown()


def test_a_lora_whose_data_is_not_on_story_is_refused_in_one_line(qtbot, keyring_env, window, on_devnet, add_image):
    studio = window.session.studio
    try:
        studio.publish_setup.create_wallet()
        works = [add_image("pil-commercial-remix", title=f"draft {n}", creator="Ada", **LRP) for n in range(2)]
        collection = studio.collections.create("Unpublished set", work_refs=works)
        lora = _lora(studio, collection.id, "Drafts")
        window.session.library_changed.emit()
        _select_in_gallery(window, lora, "LoRAs")
        page = window.model_page
        window.tabs.setCurrentWidget(page)
        dialog = _checked(qtbot, page.open_publish())
        plan = dialog.check.plan
        assert not plan.allowed and not plan.steps
        assert [r.code for r in plan.refusals] == ["group_is_empty"]
        text = dialog.plan_text.text()
        assert "<b>Cannot be published:</b>" in text
        assert "✗ No work of “Unpublished set” is on devnet and able to join its group" in text
        assert "• 2 works of the set are not on devnet: they are credited" in text  # why, among the notes
        assert dialog.payouts.isHidden()
        assert not dialog.confirm.isEnabled() and not dialog.publish_button.isEnabled()
        assert all(studio.journal.live(w, "devnet") is None for w in (collection.id, lora))  # nothing sent
    finally:
        window.shutdown()
