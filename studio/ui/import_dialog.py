"""File ▸ Import and dropped files: the license, its parameters, the creator, a title and the parents."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.app.amount_fields import fee_from_text
from studio.app.license_model import LicenseCatalog
from studio.app.session import ImportOptions
from studio.app.values import InvalidInput, Relation, Work, percent_to_units

RELATION_NAMES = {
    Relation.remix_of: "Remix of",
    Relation.inpaint_of: "Inpaint of",
    Relation.composite_of: "Blend of",
}


class ImportDialog(QDialog):
    def __init__(
        self,
        files: Sequence[Path],
        catalog: LicenseCatalog,
        candidates: Sequence[Work] = (),
        *,
        creator: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import images")
        self.files = [Path(f) for f in files]
        self.catalog = catalog
        names = ", ".join(f.name for f in self.files[:4]) + (" …" if len(self.files) > 4 else "")
        header = QLabel(f"<b>{len(self.files)} file{'s' if len(self.files) != 1 else ''}</b>: {names}")
        header.setWordWrap(True)

        self.title = QLineEdit(placeholderText="from the file name")
        self.title.setEnabled(len(self.files) == 1)
        self.creator = QLineEdit(creator, placeholderText="who made it")
        self.license = QComboBox()
        self.license.addItem("Inherited from the parents, else all rights reserved", None)
        for lic in catalog.all():
            self.license.addItem(lic.name, lic.id)
        self.summary = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText, openExternalLinks=True)
        self.rev_share = QDoubleSpinBox(suffix=" %", decimals=2, maximum=100.0, singleStep=1.0)
        self.rev_share.setSpecialValueText("license default")
        self.minting_fee = QLineEdit(placeholderText="license default (IP, e.g. 0.5, or 250wei)")
        self.parents = QListWidget()
        self.parents.setMaximumHeight(96)
        for work in candidates:
            item = QListWidgetItem(f"{work.title}  ({work.id})")
            item.setData(Qt.ItemDataRole.UserRole, work.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.parents.addItem(item)
        self.relation = QComboBox()
        for relation, label in RELATION_NAMES.items():
            self.relation.addItem(label, relation)
        self.inherit_note = QLabel(
            "With parents, the license follows their terms where they require it "
            "(reciprocal PIL, share-alike); a rev share here can only raise theirs.",
            wordWrap=True,
        )
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet("color: #c83c3c")

        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Creator", self.creator)
        form.addRow("License", self.license)
        form.addRow("", self.summary)
        form.addRow("Revenue share", self.rev_share)
        form.addRow("Minting fee", self.minting_fee)
        if candidates:
            form.addRow("Parents", self.parents)
            form.addRow("Relation", self.relation)
            form.addRow("", self.inherit_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.license.currentIndexChanged.connect(self._license_changed)
        self._license_changed()

    def _license_changed(self) -> None:
        license_id = self.license.currentData()
        if license_id is None:
            self.summary.setText(
                "A remix takes the terms its parents require; a work with no parents is imported "
                "with all rights reserved."
            )
            self.rev_share.setEnabled(True)
            self.minting_fee.setEnabled(False)
            return
        lic = self.catalog.get(license_id)
        self.summary.setText(f"{lic.summary} <a href='{lic.legal_url}'>Legal text</a>")
        self.rev_share.setEnabled("rev_share" in lic.parameters)
        self.minting_fee.setEnabled("minting_fee" in lic.parameters)

    def options(self) -> ImportOptions:
        """The answers as import options; raises InvalidInput for a fee that is not an amount of IP (or wei)."""
        fee = fee_from_text(self.minting_fee.text()) if self.minting_fee.isEnabled() else None
        share = self.rev_share.value() if self.rev_share.isEnabled() and self.rev_share.value() > 0 else None
        parents = tuple(
            self.parents.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.parents.count())
            if self.parents.item(i).checkState() == Qt.CheckState.Checked
        )
        return ImportOptions(
            license_id=self.license.currentData(),
            rev_share=percent_to_units(share) if share is not None else None,
            minting_fee=fee,
            creator=self.creator.text().strip() or None,
            title=self.title.text().strip() or None,
            parents=parents,
            relation=self.relation.currentData(),
        )

    def _accept(self) -> None:
        try:
            self.options()
        except InvalidInput as exc:
            self.error.setText(str(exc))
            return
        self.accept()
