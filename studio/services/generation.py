"""Making new works with a generator: license check first, then compute, then the file and its rows.

`prepare` checks everything that can be checked before any compute (the parents' and tools' licenses, the
request's values, the files); `run` does the compute and touches no database; `record` stores the result in one
transaction. A window runs `run` in a worker thread and `record` on its own thread; the CLI calls `create`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from studio.core.modes import Mode
from studio.core.types import Origin, Relation, Work, WorkKind
from studio.errors import InvalidInput, StudioError
from studio.generate import GenerationRequest, GenerationResult, Generator, Progress, snap_size
from studio.generate.devices import DEVICE_SETTING, check_device
from studio.generate.families import family
from studio.licensing import DerivativePlan, WorkTerms
from studio.licensing.story_rules import ROYALTY_POLICIES
from studio.lineage.graph import ParentLink
from studio.metadata import embed_png
from studio.services.importing import ImageStore
from studio.services.licensing_view import LicenseView, raise_request_errors, refuse_unless_allowed
from studio.services.model_terms import ModelLink, ModelTerms
from studio.services.models import ModelRegistry, RegisteredModel
from studio.services.new_work_defaults import LICENSE_SOURCE_KEY, NewWorkDefaultsStore
from studio.services.titles import short_title
from studio.store.settings import SettingRecords
from studio.store.works import NewWork, WorkRepository, new_id

DEFAULT_SIZE = {"studio-tiny": 128, "studio-emoji": 64, "sd1": 512, "sd2": 768, "sdxl": 1024}
DEFAULT_STEPS = {"studio-tiny": 4, "studio-emoji": 25}
DEFAULT_GUIDANCE = {"studio-tiny": 5.0, "studio-emoji": 4.0}  # emoji: the guidance its benchmark measured


# The transformer families (FLUX.1, SD3.5, Qwen-Image) keep their defaults in studio.generate.families.
def default_steps(arch: str) -> int:
    fam = family(arch)
    return fam.steps if fam else DEFAULT_STEPS.get(arch, 25)


def default_guidance(arch: str) -> float:
    fam = family(arch)
    return fam.guidance if fam else DEFAULT_GUIDANCE.get(arch, 7.0)


def default_size(arch: str) -> int:
    fam = family(arch)
    return fam.size if fam else DEFAULT_SIZE.get(arch, 512)


@dataclass(frozen=True)
class CreateRequest:
    """What a creator asks for; unset values get the model's sensible defaults."""

    mode: Mode
    prompt: str
    parents: tuple[str, ...] = ()
    model: str | None = None
    loras: tuple[tuple[str, float], ...] = ()
    negative_prompt: str = ""
    seed: int | None = None
    steps: int | None = None
    guidance: float | None = None
    width: int | None = None
    height: int | None = None
    strength: float | None = None
    scheduler: str | None = None
    mask: Path | None = None
    blend_weights: tuple[float, ...] | None = None
    title: str | None = None
    creator: str | None = None
    license_id: str | None = None
    rev_share: int | None = None
    royalty_policy: str | None = None  # "lap" or "lrp" where the license lets the creator choose
    commercial: bool = False

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "mode", Mode(self.mode))
        except ValueError:
            raise InvalidInput(f"Unknown generation mode {self.mode!r}", hint=f"use one of {', '.join(Mode)}") from None
        if self.royalty_policy is not None:
            policy = str(self.royalty_policy).strip().lower()
            if policy not in ROYALTY_POLICIES:
                raise InvalidInput(f"unknown royalty policy {str(self.royalty_policy)[:40]!r}",
                                   hint="use lap or lrp, or leave it out for the default")
            object.__setattr__(self, "royalty_policy", policy)


@dataclass(frozen=True)
class Prepared:
    """A request that passed every check: what will run, and what will be recorded."""

    request: GenerationRequest
    plan: DerivativePlan
    terms: WorkTerms
    links: tuple[ParentLink, ...]
    title: str
    creator: str | None
    model_link: ModelLink | None = None  # what the terms mean for a model that is on Story
    license_source: str = "studio"  # where the licence came from: a key of new_work_defaults.LICENSE_SOURCES


class GenerationService:
    def __init__(
        self,
        *,
        works: WorkRepository,
        settings: SettingRecords,
        images: ImageStore,
        path_of: Callable[[str], Path],
        defaults: NewWorkDefaultsStore,
        licenses: LicenseView,
        models: ModelRegistry,
        generator_factory: Callable[[], Generator],
        model_terms: ModelTerms | None = None,
    ) -> None:
        self.works = works
        self.settings = settings
        self.images = images
        self.path_of = path_of  # the library's: a verified local copy (a team library's comes from its bucket)
        self.licenses = licenses
        self.models = models
        self.model_terms = model_terms
        self._generator_factory = generator_factory
        self._generator: Generator | None = None
        self._device_override: str | None = None
        self.defaults = defaults

    @property
    def generator(self) -> Generator:
        if self._generator is None:
            self._generator = self._generator_factory()
        return self._generator

    def use(self, generator: Generator) -> None:
        """Run the next generations on `generator` (e.g. a pool of ComfyUI servers) instead of the default one."""
        self.close()
        self._generator = generator

    def device(self) -> str:
        """The device preference for local generation: this session's override, else the library's setting."""
        if self._device_override is not None:
            return self._device_override
        return self.settings.get(DEVICE_SETTING) or "auto"

    def set_device_setting(self, value: str | None) -> str:
        """Store the library's device preference (None or "auto" clears it); returns what is now in effect."""
        device = check_device(value)
        self.settings.set(DEVICE_SETTING, None if device == "auto" else device)
        return self.device()

    def use_device(self, value: str) -> None:
        """Run this session's local generations on `value` (auto, cpu, cuda, cuda:N, mps), whatever the setting."""
        device = check_device(value)
        if device != self._device_override and self._generator is not None:
            self.close()
            self._generator = None
        self._device_override = device

    def prepare(self, create: CreateRequest) -> Prepared:
        """Resolve and check everything; raise LicenseRefused (with reasons) before any compute."""
        parents = [self.works.resolve(ref) for ref in create.parents]
        for parent in parents:
            if parent.kind is not WorkKind.image or parent.file_path is None:
                raise InvalidInput(f"{parent.id} ({parent.title}) is not an image", hint="pick image works as parents")
        model = self.models.get(create.model) if create.model else self.models.default()
        loras = [(self.models.get(ref), weight) for ref, weight in create.loras]
        relation = create.mode.relation
        links: list[ParentLink] = [ParentLink(p.id, relation) for p in parents] if relation else []
        links.append(ParentLink(model.work.id, Relation.generated_with))
        links += [ParentLink(lora.work.id, Relation.styled_with, weight) for lora, weight in loras]

        defaults = self.defaults.load()
        plan, model_link, license_source = self._terms(create, links, defaults.license_id)
        assert plan.license is not None

        width, height = self._size(create, model, parents)
        arch = model.arch or "sd1"
        request = GenerationRequest(
            mode=create.mode,
            prompt=create.prompt,
            negative_prompt=create.negative_prompt,
            model=model.model_ref(),
            loras=tuple(lora.lora_ref(weight) for lora, weight in loras),
            seed=create.seed if create.seed is not None else random.randrange(2**32),
            # Only an unset count means the model's default: 0 is refused by the request's range check.
            steps=create.steps if create.steps is not None else default_steps(arch),
            guidance=create.guidance if create.guidance is not None else default_guidance(arch),
            width=width,
            height=height,
            strength=create.strength,
            scheduler=create.scheduler,
            init_images=tuple(self.path_of(p.file_path) for p in parents if p.file_path),
            mask=create.mask,
            blend_weights=create.blend_weights,
        )
        request.check_files(models=not getattr(self._generator, "remote", False))
        title = create.title or _default_title(create, parents)
        creator = create.creator or defaults.creator
        return Prepared(request, plan, plan.license, tuple(links), title, creator, model_link, license_source)

    def model_link(self, create: CreateRequest, tools: Sequence[str]) -> ModelLink | None:
        """What the request's terms mean for the models it uses when one is on Story (None otherwise, or when the
        request is refused): the window shows it while the creator chooses. `tools` are the work ids of the model
        and the LoRAs, already in the library: a model not registered yet cannot be on Story, and asking never
        registers or builds one."""
        if not tools:
            return None
        links = [ParentLink(tools[0], Relation.generated_with)]
        links += [ParentLink(t, Relation.styled_with) for t in tools[1:]]
        try:
            return self._terms(create, links, self.defaults.load().license_id)[1]
        except StudioError:
            return None

    def _terms(
        self, create: CreateRequest, links: Sequence[ParentLink], default_license: str | None = None
    ) -> tuple[DerivativePlan, ModelLink | None, str]:
        """The license plan of the new work, checked, and where its licence came from; a new root image made
        with a model that is on Story takes the model's terms there for what the creator left unset (so that it
        links to the model), unless the creator chose other terms; else the creator's default licence (from the
        settings) applies where the parents force none and it allows what was asked."""
        parents = [(link.parent_id, link.relation) for link in links]
        asked = {"license_id": create.license_id, "rev_share": create.rev_share,
                 "royalty_policy": create.royalty_policy}
        offers = []
        if self.model_terms is not None and not create.mode.takes_parents:
            # The model first, then the LoRAs: the first on Story is offered; the image links to them all only
            # under terms they all carry.
            offers = [o for o in (self.model_terms.offer(link.parent_id) for link in links) if o is not None]
        offer = offers[0] if offers else None
        filled = self.model_terms.fill(offer, asked) if offer is not None and self.model_terms is not None else None
        plan = None
        if filled is not None:
            plan = self.licenses.plan(parents, commercial=create.commercial, **filled)
            if any(r.blocks for r in plan.reasons if r.scope in ("make", "commercial")) or plan.license is None:
                plan = None  # the model's terms cannot be taken here: the creator's own request decides
        offered = plan is not None and any(value is None for value in asked.values())
        source = "model" if offered else "request"
        if plan is None and create.license_id is None and default_license is not None:
            plan = self.licenses.plan(parents, commercial=create.commercial, **{**asked, "license_id": default_license})
            source = "settings"
            if plan.license_required or not plan.allowed:
                plan = None  # the parents decide, or the default does not allow what was asked
        if plan is None:
            plan = self.licenses.plan(parents, commercial=create.commercial, **asked)
            source = "request" if create.license_id is not None else "studio"
        if plan.license_required and source != "request":
            source = "parents"
        raise_request_errors(plan)
        refuse_unless_allowed(plan, create.mode.noun)
        assert plan.license is not None
        link = ModelTerms.link(offers, plan.license, offered=offered) if offer is not None else None
        return plan, link, source

    def run(
        self,
        prepared: Prepared,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> GenerationResult:
        """The compute only (worker-thread safe; no database access). Raises `Cancelled` when cancelled."""
        return self.generator.run(prepared.request, on_progress=on_progress, cancel=cancel)

    def record(self, prepared: Prepared, result: GenerationResult) -> Work:
        """Write the image (with its recipe embedded) and then its rows and edges in one transaction."""
        work_id = new_id()
        terms = prepared.terms
        png = embed_png(
            result.image,
            recipe=result.recipe,
            studio_meta={
                "work_id": work_id,
                "parents": [{"id": link.parent_id, "relation": link.relation.value} for link in prepared.links],
                "license": terms.license_id,
            },
        )
        new = NewWork(
            id=work_id,
            kind=WorkKind.image,
            sha256="",
            title=prepared.title,
            creator=prepared.creator,
            origin=Origin.generated,
            terms=terms.stored,
            recipe=replace(result.recipe, extra={**result.recipe.extra, LICENSE_SOURCE_KEY: prepared.license_source}),
        )

        def audit(child_id: str) -> list[dict]:
            return [reason.to_dict() for reason in self.licenses.audit(child_id)]

        outcome = self.images.store(png, name=prepared.title, new_work=new, parents=prepared.links, flags_for=audit)
        return outcome.work

    def create(
        self,
        create: CreateRequest,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Work:
        prepared = self.prepare(create)
        return self.record(prepared, self.run(prepared, on_progress=on_progress, cancel=cancel))

    def close(self) -> None:
        close = getattr(self._generator, "close", None)
        if close is not None:
            close()

    @staticmethod
    def _size(create: CreateRequest, model: RegisteredModel, parents: Sequence[Work]) -> tuple[int, int]:
        if create.width and create.height:
            return create.width, create.height
        if create.mode is Mode.inpaint and parents:
            return parents[0].width or 0, parents[0].height or 0
        if parents and parents[0].width and parents[0].height:
            return snap_size(parents[0].width, parents[0].height)
        side = default_size(model.arch or "sd1")
        return create.width or side, create.height or side


def _default_title(create: CreateRequest, parents: Sequence[Work]) -> str:
    # The new prompt names the new work; the lineage already records what it came from.
    return short_title(create.prompt, create.mode)
