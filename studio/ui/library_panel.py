"""The library side of the window: filters (license, origin, publication, text) above the gallery, or what to do
first when the library is empty."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from studio.app.session import LiveChanges, StudioSession
from studio.app.values import Origin, WorkKind
from studio.app.works_model import LibraryFilter, WorkIdRole, WorksModel
from studio.ui.empty_library import EmptyLibrary
from studio.ui.gallery import GalleryView
from studio.ui.thumbnails import ThumbnailProvider

SEARCH_DELAY_MS = 200


class FilterBar(QWidget):
    filter_changed = Signal(object)

    def __init__(self, license_ids: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search titles, creators, prompts")
        self.search.setClearButtonEnabled(True)
        self.kind = _combo(
            [("Images", WorkKind.image), ("Models", WorkKind.model), ("LoRAs", WorkKind.lora), ("Everything", None)]
        )
        self.license = _combo([("Any license", None), *license_ids])
        self.origin = _combo([("Any origin", None), ("Imported", Origin.imported), ("Generated", Origin.generated)])
        self.published = _combo([("Published or not", None), ("On Story", True), ("Not published", False)])
        for widget, tip in (
            (self.kind, "Kind of work"),
            (self.license, "License"),
            (self.origin, "Origin"),
            (self.published, "Publication on Story"),
        ):
            widget.setToolTip(tip)
            widget.currentIndexChanged.connect(self._emit)
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        row = QHBoxLayout()
        for widget in (self.kind, self.license, self.origin, self.published):
            row.addWidget(widget, 1)
        layout.addLayout(row)

    def current(self) -> LibraryFilter:
        # Qt hands enum data back as plain strings, so they are turned back into the studio's enums here.
        kind, origin = self.kind.currentData(), self.origin.currentData()
        return LibraryFilter(
            kind=WorkKind(kind) if kind else None,
            license_id=self.license.currentData(),
            origin=Origin(origin) if origin else None,
            published=self.published.currentData(),
            text=self.search.text(),
        )

    def _emit(self) -> None:
        self._timer.stop()
        self.filter_changed.emit(self.current())


def _combo(items: list[tuple[str, object]]) -> QComboBox:
    box = QComboBox()
    # Long license names must not set the library's minimum width; the popup still shows them in full.
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(6)
    for label, data in items:
        box.addItem(label, data)
    return box


class LibraryPanel(QWidget):
    """Filters, the gallery, and a count; the gallery's selection is the session's selection."""

    def __init__(self, session: StudioSession, thumbnails: ThumbnailProvider, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        licenses = session.licenses()
        self.filters = FilterBar(licenses)
        self.model = WorksModel(session, self, license_names={license_id: name for name, license_id in licenses})
        self.gallery = GalleryView(thumbnails, self)
        self.gallery.setModel(self.model)
        self.count = QLabel()
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.empty = EmptyLibrary()
        self.stack = QStackedWidget()
        browse = QWidget()
        browse_layout = QVBoxLayout(browse)
        browse_layout.setContentsMargins(0, 0, 0, 0)
        browse_layout.addWidget(self.filters)
        browse_layout.addWidget(self.gallery, 1)
        browse_layout.addWidget(self.count)
        self.stack.addWidget(browse)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)
        self.filters.filter_changed.connect(self._set_filter)
        self.gallery.selectionModel().selectionChanged.connect(self._on_selection)
        session.library_changed.connect(self.refresh)
        session.live_changes.connect(self._apply_live)
        session.selection_changed.connect(self._follow_session)
        self._syncing = False
        self._update_count()

    def _set_filter(self, flt: LibraryFilter) -> None:
        self.model.set_filter(flt)
        self._reselect()
        self._update_count()

    def refresh(self) -> None:
        self.model.refresh()
        self._reselect()
        self._update_count()

    def _apply_live(self, changes: LiveChanges) -> None:
        """Rows another machine changed, updated in place (the gallery is not read again)."""
        if not self.model.apply_changes(changes.work_ids):
            self._reselect()
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n:,} work{'s' if n != 1 else ''}")
        # Empty means nothing at all (models included), not nothing matching the filters.
        empty = n == 0 and self.session.count_works(LibraryFilter(kind=None)) == 0
        self.stack.setCurrentWidget(self.empty if empty else self.stack.widget(0))

    def is_empty_shown(self) -> bool:
        return self.stack.currentWidget() is self.empty

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._syncing:
            return
        rows = sorted(i.row() for i in self.gallery.selectionModel().selectedIndexes())
        ids = [self.model.index(r).data(WorkIdRole) for r in rows]
        current = self.gallery.currentIndex()
        if current.isValid() and current.row() in rows:  # the item clicked last leads (lineage, license panel)
            first = current.data(WorkIdRole)
            ids = [first, *[i for i in ids if i != first]]
        self.session.select([i for i in ids if i])

    def _follow_session(self) -> None:
        """Mirror a selection made elsewhere (a click in the lineage graph) in the gallery."""
        wanted = self.session.selection
        selected = {self.model.index(i.row()).data(WorkIdRole) for i in self.gallery.selectionModel().selectedIndexes()}
        if set(wanted) == selected:
            return
        self._reselect()

    def _reselect(self) -> None:
        self._syncing = True
        try:
            selection_model = self.gallery.selectionModel()
            selection_model.clearSelection()
            for n, work_id in enumerate(self.session.selection):
                row = self.model.row_of(work_id)
                if row is None:
                    continue
                index = self.model.index(row)
                flags = QItemSelectionModel.SelectionFlag.Select
                if n == 0:
                    selection_model.setCurrentIndex(index, flags)
                    self.gallery.scrollTo(index)
                else:
                    selection_model.select(index, flags)
        finally:
            self._syncing = False
