"""Filling the Create panel from a work's recipe: prompt, seed, model, LoRAs, sizes and sampling."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit, QSpinBox, QTableWidget

from studio.app.values import Recipe


@dataclass(frozen=True)
class RecipeFields:
    """The Create panel's fields a recipe fills."""

    prompt: QPlainTextEdit
    negative: QLineEdit
    seed: QLineEdit
    lock_seed: QCheckBox
    model: QComboBox  # items' data: (name, ...) of each model
    loras: QTableWidget  # column 0: (name, work id) as user data, column 1: a weight spin box
    steps: QSpinBox
    guidance: QDoubleSpinBox
    width_: QSpinBox
    height_: QSpinBox
    strength: QDoubleSpinBox


def fill_from_recipe(panel: RecipeFields, recipe: Recipe) -> list[str]:
    """Fill the fields from a work's recipe (prompt, seed, model, LoRAs, sizes, sampling); returns the names
    of the model and LoRAs this library does not have, which are left out."""
    missing: list[str] = []
    panel.prompt.setPlainText(recipe.prompt or "")
    panel.negative.setText(recipe.negative_prompt or "")
    if recipe.seed is not None:
        panel.seed.setText(str(recipe.seed))
        panel.lock_seed.setChecked(True)
    if recipe.model:
        index = next(
            (i for i in range(panel.model.count()) if (panel.model.itemData(i) or ("",))[0] == recipe.model), -1
        )
        if index >= 0:
            panel.model.setCurrentIndex(index)
        else:
            missing.append(recipe.model)
    wanted = {(u.name or u.id): u.weight for u in recipe.loras}
    found = set()
    for row in range(panel.loras.rowCount()):
        item = panel.loras.item(row, 0)
        name, work_id = item.data(Qt.ItemDataRole.UserRole)
        key = name if name in wanted else (work_id if work_id in wanted else None)
        item.setCheckState(Qt.CheckState.Checked if key else Qt.CheckState.Unchecked)
        if key:
            found.add(key)
            panel.loras.cellWidget(row, 1).setValue(wanted[key])  # type: ignore[union-attr]
    missing += [name for name in wanted if name not in found]
    panel.steps.setValue(recipe.steps or 0)
    panel.guidance.setValue(recipe.guidance if recipe.guidance is not None else -0.5)
    panel.width_.setValue(recipe.width or 0)
    panel.height_.setValue(recipe.height or 0)
    panel.strength.setValue(recipe.strength or 0.0)
    return missing
