"""The publish dialog against the devnet (a real anvil with the project's contracts): a wallet made
in the dialog, a root work's terms, a remix's inherited terms and split, confirmation, and the IP ids."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from studio.app.publish_setup import NO_WALLET
from studio.app.works_model import PublishedRole
from studio.core.types import percent_to_units
from studio.secrets import ENV_BACKEND
from studio.ui.publish_dialog import PublishDialog


def publish_through(qtbot, window, work_id: str) -> PublishDialog:
    window.session.select([work_id])
    dialog = window.open_publish()
    assert isinstance(dialog, PublishDialog)
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=120_000)
    return dialog


def test_publish_a_root_then_its_remix_on_the_devnet(qtbot, keyring_env, window, on_devnet, add_image):
    root = add_image("pil-commercial-remix", title="Tidepool", creator="Mira", rev_share=percent_to_units(5))
    remix = add_image(None, title="Tidepool Remix", creator="Mira", parents=(root,))
    studio = window.session.studio
    try:
        dialog = publish_through(qtbot, window, root)
        assert dialog.check.wallet is None and "No wallet yet" in dialog.wallet.text()
        assert not dialog.publish_button.isEnabled() and dialog.create_wallet.isVisible()
        with qtbot.waitSignal(dialog.checked, timeout=120_000):
            qtbot.mouseClick(dialog.create_wallet, Qt.MouseButton.LeftButton)
        address = studio.publish_setup.wallet().address
        assert address in dialog.wallet.text() and "IP" in dialog.wallet.text()
        assert dialog.check.plan.allowed and "Tidepool</b> (root) under PIL Commercial Remix" in dialog.plan_text.text()
        assert "remixes pay it 5%" in dialog.plan_text.text()
        # The gas before signing is the devnet's own quote, labelled as an estimate.
        assert "Gas: about" in dialog.plan_text.text() and "quoted by devnet" in dialog.plan_text.text()
        assert dialog.license.isEnabled()  # a root work's terms may be chosen
        assert not dialog.publish_button.isEnabled()  # not before the confirmation
        dialog.confirm.setChecked(True)
        with qtbot.waitSignal(dialog.published, timeout=120_000):
            qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
        root_ip = dialog.ip_ids()[0]
        assert root_ip.startswith("0x") and root_ip in dialog.result.text() and "Published" in dialog.result.text()
        assert studio.publish_runner.on_chain(root, "devnet")
        dialog.close()

        dialog = publish_through(qtbot, window, remix)
        plan = dialog.check.plan
        assert plan.allowed and [s.work.id for s in plan.steps] == [remix]
        assert not dialog.license.isEnabled() and "parents' terms" in dialog.terms_note.text()
        assert "linked to “Tidepool”: 5% of revenue" in dialog.plan_text.text()
        shares = {s.work_id: s.percent for s in dialog.chart.slices}
        assert shares == {root: 5.0, remix: 95.0}
        dialog.confirm.setChecked(True)
        with qtbot.waitSignal(dialog.published, timeout=120_000):
            qtbot.mouseClick(dialog.publish_button, Qt.MouseButton.LeftButton)
        remix_ip = dialog.ip_ids()[0]
        assert remix_ip != root_ip and studio.publish_runner.on_chain(remix, "devnet")

        filters = window.library.filters
        filters.published.setCurrentIndex(filters.published.findData(True))
        qtbot.waitUntil(lambda: window.library.model.rowCount() == 2)
        model = window.library.model
        assert {model.index(r).data(PublishedRole) for r in range(2)} == {True}  # the gallery's ✓ badge
    finally:
        window.shutdown()


def test_a_refused_publication_is_explained_and_cannot_be_sent(qtbot, keyring_env, window, on_devnet, add_image):
    nd = add_image("cc-by-nd-4.0", title="Quiet Grid", creator="Theo")
    try:
        dialog = publish_through(qtbot, window, nd)
        assert dialog.check.plan is None or not dialog.check.plan.allowed
        assert not dialog.publish_button.isEnabled() and not dialog.confirm.isEnabled()
        assert "#c83c3c" in dialog.plan_text.text() and "Quiet Grid" in dialog.plan_text.text()  # why, not the wallet
    finally:
        window.shutdown()


def _labels(dialog: PublishDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())


def test_without_a_keyring_one_plain_line_says_what_is_missing_and_the_devnet_offers_its_wallet(
        qtbot, monkeypatch, window, on_devnet, add_image):
    # The machine's real state without a keyring service: keyring's own `fail` backend.
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        work = add_image("pil-commercial-remix", title="Dawn", rev_share=percent_to_units(5))
        dialog = publish_through(qtbot, window, work)
        text = _labels(dialog)
        assert text.count("system keyring") == 1 and "keyring service" in dialog.wallet.text()
        assert "`studio" not in text and "studio wallet" not in text and "No work selected" not in text
        assert dialog.chart.isHidden() and dialog.create_wallet.isHidden() and dialog.key.isHidden()
        assert dialog.dev_wallet.isVisible()  # the library publishes on the devnet
        assert not dialog.publish_button.isEnabled()

        # Taking the devnet's development wallet plans with it on the devnet, as a job; nothing is typed.
        with qtbot.waitSignal(dialog.checked, timeout=120_000):
            qtbot.mouseClick(dialog.dev_wallet, Qt.MouseButton.LeftButton)
        assert dialog.check.wallet is not None, dialog.check
        assert dialog.check.wallet.wallet.address in dialog.wallet.text() and dialog.dev_wallet.isHidden()
        assert dialog.check.plan is not None and dialog.check.plan.allowed
        assert dialog.check.wallet.network.rpc_url == on_devnet and dialog.check.wallet.balance  # read on that node
    finally:
        keyring.set_keyring(previous)
        window.shutdown()


def test_with_a_keyring_and_no_wallet_the_dialog_points_at_its_own_button(qtbot, keyring_env, window, add_image):
    work = add_image("pil-commercial-remix", title="Dawn", rev_share=percent_to_units(5))
    dialog = publish_through(qtbot, window, work)
    text = _labels(dialog)
    assert dialog.wallet.text() == NO_WALLET and text.count(NO_WALLET) == 1
    assert "`studio" not in text and "No work selected" not in text
    assert dialog.create_wallet.isVisible() and dialog.key.isVisible()
