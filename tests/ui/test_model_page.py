"""The Model tab: a selected model or LoRA shows its training set (title, member count, training-set hash, the base
model of a LoRA), its data's creators with their work counts as the store counts them, and where it and its
training set are on Story."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.app.works_model import WorkIdRole
from studio.core.types import Origin, Relation, Terms, WorkKind, percent_to_units
from studio.generate.emoji_data import trained_emoji
from studio.lineage.graph import LineageGraph, ParentLink
from studio.royalty import GROUP_SCALE
from studio.services.collections import members_hash
from studio.services.publishing import PublishOptions
from studio.services.publishing.training_earnings import CreatorEarnings, TrainingEarnings
from studio.store.works import NewWork
from studio.story.chain import ChainClient
from studio.story.group_revenue import collect_for_members, member_claimable
from studio.story.networks import NETWORKS
from studio.ui.model_page import EARNINGS_JOB_KIND, wip_short, wip_text


def _store_creators(studio, collection_id: str) -> list[tuple[str, int]]:
    """(creator, works) of the set's members, straight from SQLite, most works first."""
    rows = studio.library.db.query(
        "SELECT coalesce(w.creator, '') AS c, count(*) AS n FROM collection_members m JOIN works w ON w.id = m.work_id "
        "WHERE m.collection_id = ? GROUP BY c ORDER BY n DESC, c", (collection_id,))
    return [(row[0], int(row[1])) for row in rows]


def _shown(model) -> list[tuple[str, ...]]:
    return [tuple(model.index(r, c).data() for c in range(model.columnCount())) for r in range(model.rowCount())]


def _select_in_gallery(window, work_id: str, kind_label: str) -> None:
    """Select the work the way a user does: the kind filter, then a click on its tile."""
    filters = window.library.filters
    filters.kind.setCurrentIndex(filters.kind.findText(kind_label))
    model = window.library.model
    row = model.row_of(work_id)
    assert row is not None, f"{work_id} is not listed under {kind_label}"
    window.library.gallery.selectionModel().setCurrentIndex(
        model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert window.session.selection == (work_id,) and model.index(row).data(WorkIdRole) == work_id


def test_the_emoji_model_page_names_its_openmoji_training_set_and_every_creator(qtbot, window, monkeypatch):
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    studio = window.session.studio
    emoji = studio.models.builtin("studio-emoji").work
    window.session.library_changed.emit()
    _select_in_gallery(window, emoji.id, "Models")
    page = window.model_page
    window.tabs.setCurrentWidget(page)

    [edge] = [e for e in studio.parents(emoji.id) if e.relation is Relation.trained_on]
    collection = studio.work(edge.parent_id)
    creators = _store_creators(studio, collection.id)
    count = sum(n for _, n in creators)
    assert count == studio.library.members.count(collection.id) == 4200
    assert len(creators) == 118
    assert page.set_title.text() == collection.title == "OpenMoji 17 (4,395 emoji)"
    # The 195 emoji more than works are said, with why: OpenMoji draws them with a picture file another one uses.
    emoji = trained_emoji()
    assert (len(emoji), len({e.svg_sha256 for e in emoji})) == (4395, 4200)
    first, why = page.set_count.text().split("\n")
    assert first == "4,200 by 118 creators"
    assert why.startswith("4,395 emoji but 4,200 works: OpenMoji draws some emoji with the same picture file")
    assert page.set_hash.text() == members_hash(studio.library.members.member_hashes(collection.id))
    assert page.base.text() == "none recorded"
    assert page.credit.text() == "Trained on 4,200 works by 118 creators, CC BY-SA 4.0"

    shown = _shown(page.creators_view.model())
    assert len(shown) == len(creators)
    counted = [(name, int(works.replace(",", ""))) for name, works, _ in shown]
    assert sorted(counted) == sorted(creators)
    assert [n for _, n in counted] == sorted((n for _, n in creators), reverse=True)  # most works first
    assert {lic for _, _, lic in shown} == {"CC BY-SA 4.0"}

    # Not published on this library's network: said so, and nothing is read from a chain.
    assert page.story_box.title() == "On Story (devnet)"
    assert "not a group on devnet" in page.ips.text() and "not published on devnet" in page.ips.text()
    assert page.read_again.isHidden() and page.read_earnings() is None


def test_a_lora_page_shows_its_small_training_set_its_base_model_and_sorts_creators(qtbot, window, add_image):
    studio = window.session.studio
    ada = [add_image("cc-by-4.0", title=f"ada {i}", creator="Ada") for i in range(3)]
    bo = add_image("cc0-1.0", title="bo", creator="Bo")
    both = add_image("cc-by-sa-4.0", title="ada sa", creator="Ada")
    collection = studio.collections.create("Training set of Tiles", work_refs=[*ada, bo, both])
    base = studio.models.builtin("studio-tiny").work
    with studio.library.db.atomic():
        lora = studio.library.works.insert(NewWork(
            kind=WorkKind.lora, sha256="a" * 64, title="Tiles", creator="Cy", origin=Origin.generated,
            terms=Terms("cc-by-sa-4.0"), format="safetensors"))
        LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(base.id, Relation.finetuned_from),
                                                                  ParentLink(collection.id, Relation.trained_on)])
    window.session.library_changed.emit()
    _select_in_gallery(window, lora.id, "LoRAs")
    page = window.model_page

    assert "Tiles" in page.heading.text() and "LoRA by Cy" in page.heading.text()
    assert page.set_title.text() == "Training set of Tiles"
    assert page.set_count.text() == "5 by 2 creators"
    assert page.base.text() == "studio-tiny (fine-tuned from it)"
    assert page.set_hash.text() == collection.recipe.extra["members_sha256"]
    assert page.credit.text() == ("Trained on 3 works by 1 creator, CC BY 4.0; 1 work by 1 creator, CC BY-SA 4.0; "
                                  "1 work by 1 creator, CC0 1.0 Universal")
    assert _shown(page.creators_view.model()) == [("Ada", "4", "CC BY 4.0, CC BY-SA 4.0"),
                                                  ("Bo", "1", "CC0 1.0 Universal")]
    assert _store_creators(studio, collection.id) == [("Ada", 4), ("Bo", 1)]

    page.creators_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by count, not by text
    assert [row[0] for row in _shown(page.creators_view.model())] == ["Bo", "Ada"]

    # An image is not a model: the page says what to select.
    window.session.select([bo])
    assert "Choose a model or LoRA" in page.heading.text() and page.training_box.isHidden()


def test_a_published_lora_shows_its_group_and_what_each_data_creator_will_receive(qtbot, keyring_env, window,
                                                                                  on_devnet, add_image):
    studio = window.session.studio
    lrp = {"rev_share": percent_to_units(10), "royalty_policy": "lrp"}
    try:
        studio.publish_setup.create_wallet()
        members = [add_image("pil-commercial-remix", title=f"ada {i}", creator="Ada", **lrp) for i in range(2)]
        members.append(add_image("pil-commercial-remix", title="bo", creator="Bo", **lrp))
        for member in members:
            studio.publish(member, PublishOptions(network="devnet"))
        outsider = add_image("cc-by-4.0", title="cy", creator="Cy")  # not on Story: credited, not a member
        collection = studio.collections.create("Style set", work_refs=[*members, outsider])
        with studio.library.db.atomic():
            lora = studio.library.works.insert(NewWork(
                kind=WorkKind.lora, sha256="b" * 64, title="My Style", creator="Dee", origin=Origin.generated,
                terms=Terms("pil-commercial-remix", rev_share=percent_to_units(10), royalty_policy="lrp"),
                format="safetensors"))
            LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(collection.id, Relation.trained_on)])
        group_pub, model_pub = (r.publication for r in studio.publish(lora.id, PublishOptions(network="devnet")))
        assert group_pub.prediction["kind"] == "group"
        tip = 10**18 + 7  # an amount the pool cannot split evenly
        studio.revenue.pay(lora.id, tip, "devnet")
        window.session.library_changed.emit()

        page = window.model_page
        reads = lambda: [j for j in window.session.jobs.jobs() if j.kind == EARNINGS_JOB_KIND]  # noqa: E731
        before = len(reads())
        _select_in_gallery(window, lora.id, "LoRAs")  # while another tab is shown: nothing is read yet
        assert not page.isVisible() and len(reads()) == before
        assert page.earnings_note.text() == "What the data's creators will receive is read when this page is shown."
        window.tabs.setCurrentWidget(page)
        assert group_pub.ip_id in page.ips.text() and model_pub.ip_id in page.ips.text()
        assert "no block explorer" in page.ips.text()  # the devnet has none, so no link
        assert "3 of the set's works are members of the group" in page.ips.text()
        qtbot.waitUntil(lambda: page.earnings_read is not None, timeout=60_000)
        assert len(reads()) == before + 1
        earnings = page.earnings_read.earnings
        assert earnings is not None, page.earnings_read.problem

        # What each member will receive, as the chain's pool computes it, summed per creator from the journal.
        member_ips = {m: studio.journal.confirmed(m, "devnet").ip_id for m in members}
        client = ChainClient(NETWORKS["devnet"], on_devnet)
        try:
            owed = member_claimable(client, group_pub.ip_id, list(member_ips.values()))
        finally:
            client.close()
        due = tip * 10 // 100  # the group's LRP share of the tip to the LoRA
        share = due * GROUP_SCALE // 3 // GROUP_SCALE
        assert set(owed.values()) == {share} and share > 0
        assert _shown(page.earnings_view.model()) == [
            ("Ada", "2", wip_short(2 * share), wip_short(0)), ("Bo", "1", wip_short(share), wip_short(0))]
        assert wip_short(2 * share).startswith("≈ 0.") and wip_short(0) == "0 WIP"  # odd wei: rounded, marked
        assert [(c.creator, c.members, c.claimable) for c in earnings.creators] == [("Ada", 2, 2 * share),
                                                                                    ("Bo", 1, share)]
        assert f"they will receive {wip_short(3 * share)} more in all" in page.earnings_note.text()
        assert f"{wip_text(3 * share)} ({3 * share:,} wei) to receive" in page.earnings_note.toolTip()

        # Once collected, the group's share waits in the members' own vaults until each creator claims it.
        net = studio.publish_setup.network("devnet")
        client = studio.publish_setup.client(net)
        collect_for_members(client, studio.publish_setup.key(net), group_pub.ip_id, list(member_ips.values()))
        job = page.read_earnings()
        qtbot.waitUntil(lambda: window.session.jobs.job(job).state.done, timeout=60_000)
        assert _shown(page.earnings_view.model()) == [
            ("Ada", "2", wip_short(0), wip_short(2 * share)), ("Bo", "1", wip_short(0), wip_short(share))]

        # Off the session devnet, the library's own devnet is not running: the page starts it on demand (a job),
        # never naming a command and never opening a dialog.
        studio.publish_setup.set_setting("rpc.devnet", None)
        job = page.read_earnings()
        qtbot.waitUntil(lambda: window.session.jobs.job(job).state.done, timeout=120_000)
        assert studio.publish_setup.devnet_status().running
        assert "studio devnet" not in page.earnings_note.text()
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    finally:
        window.shutdown()
        studio.publish_setup.devnet_stop()


def test_work_publish_on_story_opens_for_a_model_as_for_an_image(qtbot, window, monkeypatch):
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    emoji = window.session.studio.models.builtin("studio-emoji").work
    window.session.library_changed.emit()
    _select_in_gallery(window, emoji.id, "Models")
    action = window.actions_by_name["publish"]
    assert action.isEnabled()
    dialog = window.open_publish()
    assert dialog is not None and dialog.work.id == emoji.id
    dialog.reject()


def test_the_window_stops_the_devnet_it_started_and_leaves_one_it_found_running(qtbot, open_window):
    window = open_window()
    setup = window.session.studio.publish_setup
    job = window.session.submit("devnet", "Start the devnet", lambda _ctx, studio: studio.publish_setup.devnet_start())
    qtbot.waitUntil(lambda: window.session.jobs.job(job).state.done, timeout=120_000)
    assert setup.devnet_status().running
    window.shutdown()
    assert not setup.devnet_status().running  # stopped with the window; its state stays in the library folder

    setup.devnet_start()  # as `studio devnet start` leaves it: the next window finds it running
    try:
        again = open_window()
        again.shutdown()
        assert setup.devnet_status().running
    finally:
        setup.devnet_stop()


def test_amounts_the_data_creators_hold_read_rounded_and_exact_on_hover(qtbot, window):
    # What the chain answered after a tip was collected: Story rounds each step down, so the vaults hold an odd wei.
    held = (3_883_333_333_333_332, 3_883_333_333_333_332, 3_883_333_333_333_332)
    rows = tuple(CreatorEarnings(name, 2, 0, wei) for name, wei in zip(("Ada", "Bo", "Cy"), held, strict=True))
    page = window.model_page
    page.show_earnings(TrainingEarnings("devnet", "set", "0x" + "ab" * 20, rows))
    note = page.earnings_note.text()
    total = sum(held)
    assert str(Decimal(total) / 10**18) not in note and "0.011649999999999996" not in note
    assert "their vaults hold ≈ 0.01165 WIP for them to claim now" in note
    assert "the group holds nothing more for them now" in note and "receive 0 WIP" not in note
    assert f"({total:,} wei) in their vaults" in page.earnings_note.toolTip()
    model = page.earnings_view.model()
    cell = model.index(0, 3)
    assert model.data(cell) == "≈ 0.003883 WIP"
    assert model.data(cell, Qt.ItemDataRole.ToolTipRole) == f"{wip_text(held[0])} ({held[0]:,} wei)"


def test_the_model_tab_has_its_own_picker_and_a_works_model_links_to_it(qtbot, window, add_image):
    studio = window.session.studio
    members = [add_image("cc-by-4.0", title=f"tile {i}", creator="Ada") for i in range(2)]
    collection = studio.collections.create("Tiles set", work_refs=members)
    with studio.library.db.atomic():
        lora = studio.library.works.insert(NewWork(
            kind=WorkKind.lora, sha256="c" * 64, title="Tiles", creator="Cy", origin=Origin.generated,
            terms=Terms("cc-by-4.0"), format="safetensors"))
        LineageGraph(studio.library.edges).add_parents(lora.id, [ParentLink(collection.id, Relation.trained_on)])
    image = add_image("cc-by-4.0", title="Made with tiles", creator="Cy")
    studio.link(image, [lora.id], Relation.styled_with)
    window.session.library_changed.emit()
    window.session.select([])
    page = window.model_page
    window.tabs.setCurrentWidget(page)
    assert "Choose a model or LoRA above" in page.heading.text()
    index = page.picker.findData(lora.id)
    assert page.picker.itemText(index) == "Tiles (LoRA)"
    page.picker.setCurrentIndex(index)
    page.picker.activated.emit(index)  # what choosing it in the list does
    assert window.session.selection == (lora.id,) and "Tiles" in page.heading.text()
    assert page.set_title.text() == "Tiles set"

    # The image's details name the LoRA it was styled with; the link opens its Model tab.
    window.session.select([image])
    window.tabs.setCurrentWidget(window.license_panel)
    heading = window.license_panel.heading.text()
    href = f"studio-model:{lora.id}"
    assert f"<a href='{href}'>Tiles</a>" in heading
    window.license_panel.heading.linkActivated.emit(href)
    assert window.tabs.currentWidget() is page and window.session.selection == (lora.id,)
    assert page.picker.currentData() == lora.id
