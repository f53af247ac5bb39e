"""The gallery's list model: the library's works in the order `studio list` prints them (oldest first, by the
same store query), read a page at a time.

The model is windowed: `rowCount` is the number of matching works, and rows are read from SQLite in pages
when a view first asks for them, keeping the most recently used pages. Scrolling through 10,000 works reads
only the pages that come into view, and the scroll bar always shows the whole library.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from studio.core.types import Origin, Work, WorkKind

log = logging.getLogger(__name__)

PAGE_SIZE = 256
MAX_PAGES = 24

WorkRole = Qt.ItemDataRole.UserRole + 1
WorkIdRole = Qt.ItemDataRole.UserRole + 2
FlaggedRole = Qt.ItemDataRole.UserRole + 3
PublishedRole = Qt.ItemDataRole.UserRole + 4
LicenseNameRole = Qt.ItemDataRole.UserRole + 5  # the license's title, as people read it (its id where unknown)

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class LibraryFilter:
    """What the gallery shows; None means any. `published` narrows to works on (True) or off (False) Story: the
    network the library publishes to."""

    kind: WorkKind | None = WorkKind.image
    license_id: str | None = None
    origin: Origin | None = None
    published: bool | None = None
    text: str = ""
    trashed: bool = False


class WorkSource(Protocol):
    """Where the model reads works from (the Studio facade in the window, anything alike in tests)."""

    def count_works(self, flt: LibraryFilter) -> int: ...

    def page_of_works(self, flt: LibraryFilter, offset: int, limit: int) -> list[Work]: ...

    def published_ids(self) -> frozenset[str]: ...

    def position_of(self, flt: LibraryFilter, work_id: str) -> tuple[int, Work] | None: ...


class WorksModel(QAbstractListModel):
    def __init__(self, source: WorkSource, parent: Any = None, license_names: Mapping[str, str] | None = None
                 ) -> None:
        super().__init__(parent)
        self._source = source
        self._license_names = dict(license_names or {})
        self._filter = LibraryFilter()
        self._total = source.count_works(self._filter)
        self._pages: OrderedDict[int, list[Work]] = OrderedDict()
        self._closed = False

    def license_name(self, work: Work) -> str:
        return self._license_names.get(work.license_id, work.license_id)

    # -- Qt model API -------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else self._total

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < self._total:
            return None
        work = self.work_at(index.row())
        if work is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return work.title
        if role == Qt.ItemDataRole.ToolTipRole:
            who = f" by {work.creator}" if work.creator else ""
            flag = "\n⚠ " + str(work.flags[0].get("message", "flagged")) if work.flags else ""
            return f"{work.title}{who}\n{self.license_name(work)} · {work.origin.value} · {work.id}{flag}"
        if role == LicenseNameRole:
            return self.license_name(work)
        if role == WorkRole:
            return work
        if role == WorkIdRole:
            return work.id
        if role == FlaggedRole:
            return work.flagged
        if role == PublishedRole:
            return not self._closed and work.id in self._source.published_ids()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({WorkRole: b"work", WorkIdRole: b"workId", FlaggedRole: b"flagged", PublishedRole: b"published"})
        return names

    # -- the studio's API ---------------------------------------------------------------------------------
    @property
    def filter(self) -> LibraryFilter:
        return self._filter

    def set_filter(self, flt: LibraryFilter) -> None:
        if flt == self._filter:
            return
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Re-read the library (after an import, a generation, a delete): the rows may all have moved."""
        if self._closed:
            return
        self.beginResetModel()
        self._pages.clear()
        self._total = self._source.count_works(self._filter)
        self.endResetModel()

    def apply_changes(self, work_ids: Iterable[str]) -> bool:
        """Bring the rows of changed works up to date in place (another machine added, edited, trashed, reviewed
        or published them): rows are inserted, removed or repainted, and the views keep their scroll position and
        selection. A change is placed in place only where the pages read hold its row and its neighbours (what the
        views show); a change elsewhere, or a number of matching works that disagrees with the rows afterwards,
        reads the model again. Returns whether it was updated in place. Idempotent: a change already shown (the
        window's own, read back by a refresh) changes nothing."""
        if self._closed:
            return True
        found = {work_id: self._source.position_of(self._filter, work_id) for work_id in set(work_ids)}
        actual = self._source.count_works(self._filter)

        def key(work_id: str) -> tuple[str, str]:
            now = found[work_id]
            work = now[1] if now is not None else self._cached(work_id)[1]
            return (work.created_at or "", work.id) if work is not None else ("", work_id)

        # In the list's order: each row's place, read from the final state, is right once the rows before it are.
        for work_id in sorted(found, key=key):
            cached_row, _ = self._cached(work_id)
            now = found[work_id]
            if cached_row is not None:
                if now is not None and now[0] == cached_row:
                    self._replace_row(cached_row, now[1])
                elif now is None and self._settled(cached_row, removing=True):
                    self._remove_row(cached_row)
                else:
                    self.refresh()
                    return False
            elif now is not None and self._settled(now[0], removing=False):
                self._insert_row(now[0], now[1])
            # Otherwise the row is in pages never read: only the count below can tell whether it came or went.
        if self._total != actual:
            self.refresh()
            return False
        return True

    def _cached(self, work_id: str) -> tuple[int | None, Work | None]:
        for page_no, page in self._pages.items():
            for i, work in enumerate(page):
                if work.id == work_id:
                    return page_no * PAGE_SIZE + i, work
        return None, None

    def _settled(self, row: int, *, removing: bool) -> bool:
        """Whether the pages read hold `row`'s place and the rows on either side of it, so that the rows around a
        change read the same before it and after it (nothing is read from the changed library in between)."""
        if self._total == 0:
            return not removing
        last = removing and row == self._total - 1
        neighbours = [row - 1, row + 1] if removing else [row - 1, row]
        for neighbour in (n for n in neighbours if 0 <= n < self._total):
            if self._pages.get(neighbour // PAGE_SIZE) is None:
                return False
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._pages.get(page_no)
        if page is None:  # an insert right after the last row, which ends a full page
            return not removing and row == self._total and self._pages.get(page_no - 1) is not None
        return last or offset <= len(page)

    def _is_last_page(self, page_no: int) -> bool:
        return page_no == max(0, (self._total - 1) // PAGE_SIZE)

    def _forget_pages_from(self, page_no: int) -> None:
        for number in [n for n in self._pages if n >= page_no]:
            del self._pages[number]

    def _insert_row(self, row: int, work: Work) -> None:
        page_no, offset = divmod(row, PAGE_SIZE)
        self.beginInsertRows(QModelIndex(), row, row)
        page = self._pages.get(page_no)
        if page is not None and self._is_last_page(page_no) and len(page) < PAGE_SIZE:
            page.insert(offset, work)
        elif offset == 0 and page is None and row == self._total and self._pages.get(page_no - 1) is not None:
            self._pages[page_no] = [work]
        else:  # the rows after it moved one down: their pages are read again when shown
            self._forget_pages_from(page_no)
        self._total += 1
        self.endInsertRows()

    def _remove_row(self, row: int) -> None:
        page_no, offset = divmod(row, PAGE_SIZE)
        self.beginRemoveRows(QModelIndex(), row, row)
        page = self._pages.get(page_no)
        if page is not None and self._is_last_page(page_no):
            page.pop(offset)
        else:
            self._forget_pages_from(page_no)
        self._total -= 1
        self.endRemoveRows()

    def _replace_row(self, row: int, work: Work) -> None:
        page_no, offset = divmod(row, PAGE_SIZE)
        self._pages[page_no][offset] = work
        index = self.index(row)
        self.dataChanged.emit(index, index)  # also when only its review or publication changed

    def close(self) -> None:
        """Show nothing and never read again (the library is about to close under the views)."""
        self.beginResetModel()
        self._closed = True
        self._pages.clear()
        self._total = 0
        self.endResetModel()

    def work_at(self, row: int) -> Work | None:
        if not 0 <= row < self._total:
            return None
        page_no, offset = divmod(row, PAGE_SIZE)
        page = self._page(page_no)
        return page[offset] if offset < len(page) else None

    def row_of(self, work_id: str, *, read_pages: int = 2) -> int | None:
        """The row of a work among the pages read so far, reading the last `read_pages` (where new works land)
        if needed; None when it is not among them or not shown."""
        pages = -(-self._total // PAGE_SIZE)
        for page_no in range(max(0, pages - read_pages), pages):
            self._page(page_no)
        for page_no, page in self._pages.items():
            for i, work in enumerate(page):
                if work.id == work_id:
                    return page_no * PAGE_SIZE + i
        return None

    def loaded_pages(self) -> int:
        return len(self._pages)

    def _page(self, page_no: int) -> list[Work]:
        page = self._pages.get(page_no)
        if page is not None:
            self._pages.move_to_end(page_no)
            return page
        start = page_no * PAGE_SIZE
        try:
            page = self._source.page_of_works(self._filter, start, min(PAGE_SIZE, self._total - start))
        except Exception:
            # data() runs inside Qt's painting, where an exception would take the whole window down; a page
            # that cannot be read shows as blank cards until the next refresh.
            log.exception("could not read works from %d of the library", start)
            return []
        self._pages[page_no] = page
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        return page
