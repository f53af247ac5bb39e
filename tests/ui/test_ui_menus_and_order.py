"""Small truths on screen: menu text without stray mnemonics, the application's name once in the title, the
kind filter, and the gallery in the same order as `studio list`."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner
from PySide6.QtGui import QKeySequence

from studio.app.works_model import WorkIdRole
from studio.cli.main import cli
from studio.core.types import Origin, Terms, WorkKind
from studio.store.works import NewWork


def test_view_menu_tab_actions_show_their_ampersand_as_text(window):
    texts = {a.text(): a for a in window.menus.tab_actions}
    assert "License && royalty" in texts  # shown as "License & royalty", not "License _royalty"
    assert all(QKeySequence.mnemonic(text).isEmpty() for text in texts)


def test_the_application_name_appears_once_in_the_title(window):
    name = "Remix Studio"  # the display name `studio.ui.launch.application` gives the application
    title = window.windowTitle()
    # The window system appends the display name to any title that does not already end with it.
    assert title.endswith(name) and title.count(name) == 1
    assert str(window.session.library_dir) in title


def test_the_images_filter_does_not_count_models(qtbot, window, add_image):
    add_image("cc0-1.0", title="Moss Pattern")
    works = window.session.studio.library.works
    works.insert(
        NewWork(
            kind=WorkKind.model,
            sha256=hashlib.sha256(b"a model").hexdigest(),
            title="Some model",
            origin=Origin.imported,
            terms=Terms("cc0-1.0"),
        )
    )
    window.session.library_changed.emit()
    filters, model = window.library.filters, window.library.model
    filters.kind.setCurrentIndex(filters.kind.findText("Everything"))
    assert model.rowCount() == 2
    filters.kind.setCurrentIndex(filters.kind.findText("Images"))
    assert model.rowCount() == 1 and window.library.count.text() == "1 work"
    filters.origin.setCurrentIndex(filters.origin.findText("Generated"))
    assert model.rowCount() == 0


def test_the_gallery_lists_works_in_the_order_of_studio_list(window, add_image):
    for title in ("Gamma", "Alpha", "Beta"):
        add_image("cc0-1.0", title=title)
    listed = CliRunner().invoke(cli, ["--library", str(window.session.library_dir), "list", "--json"])
    assert listed.exit_code == 0, listed.output
    cli_ids = [w["id"] for w in json.loads(listed.output)]
    model = window.library.model
    assert [model.index(r).data(WorkIdRole) for r in range(model.rowCount())] == cli_ids
