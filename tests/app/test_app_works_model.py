"""The gallery's list model over a real library: Qt's model rules, `studio list`'s order, pages, filters, refresh."""

from __future__ import annotations

import hashlib

import pytest
from PySide6.QtCore import Qt

from studio.app import works_model
from studio.app.works_model import FlaggedRole, LibraryFilter, WorkIdRole, WorkRole, WorksModel
from studio.core.types import Origin, Terms, WorkKind
from studio.store.works import NewWork


def insert_rows(
    studio, count: int, *, license_id: str = "cc0-1.0", origin: Origin = Origin.imported, prefix: str = "Work"
) -> list[str]:
    """Rows without files, for paging over many works quickly (the model never opens files)."""
    ids = []
    works = studio.library.works
    with studio.library.db.atomic():
        for n in range(count):
            sha = hashlib.sha256(f"{prefix}{n}{license_id}".encode()).hexdigest()
            work = works.insert(
                NewWork(
                    kind=WorkKind.image,
                    sha256=sha,
                    title=f"{prefix} {n:05d}",
                    origin=origin,
                    terms=Terms(license_id),
                    created_at=f"2026-01-01T00:00:00.{n:06d}Z",
                )
            )
            ids.append(work.id)
    return ids


def test_the_model_passes_qts_model_checks(qtmodeltester, session, add_image):
    add_image("cc-by-4.0", title="One")
    add_image("cc0-1.0", title="Two")
    model = WorksModel(session)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2


def test_rows_follow_the_store_order_and_are_read_a_page_at_a_time(qtmodeltester, session, monkeypatch):
    monkeypatch.setattr(works_model, "PAGE_SIZE", 50)
    monkeypatch.setattr(works_model, "MAX_PAGES", 3)
    ids = insert_rows(session.studio, 320)
    reads = []
    original = session.page_of_works
    monkeypatch.setattr(session, "page_of_works", lambda f, o, n: reads.append((o, n)) or original(f, o, n))
    model = WorksModel(session)
    assert model.rowCount() == 320 and model.loaded_pages() == 0
    assert model.index(0).data(WorkIdRole) == ids[0]  # oldest first, as `studio list`
    assert model.index(319).data(WorkIdRole) == ids[-1]
    assert model.index(51).data() == "Work 00051"
    assert reads == [(0, 50), (300, 20), (50, 50)]
    for row in range(0, 320, 10):  # scrolling through keeps at most MAX_PAGES pages in memory
        assert model.index(row).data(WorkRole).title == f"Work {row:05d}"
    assert model.loaded_pages() == 3
    assert model.row_of(ids[-1]) == 319  # a new work is found among the last pages
    qtmodeltester.check(model, force_py=True)


def test_filters_by_license_origin_text_and_kind(session, add_image):
    insert_rows(session.studio, 3, license_id="cc-by-4.0", prefix="Lake")
    insert_rows(session.studio, 2, license_id="cc0-1.0", origin=Origin.generated, prefix="Forest")
    model = WorksModel(session)
    assert model.rowCount() == 5
    model.set_filter(LibraryFilter(license_id="cc-by-4.0"))
    assert {model.index(r).data(WorkRole).license_id for r in range(model.rowCount())} == {"cc-by-4.0"}
    assert model.rowCount() == 3
    model.set_filter(LibraryFilter(origin=Origin.generated))
    assert [model.index(r).data() for r in range(model.rowCount())] == ["Forest 00000", "Forest 00001"]
    model.set_filter(LibraryFilter(text="lake 0000"))
    assert model.rowCount() == 3
    model.set_filter(LibraryFilter(text="100%_"))  # LIKE wildcards are searched for literally
    assert model.rowCount() == 0
    model.set_filter(LibraryFilter(kind=WorkKind.model))
    assert model.rowCount() == 0


def test_refresh_after_changes_and_roles(qtbot, session, add_image):
    first = add_image("cc-by-4.0", title="First")
    model = WorksModel(session)
    second = add_image("cc0-1.0", title="Second")
    assert model.rowCount() == 1
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.refresh()
    assert model.rowCount() == 2 and model.row_of(first) == 0 and model.row_of(second) == 1
    index = model.index(model.row_of(first))
    assert "First" in index.data(Qt.ItemDataRole.ToolTipRole) and "cc-by-4.0" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert index.data(FlaggedRole) is False
    assert model.index(5).data() is None and model.work_at(-1) is None
    session.trash([first])
    model.refresh()
    assert model.rowCount() == 1 and model.row_of(first) is None
    model.set_filter(LibraryFilter(kind=None, trashed=True))
    assert [model.index(r).data(WorkIdRole) for r in range(model.rowCount())] == [first]


@pytest.mark.parametrize("published", [True, False])
def test_publication_filter_narrows_to_works_on_or_off_story(session, add_image, published):
    add_image("cc-by-4.0", title="Loose")
    model = WorksModel(session)
    model.set_filter(LibraryFilter(published=published))
    assert model.rowCount() == (0 if published else 1)


def _bulk(session, count: int, *, start: int = 0, stamp: str = "2026-01-01T00:00:00.{n:06d}Z") -> list[str]:
    ids = [f"{n:012x}" for n in range(start, start + count)]
    session.studio.library.db.execute_many(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
        "VALUES (?, 'image', ?, ?, 'imported', 'cc0-1.0', ?, ?)",
        [(i, f"sha-{i}", f"work {i}", stamp.format(n=n), stamp.format(n=n)) for n, i in zip(range(start, start + count),
                                                                                            ids, strict=True)],
    )
    return ids


def _as_the_store_lists(session, model: WorksModel) -> None:
    expected = [w.id for w in session.page_of_works(model.filter, 0, 10_000)]
    assert [model.work_at(row).id for row in range(model.rowCount())] == expected  # type: ignore[union-attr]


def test_changes_are_applied_in_place_across_pages(qtmodeltester, session) -> None:
    """Rows another machine added, trashed or edited are placed where the store lists them, in pages read or not,
    without a reset; a change applied twice changes nothing."""
    _bulk(session, 600)
    model = WorksModel(session)
    qtmodeltester.check(model)
    model.work_at(0)
    model.work_at(599)  # the first and the last page are read, the middle one is not
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))

    (newest,) = _bulk(session, 1, start=1000, stamp="2026-02-01T00:00:00.{n:06d}Z")
    assert model.apply_changes([newest])
    assert model.rowCount() == 601 and model.work_at(600).id == newest  # type: ignore[union-attr]
    assert model.apply_changes([newest]) and model.rowCount() == 601  # not applied twice

    model.work_at(300)  # the middle page is shown too
    (middle,) = _bulk(session, 1, start=2000, stamp="2026-01-01T00:00:00.000300Z")  # between rows 300 and 301
    assert model.apply_changes([middle])
    assert model.work_at(301).id == middle  # type: ignore[union-attr]

    first = model.work_at(0)
    session.studio.library.works.trash(first.id)  # type: ignore[union-attr]
    session.studio.library.works.update(newest, title="renamed")
    assert model.apply_changes([first.id, newest])  # type: ignore[union-attr]
    assert model.rowCount() == 601 and model.work_at(600).title == "renamed"  # type: ignore[union-attr]
    assert resets == []
    _as_the_store_lists(session, model)


def test_a_change_it_cannot_place_reads_the_model_again(qtmodeltester, session) -> None:
    _bulk(session, 600)
    model = WorksModel(session)
    model.work_at(0)  # only the first page is read
    hidden = _bulk(session, 3, start=3000, stamp="2026-01-01T00:00:00.000400Z")
    # Works added in pages never read: the count disagrees, so everything is read again.
    assert not model.apply_changes([hidden[0]])
    assert model.rowCount() == 603
    _as_the_store_lists(session, model)
    qtmodeltester.check(model)
