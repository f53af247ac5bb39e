"""The library side: the gallery model, lazily loaded thumbnails, filters, drag & drop import, trash and undo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialogButtonBox
from ui_helpers import click_work, press

from studio.app.works_model import LicenseNameRole, WorkIdRole
from studio.ui.import_dialog import ImportDialog
from studio.ui.trash import TrashDialog


def test_the_gallery_model_passes_qts_checks_and_thumbnails_load_off_the_gui_thread(
    qtbot, qtmodeltester, window, add_image
):
    ids = [add_image("cc0-1.0", title=f"Work {n}", size=(80, 60)) for n in range(3)]
    model = window.library.model
    qtmodeltester.check(model, force_py=True)
    assert [model.index(r).data(WorkIdRole) for r in range(3)] == ids  # as `studio list`: oldest first
    work = model.work_at(0)
    thumbnails = window.thumbnails
    with qtbot.waitSignal(thumbnails.ready, timeout=10_000, check_params_cb=lambda sha: sha == work.sha256):
        assert thumbnails.pixmap(work) is None  # a miss queues the work and returns at once
    pixmap = thumbnails.pixmap(work)
    assert pixmap is not None and (pixmap.width(), pixmap.height()) == (80, 60)  # never enlarged
    assert window.library.count.text() == "3 works"


def test_filters_narrow_the_gallery(qtbot, window, add_image):
    add_image("cc-by-nd-4.0", title="Quiet Grid")
    add_image("cc0-1.0", title="Moss Pattern")
    add_image("cc0-1.0", title="Moss Study")
    filters = window.library.filters
    model = window.library.model
    with qtbot.waitSignal(filters.filter_changed, timeout=1000):
        filters.license.setCurrentIndex(filters.license.findData("cc0-1.0"))
    assert model.rowCount() == 2
    with qtbot.waitSignal(filters.filter_changed, timeout=2000):  # the search waits for typing to pause
        qtbot.keyClicks(filters.search, "study")
    assert [model.index(r).data() for r in range(model.rowCount())] == ["Moss Study"]
    assert window.library.count.text() == "1 work"
    filters.search.clear()
    with qtbot.waitSignal(filters.filter_changed, timeout=1000):
        filters.published.setCurrentIndex(filters.published.findData(True))
    assert model.rowCount() == 0  # nothing is on Story yet
    filters.published.setCurrentIndex(filters.published.findData(False))
    filters.license.setCurrentIndex(0)
    qtbot.waitUntil(lambda: model.rowCount() == 3)


def test_dropping_image_files_on_the_gallery_asks_for_a_license_then_imports(qtbot, window, make_image):
    files = [make_image(), make_image()]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files] + [QUrl.fromLocalFile("/tmp/notes.txt")])
    gallery = window.library.gallery
    drop = QDropEvent(
        QPoint(20, 20).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Offscreen Qt has no drag manager to deliver a synthetic drop, so the view's handler gets the event itself.
    gallery.dropEvent(drop)
    assert drop.isAccepted()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and [Path(f) for f in dialog.files] == files
    assert not dialog.title.isEnabled()  # one title cannot name several files
    dialog.license.setCurrentIndex(dialog.license.findData("cc-by-4.0"))
    with qtbot.waitSignal(window.session.library_changed, timeout=15_000):
        press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert window.library.model.rowCount() == 2
    assert {window.library.model.work_at(r).license_id for r in range(2)} == {"cc-by-4.0"}


def test_a_bad_fee_is_explained_in_the_dialog_and_nothing_is_imported(qtbot, window, make_image):
    dialog = window.import_files([str(make_image())])
    dialog.license.setCurrentIndex(dialog.license.findData("pil-commercial-remix"))
    qtbot.keyClicks(dialog.minting_fee, "ten")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible() and "is not an amount" in dialog.error.text()
    assert window.session.jobs.jobs() == []


def test_delete_goes_to_the_trash_and_undo_brings_it_back(qtbot, window, add_image):
    keep = add_image(title="Keep")
    gone = add_image(title="Gone")
    click_work(qtbot, window, gone)
    assert window.actions_by_name["delete"].isEnabled()
    qtbot.keyClick(window.library.gallery, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1)
    assert window.library.model.work_at(0).id == keep and window.session.studio.work(gone).deleted_at
    assert window.undo_stack.undoText() == "Delete 1 work"
    window.actions_by_name["undo"].trigger()
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 2)
    assert window.session.studio.work(gone).deleted_at is None and window.session.selection == (gone,)
    window.actions_by_name["redo"].trigger()
    qtbot.waitUntil(lambda: window.library.model.rowCount() == 1)

    dialog = window.open_trash()
    assert isinstance(dialog, TrashDialog) and dialog.list.count() == 1
    dialog.list.item(0).setSelected(True)
    assert dialog.restore_button.isEnabled()
    with qtbot.waitSignal(window.session.library_changed, timeout=1000):
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.list.count() == 0 and window.library.model.rowCount() == 2


def test_a_card_names_its_license_by_title_whole_in_its_tooltip(qtbot, window, add_image):
    work = add_image("pil-non-commercial-social-remixing", title="Dawn")
    model = window.library.model
    index = model.index(model.row_of(work))
    title = window.session.studio.catalog.get("pil-non-commercial-social-remixing").name
    assert model.data(index, LicenseNameRole) == title != "pil-non-commercial-social-remixing"
    tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert title in tip and "pil-non-commercial-social-r" not in tip
