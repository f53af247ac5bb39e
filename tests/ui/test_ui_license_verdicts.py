"""The license panel: each verdict line with its reason, the owner's rights apart from others', and a published
work's IP in place of a refusal, with Publish gone."""

from __future__ import annotations

from studio.core.types import percent_to_units
from studio.services.generation import CreateRequest
from studio.story.journal import Journal

IP = "0x" + "ef" * 20


def _own_generation(window) -> str:
    work = window.session.studio.generation.create(CreateRequest(
        mode="txt2img", prompt="a quiet harbour at dawn", seed=1, steps=2, width=64, height=64,
        title="Dawn", license_id="pil-non-commercial-social-remixing",
    ))
    window.session.library_changed.emit()
    return work.id


def test_own_non_commercial_generation_shows_owner_rights_with_reasons(qtbot, window) -> None:
    work_id = _own_generation(window)
    window.session.select([work_id])
    text = window.license_panel.verdicts.text()
    assert "as its owner you may use it commercially" in text and "owner_may_use_commercially" not in text
    assert "others may not use “Dawn” commercially" in text and "others_may_not" not in text
    assert not window.license_panel.publish.isHidden() and window.license_panel.publish.isEnabled()


def test_a_published_work_shows_its_ip_and_hides_publish(qtbot, window) -> None:
    work_id = _own_generation(window)
    Journal(window.session.studio.library.db).record_imported(
        work_id, "devnet", 1315, ip_id=IP, token_id=1, nft_contract="0x" + "cd" * 20, license_terms_ids=(1,),
        metadata_uri=None, metadata_hash=None, readback={},
    )
    window.session.select([work_id])
    panel = window.license_panel
    text = panel.verdicts.text()
    assert f"Published as IP {IP} on devnet" in text and "devnet has no block explorer" in text
    assert "already_on_chain" not in text and "already_on_chain" not in panel.reasons.text()
    assert panel.publish.isHidden() and not panel.publish.isEnabled()


def test_a_published_work_shows_the_split_under_its_own_policy_and_the_choice_comes_back(qtbot, window, add_image):
    panel = window.license_panel
    assert panel.policy == "lap"  # the creator's choice for what-ifs
    work = add_image("pil-commercial-remix", title="Tide", rev_share=percent_to_units(10), royalty_policy="lrp")
    other = add_image("pil-commercial-remix", title="Other", rev_share=percent_to_units(10))
    Journal(window.session.studio.library.db).record_imported(
        work, "devnet", 1315, ip_id=IP, token_id=1, nft_contract="0x" + "cd" * 20, license_terms_ids=(1,),
        metadata_uri=None, metadata_hash=None, readback={},
    )
    window.session.library_changed.emit()
    window.session.select([work])
    assert panel.lrp.isChecked() and not panel.lrp.isEnabled() and not panel.lap.isEnabled()
    assert "LRP" in panel.stack.text() and "on devnet" in panel.stack.text()
    assert window.settings_store.load().royalty_policy != "lrp"  # showing it is not choosing it
    window.session.select([other])
    assert panel.lap.isChecked() and panel.lap.isEnabled() and panel.policy == "lap"
