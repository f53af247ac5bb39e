"""The create panel: prompt, model, LoRAs, sampling, inpaint mask, blend weights; each mode's button says why not."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.app.create_actions import (
    ROYALTY_POLICIES,
    ActionState,
    CreateRequest,
    action_states,
    default_builtin_name,
    default_steps,
    steps_notes,
    suggested_prompts,
    terms_choice,
    waiting_hints,
)
from studio.app.session import StudioSession
from studio.app.values import InvalidInput, Mode, Recipe, StudioError, Work, WorkKind
from studio.ui.create_recipe import RecipeFields, fill_from_recipe
from studio.ui.engine_status import EngineChooser, PoolStatusView
from studio.ui.mask_canvas import MaskCanvas
from studio.ui.model_dialog import AddModelDialog
from studio.ui.prompt_history import PromptHistoryButton
from studio.ui.theme import REFUSED

MAX_SEED = 2**32 - 1
MAX_BATCH = 16


class CreatePanel(QWidget):
    submitted = Signal(int)  # job id
    states_changed = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)

        # parents: what the remix starts from
        self.parents_label = QLabel(wordWrap=True)
        self.mask = MaskCanvas()
        self.brush = QSlider(Qt.Orientation.Horizontal, minimum=4, maximum=128, value=self.mask.brush)
        self.brush.valueChanged.connect(lambda v: setattr(self.mask, "brush", v))
        self.clear_mask = QPushButton("Clear mask")
        self.clear_mask.clicked.connect(self.mask.clear)
        self.weights = QTableWidget(0, 2)
        self.weights.setHorizontalHeaderLabels(["Parent", "Weight"])
        self.weights.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.weights.verticalHeader().hide()
        self.weights.setMaximumHeight(130)
        parents_box = QGroupBox("Start from")
        self.parents_box = parents_box
        parents_layout = QVBoxLayout(parents_box)
        parents_layout.addWidget(self.mask, 1)
        brush_row = QHBoxLayout()
        brush_row.addWidget(QLabel("Brush"))
        brush_row.addWidget(self.brush, 1)
        brush_row.addWidget(self.clear_mask)
        parents_layout.addLayout(brush_row)
        parents_layout.addWidget(self.weights)

        # what to make
        self.prompt = QPlainTextEdit(placeholderText="Describe the image")
        self.prompt.setMaximumHeight(64)
        self.recent = PromptHistoryButton()
        self.recent.picked.connect(self.prompt.setPlainText)
        # Prompts the chosen model is known to draw (the built-in emoji model knows emoji by name).
        self.ideas = QToolButton(text="Ideas")
        self.ideas.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.ideas.setMenu(QMenu(self.ideas))
        self.ideas.setToolTip("Prompts this model is known to draw")
        self.negative = QLineEdit(placeholderText="What to avoid (negative prompt)")
        self.model = QComboBox()
        self.add_model = QPushButton("Add…")
        self.add_model.setToolTip("Add a base model or a LoRA from a file or folder")
        self.add_model.clicked.connect(self.add_model_dialog)
        self.models_dir = ""
        self._archs: dict[str, str | None] = {}
        self.loras = QTableWidget(0, 2)
        self.loras.setHorizontalHeaderLabels(["LoRA", "Weight"])
        self.loras.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.loras.verticalHeader().hide()
        self.loras.setMaximumHeight(96)
        self.seed = QLineEdit(str(random.randrange(MAX_SEED)))
        self.seed.setToolTip("Seed: lock it to repeat a result; unlocked, every run draws a new one")
        self.lock_seed = QCheckBox("Lock")
        self.dice = QToolButton(text="New")
        self.dice.setToolTip("New random seed")
        self.dice.clicked.connect(lambda: self.seed.setText(str(random.randrange(MAX_SEED))))
        self.steps = QSpinBox(minimum=0, maximum=150, specialValueText="auto")
        self.guidance = QDoubleSpinBox(minimum=-0.5, maximum=30.0, singleStep=0.5, value=-0.5, specialValueText="auto")
        self.width_ = QSpinBox(minimum=0, maximum=2048, singleStep=8, specialValueText="auto")
        self.height_ = QSpinBox(minimum=0, maximum=2048, singleStep=8, specialValueText="auto")
        self.strength = QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, specialValueText="auto")
        self.steps_note = QLabel()
        self.steps_note.setToolTip("Remixes and inpaints run only the last part of the steps, set by the strength")
        self.batch = QSpinBox(minimum=1, maximum=MAX_BATCH, value=1)
        self.batch.setToolTip("How many images to make from this request, with seeds counting up from the seed")
        self.commercial = QCheckBox("I intend to use the result commercially")
        # Story's royalty policy of a new root image; "Default" is the model's terms when it is on Story.
        self.royalty_policy = QComboBox()
        self.royalty_policy.addItem("Default (LAP)", None)
        for policy, label in ROYALTY_POLICIES:
            self.royalty_policy.addItem(label, policy)
        self.royalty_policy.setToolTip("How the new image's revenue flows to its ancestors on Story")
        self.terms_note = QLabel(wordWrap=True)
        self.terms_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        prompt_row = QHBoxLayout()
        prompt_row.addWidget(self.prompt, 1)
        prompt_row.addWidget(self.recent, 0, Qt.AlignmentFlag.AlignTop)
        prompt_row.addWidget(self.ideas, 0, Qt.AlignmentFlag.AlignTop)
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.lock_seed)
        seed_row.addWidget(self.dice)
        seed_row.addWidget(QLabel("Images"))
        seed_row.addWidget(self.batch)
        sampling_row = QHBoxLayout()
        sampling_row.addWidget(self.steps, 1)
        sampling_row.addWidget(QLabel("Guidance"))
        sampling_row.addWidget(self.guidance, 1)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_, 1)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_, 1)
        size_row.addWidget(QLabel("Strength"))
        size_row.addWidget(self.strength, 1)
        form = QFormLayout()
        form.addRow("Prompt", prompt_row)
        form.addRow("Negative", self.negative)
        model_row = QHBoxLayout()
        model_row.addWidget(self.model, 1)
        model_row.addWidget(self.add_model)
        form.addRow("Model", model_row)
        self.engine = EngineChooser(session)
        self.pool_status = PoolStatusView(session, hide_without_pool=True)
        form.addRow("Engine", self.engine)
        form.addRow("", self.pool_status)
        self.loras_label = QLabel("LoRAs")
        form.addRow(self.loras_label, self.loras)
        form.addRow("Seed", seed_row)
        form.addRow("Steps", sampling_row)
        form.addRow("Size", size_row)
        form.addRow("", self.steps_note)
        form.addRow("", self.commercial)
        form.addRow("Royalty policy", self.royalty_policy)
        form.addRow("", self.terms_note)

        self.buttons: dict[Mode, QPushButton] = {}
        button_row = QHBoxLayout()
        for mode in Mode:
            button = QPushButton(mode.label)
            button.clicked.connect(lambda _checked=False, m=mode: self.start(m))
            self.buttons[mode] = button
            button_row.addWidget(button)
        self.reason = QLabel(wordWrap=True, textFormat=Qt.TextFormat.RichText)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.reason.setOpenExternalLinks(True)  # the model license's own text, linked from its note
        # What each greyed-out action waits for, in plain sight (a tooltip on a disabled button is easily missed).
        self.hint = QLabel(wordWrap=True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.setEnabled(False)  # drawn muted: a hint, not an error
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(f"color: {REFUSED.name()}")

        # The settings come first and the parent image (with its mask) last: the picture takes what room is left,
        # so seed, steps, size and strength stay in view on a small screen.
        fields = QVBoxLayout(body)
        fields.addWidget(self.parents_label)
        # Beside the selection it depends on; inside the scrolling fields, it takes room from the picture only.
        fields.addWidget(self.hint)
        fields.addLayout(form)
        fields.addWidget(parents_box, 1)
        fields.addStretch(0)  # takes the spare room when there is no parent to show, so the rows stay together
        # The actions and why they are refused stay in view below the scrolling fields.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.addWidget(scroll, 1)
        actions = QVBoxLayout()
        actions.setContentsMargins(9, 0, 9, 0)
        actions.addLayout(button_row)
        actions.addWidget(self.reason)
        actions.addWidget(self.error)
        layout.addLayout(actions)
        # Ctrl+Enter runs what the selection calls for (Generate, Remix, Inpaint or Blend), from any field.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.start_current)

        self.states: dict[Mode, ActionState] = {}
        self._parents: list[Work] = []
        self.reload_models()
        session.selection_changed.connect(self._selection_changed)
        session.library_changed.connect(self.update_actions)
        session.models_changed.connect(self.reload_models)
        self.mask.mask_changed.connect(self.update_actions)
        self.model.currentIndexChanged.connect(self.update_actions)
        self.model.currentIndexChanged.connect(lambda _i: self._show_ideas())
        self.loras.itemChanged.connect(lambda _item: self.update_actions())
        self.commercial.toggled.connect(self.update_actions)
        self.royalty_policy.currentIndexChanged.connect(self.update_actions)
        self.prompt.textChanged.connect(self.update_actions)
        for box in (self.steps, self.strength):
            box.valueChanged.connect(lambda _v: self._update_steps_note())
        self._selection_changed()
        self._show_ideas()

    def _show_ideas(self) -> None:
        """The prompt box's placeholder and the Ideas menu offer what the chosen model is known to draw."""
        model = self.model.currentData()
        ideas = suggested_prompts(model[0] if model else None)
        self.prompt.setPlaceholderText(
            f"Describe the image, e.g. “{ideas[0]}” (Ctrl+Enter runs it)" if ideas
            else "Describe the image (Ctrl+Enter runs it)"
        )
        menu = self.ideas.menu()
        menu.clear()
        for idea in ideas:
            menu.addAction(idea, lambda text=idea: self.prompt.setPlainText(text))
        self.ideas.setVisible(bool(ideas))

    # -- models -------------------------------------------------------------------------------------------
    def reload_models(self) -> None:
        current = self.model.currentData()
        self.model.blockSignals(True)
        self.model.clear()
        models = self.session.models()
        names = set()
        builtin = default_builtin_name()  # the built-in models' names are their architectures' too
        self._archs = {builtin: builtin}
        for m in models:
            if m.kind is WorkKind.model and m.work.deleted_at is None:
                label = f"{m.name} (built-in)" if m.source == "builtin" else m.name
                self.model.addItem(label, (m.name, m.work.id))
                self._archs[m.name] = m.arch
                names.add(m.name)
        if builtin not in names:
            self.model.addItem(f"{builtin} (built-in)", (builtin, None))
        index = self.model.findData(current) if current is not None else -1
        self.model.setCurrentIndex(max(0, index))
        self.model.blockSignals(False)
        self.loras.blockSignals(True)
        self.loras.setRowCount(0)
        for m in models:
            if m.kind is WorkKind.lora and m.work.deleted_at is None:
                row = self.loras.rowCount()
                self.loras.insertRow(row)
                item = QTableWidgetItem(m.name)
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
                item.setData(Qt.ItemDataRole.UserRole, (m.name, m.work.id))
                self.loras.setItem(row, 0, item)
                weight = QDoubleSpinBox(minimum=-4.0, maximum=4.0, singleStep=0.1, value=1.0)
                self.loras.setCellWidget(row, 1, weight)
        self.loras.blockSignals(False)
        has_loras = self.loras.rowCount() > 0
        self.loras.setVisible(has_loras)
        self.loras_label.setVisible(has_loras)
        self.update_actions()

    def add_model_dialog(self) -> AddModelDialog:
        dialog = AddModelDialog(self.session.licenses(), self.models_dir, self)

        def start() -> None:
            path = dialog.path.text().strip()
            self.session.add_model(
                path, license_id=dialog.license.currentData(), name=dialog.name.text().strip() or None
            )

        dialog.accepted.connect(start)
        dialog.open()
        return dialog

    def _chosen_loras(self) -> list[tuple[str, str, float]]:
        chosen = []
        for row in range(self.loras.rowCount()):
            item = self.loras.item(row, 0)
            if item.checkState() == Qt.CheckState.Checked:
                name, work_id = item.data(Qt.ItemDataRole.UserRole)
                weight = self.loras.cellWidget(row, 1)
                chosen.append((name, work_id, weight.value()))  # type: ignore[union-attr]
        return chosen

    def _tools(self) -> list[str]:
        model = self.model.currentData()
        ids = [model[1]] if model and model[1] else []
        return ids + [work_id for _name, work_id, _w in self._chosen_loras()]

    # -- parents ------------------------------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self._parents = [w for w in self.session.selected_works() if w.kind is WorkKind.image]
        n = len(self._parents)
        if n == 0:
            self.parents_label.setText(
                "Nothing selected: <b>Generate</b> makes a new image from the prompt. "
                "Select one image to remix or inpaint it, several to blend them."
            )
        else:
            titles = ", ".join(w.title for w in self._parents[:5]) + (" …" if n > 5 else "")
            self.parents_label.setText(f"<b>{n} image{'s' if n != 1 else ''}</b>: {titles}")
        image = QImage()
        if n == 1:
            path = self.session.file_of(self._parents[0])
            if path is not None:
                image = QImage(str(path))
        self.mask.set_image(image if not image.isNull() else None)
        self.mask.setVisible(n == 1)
        self.parents_box.setVisible(n >= 1)
        # Generate ignores the selection: the box says which actions start from it.
        self.parents_box.setTitle(
            "Start from (Remix and Inpaint; Generate ignores it)" if n == 1
            else "Start from (Blend; Generate ignores it)"
        )
        self.brush.setEnabled(n == 1)
        self.clear_mask.setEnabled(n == 1)
        self.weights.setRowCount(0)
        if n >= 2:
            for row, work in enumerate(self._parents):
                self.weights.insertRow(row)
                self.weights.setItem(row, 0, QTableWidgetItem(work.title))
                self.weights.setCellWidget(row, 1, QDoubleSpinBox(minimum=0.0, maximum=10.0, singleStep=0.1, value=1.0))
        self.weights.setVisible(n >= 2)
        self.update_actions()

    # -- actions ------------------------------------------------------------------------------------------
    def update_actions(self) -> None:
        self.states = action_states(
            self.session.studio,
            self._parents,
            self._tools(),
            has_mask=self.mask.has_mask(),
            commercial=self.commercial.isChecked(),
            has_prompt=bool(self.prompt.toPlainText().strip()),
        )
        refusals = []
        for mode, state in self.states.items():
            button = self.buttons[mode]
            button.setEnabled(state.enabled)
            button.setToolTip(state.reason)
            if state.license_refusal:
                refusals.append(f"<b>{mode.label}</b> is not allowed: {_escape(state.reason)}")
        notes = list(dict.fromkeys(s.license_note for s in self.states.values() if s.license_note))
        self.states_changed.emit()
        parts = [f"<span style='color:{REFUSED.name()}'>" + "<br>".join(refusals) + "</span>"] if refusals else []
        self.reason.setText("<br>".join(parts + [_linked(note) for note in notes]))
        hints = waiting_hints(self.states, self.current_mode())
        self.hint.setText(hints)
        self.hint.setVisible(bool(hints))
        self._update_steps_note()
        self._update_terms_note()

    def _update_terms_note(self) -> None:
        """Say what "Default" stands for, and what the chosen terms mean for a model that is on Story."""
        choice = terms_choice(
            self.session.studio, self._tools(), royalty_policy=self.royalty_policy.currentData(),
            commercial=self.commercial.isChecked(), has_parents=bool(self._parents),
        )
        self.royalty_policy.setItemText(0, choice.default_label)
        self.terms_note.setText(choice.note)
        self.terms_note.setVisible(bool(choice.note))
        self.terms_note.setStyleSheet("" if choice.linked is not False else f"color: {REFUSED.name()}")

    def _update_steps_note(self) -> None:
        """Say how many denoising steps really run: a remix runs only `steps × strength` of them."""
        mode = self.current_mode()
        model = self.model.currentData()
        arch = self._archs.get(model[0]) if model else None
        steps = self.steps.value() or default_steps(arch or "sd1")
        self.steps_note.setText(steps_notes(mode, steps, self.strength.value() or None))

    def current_mode(self) -> Mode:
        """The action the selection calls for: none generates, one remixes (or inpaints under a mask), more blend."""
        return Mode.for_parents(len(self._parents), has_mask=self.mask.has_mask())

    def request_for(self, mode: Mode) -> CreateRequest:
        """The request the panel's fields describe for `mode` (raises InvalidInput for a bad field)."""
        mode = Mode(mode)
        seed_text = self.seed.text().strip()
        if not self.lock_seed.isChecked():
            seed_text = str(random.randrange(MAX_SEED))
            self.seed.setText(seed_text)
        if not seed_text.isdigit():
            raise InvalidInput(f"seed {seed_text!r} is not a whole number", hint="use 0 or more, or roll the dice")
        parents = tuple(w.id for w in self._parents) if mode.takes_parents else ()
        mask = None
        if mode is Mode.inpaint:
            mask = self.mask.save_mask(self.session.scratch_file(f"mask-{uuid.uuid4().hex}.png"))
        weights = None
        if mode is Mode.blend:
            weights = tuple(self.weights.cellWidget(r, 1).value() for r in range(self.weights.rowCount()))  # type: ignore[union-attr]
        model = self.model.currentData()
        auto_size = self.width_.value() == 0 or self.height_.value() == 0
        return CreateRequest(
            mode=mode,
            prompt=self.prompt.toPlainText(),
            negative_prompt=self.negative.text(),
            parents=parents,
            model=model[0] if model else None,
            loras=tuple((name, weight) for name, _id, weight in self._chosen_loras()),
            seed=int(seed_text),
            steps=self.steps.value() or None,
            guidance=self.guidance.value() if self.guidance.value() >= 0 else None,
            width=None if auto_size or mode is Mode.inpaint else self.width_.value(),
            height=None if auto_size or mode is Mode.inpaint else self.height_.value(),
            strength=(self.strength.value() or None) if mode.takes_parents else None,
            mask=mask,
            blend_weights=weights,
            royalty_policy=self.royalty_policy.currentData(),
            commercial=self.commercial.isChecked(),
        )

    def start(self, mode: Mode) -> list[int]:
        """Queue the request as many times as the batch asks, seeds counting up; returns the job ids (none when
        the action is refused or a field is wrong)."""
        state = self.states.get(mode)
        if state is None or not state.enabled:
            return []
        self.error.clear()
        try:
            request = self.request_for(state.mode)
            jobs = []
            for n in range(self.batch.value()):
                seed = ((request.seed or 0) + n) % (MAX_SEED + 1)
                jobs.append(self.session.generate(replace(request, seed=seed)))
        except (StudioError, OSError) as exc:
            self.error.setText(str(exc))
            return []
        self.recent.remember(request.prompt)
        for job_id in jobs:
            self.submitted.emit(job_id)
        return jobs

    def start_current(self) -> list[int]:
        """Ctrl+Enter: run the action the selection calls for, or say why it cannot run."""
        mode = self.current_mode()
        state = self.states.get(mode)
        if state is not None and not state.enabled:
            self.error.setText(f"{mode.label}: {state.reason}")
            return []
        return self.start(mode)

    # -- prompt history and recipes -----------------------------------------------------------------------
    def apply_recipe(self, recipe: Recipe) -> list[str]:
        """Fill the fields from a work's recipe; returns the model and LoRAs this library lacks (left out)."""
        fields = RecipeFields(self.prompt, self.negative, self.seed, self.lock_seed, self.model, self.loras,
                              self.steps, self.guidance, self.width_, self.height_, self.strength)
        missing = fill_from_recipe(fields, recipe)
        self.update_actions()
        return missing


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _linked(text: str) -> str:
    """A license note with its https:// addresses as links to the license's own text."""
    return re.sub(r"(https://[^\s()<>]+)", r'<a href="\1">\1</a>', _escape(text))
