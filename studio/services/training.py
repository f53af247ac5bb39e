"""Personal models: a LoRA trained from library works on a registered base model.

The path: works (ids or a collection) → every work's training permission asked before any compute; refused
works are listed with their reasons and either stop the request or, when asked, are left out → the training set
becomes a collection → a job (kept in the library's settings, files in the data folder's `training/<job>`) runs
the engine, holding the job folder's run lease (`studio.store.run_lease`) while it does → the LoRA file is
written, then its work row, its registry row and its edges `finetuned_from` the base model and `trained_on` the
set, in one transaction. From then on it is a LoRA like any other: whatever is made with it is `styled_with` it,
and its lineage reaches the base model and every work it learned from.

A job whose record says `running` or `cancelling` while nobody holds its lease was left so by a process that
ended without saying (killed, crashed, timed out). `settle` finds such jobs, as the publishing journal settles
transactions left in flight: a running one becomes `interrupted` and a cancelling one `cancelled`, and both
resume from their last checkpoint. Listing, cancelling and resuming jobs settle first, and `studio doctor` too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.reasons import Reason
from studio.core.types import Origin, Relation, Terms, Work, WorkKind
from studio.errors import InvalidInput, LicenseRefused
from studio.generate import inspect_model
from studio.generate.lora_provenance import LoraProvenance, training_set_sha256
from studio.generate.torch_runtime import runtime
from studio.lineage.graph import LineageGraph, ParentLink
from studio.services.collections import CollectionService
from studio.services.licensing_view import LicenseView, raise_request_errors, refuse_unless_allowed
from studio.services.models import ModelRegistry
from studio.store.db import Database
from studio.store.files import sha256_file
from studio.store.members import MemberRecords
from studio.store.models import ModelRecords
from studio.store.run_lease import RunLease
from studio.store.training_jobs import ACTIVE, UNFINISHED, TrainingJob, TrainingJobRecords
from studio.store.works import NewWork, WorkRepository

DEFAULTS = {"steps": 300, "rank": 8, "lr": 1e-3, "seed": 0, "batch": 4, "layout": "diffusers",
            "text_encoder": False, "resolution": 0, "device": "auto", "checkpoint_every": 50,
            "samples": 8}
# How often a running job writes its progress (and reads whether it was asked to stop) in the library.
SAVE_EVERY = 5
RESOLUTION_LOW, RESOLUTION_HIGH = 64, 4096

Progress = Callable[[TrainingJob], None]


@dataclass(frozen=True)
class Refusal:
    work: Work
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.work.id, "title": self.work.title, "reasons": [r.to_dict() for r in self.reasons]}

    def line(self) -> str:
        return f"{self.work.id} {self.work.title}: " + "; ".join(r.message for r in self.reasons)


@dataclass(frozen=True)
class TrainingSelection:
    """The works asked for, split by their training verdict, with the caption each would be trained with."""

    allowed: tuple[Work, ...]
    refused: tuple[Refusal, ...]
    captions: dict[str, str] = field(default_factory=dict)


def _not_allowed(work: Work) -> tuple[Reason, ...]:
    return (Reason("training_not_allowed", f"{work.title} may not be used to train a model", work.id, scope="train"),)


def caption_of(work: Work) -> str:
    """The prompt that made a work, else its title without a file extension or separators."""
    if work.recipe is not None and work.recipe.prompt:
        return work.recipe.prompt.strip()
    title = re.sub(r"\.(png|jpe?g|webp|gif|bmp|tiff?)$", "", work.title.strip(), flags=re.I)
    return re.sub(r"[_-]+", " ", title).strip() or work.title


class TrainingService:
    def __init__(self, *, works: WorkRepository, members: MemberRecords, model_records: ModelRecords,
                 jobs: TrainingJobRecords, db: Database, library_root: Path, licenses: LicenseView,
                 models: ModelRegistry, collections: CollectionService, graph: LineageGraph, data_dir: Path) -> None:
        self.works = works
        self.members = members
        self.model_records = model_records
        self.db = db  # a finished job's LoRA: its work, its row and its lineage in one transaction
        self.library_root = library_root
        self.licenses = licenses
        self.models = models
        self.collections = collections
        self.graph = graph
        self.data_dir = Path(data_dir)
        self.jobs = jobs

    # -- choosing the data --------------------------------------------------------------------------------

    def select(self, work_refs: Sequence[str] = (), collection: str | None = None) -> TrainingSelection:
        if bool(work_refs) == bool(collection):
            raise InvalidInput("name the works to train on, or one collection",
                               hint="pass --works ID… or --collection ID")
        if collection:
            ids = self.members.members(self.collections.collection(collection).id)
            works = [self.works.get(i) for i in ids]
        else:
            works = [self.works.resolve(ref) for ref in dict.fromkeys(work_refs)]
        if not works:
            raise InvalidInput("the collection holds no works", hint="add works with `studio collection add`")
        for work in works:
            if work.kind is not WorkKind.image:
                raise InvalidInput(f"work {work.id} ({work.title}) is a {work.kind.value}; a LoRA trains on images")
            if work.deleted_at is not None:
                raise InvalidInput(f"work {work.id} ({work.title}) is in the trash",
                                   hint=f"restore it first with `studio restore {work.id}`")
        verdicts = self.licenses.may_train_many(w.id for w in works)
        allowed = [w for w in works if verdicts[w.id].allowed]
        refused = [Refusal(w, verdicts[w.id].blocking() or _not_allowed(w))
                   for w in works if not verdicts[w.id].allowed]
        return TrainingSelection(tuple(allowed), tuple(refused), {w.id: caption_of(w) for w in allowed})

    # -- jobs ---------------------------------------------------------------------------------------------

    def start(self, selection: TrainingSelection, base: str, *, skip_refused: bool = False,
              captions: dict[str, str] | None = None, title: str | None = None, license_id: str | None = None,
              creator: str | None = None, **options: Any) -> TrainingJob:
        """Check the selection, create its training-set collection and a queued job (nothing is computed yet)."""
        if selection.refused and not skip_refused:
            raise LicenseRefused(
                f"{len(selection.refused)} of the works may not be used for training: "
                + " | ".join(r.line() for r in selection.refused),
                [reason for r in selection.refused for reason in r.reasons],
                hint="leave them out with --skip-refused, or ask their owners")
        if not selection.allowed:
            raise InvalidInput("no work left to train on", hint="choose works whose licenses allow training")
        unknown = {k for k in options if k not in DEFAULTS}
        if unknown:
            raise InvalidInput(f"unknown training options: {', '.join(sorted(unknown))}")
        chosen = {**DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
        _check_options(chosen)
        work_ids = tuple(w.id for w in selection.allowed)
        left_out = tuple(r.work.id for r in selection.refused)
        texts = {**selection.captions, **_captions_by_id(captions or {}, work_ids, left_out)}
        model = self.models.get(base)  # a built-in base is registered on first use: only once all else is right
        if model.kind is not WorkKind.model:
            raise InvalidInput(f"{model.name} is a LoRA; train on a base model", hint="see `studio models list`")
        name = (title or f"{model.name} LoRA").strip()
        with self.db.atomic():  # the training set stays only if the LoRA's terms can be had
            training_set = self.collections.create(f"Training set of {name}", creator=creator,
                                                   work_refs=list(work_ids))
            terms = self.licenses.plan([(training_set.id, Relation.trained_on),
                                        (model.work.id, Relation.finetuned_from)], license_id=license_id)
            raise_request_errors(terms)
            refuse_unless_allowed(terms, "Training this LoRA")
            # Bound by share-alike data or base: that license; else the one asked for, else the base model's.
            chosen_license = (terms.license.license_id if terms.license is not None and terms.license_required
                              else license_id or model.work.license_id)
            return self.jobs.create(
                base_id=model.work.id, work_ids=work_ids, captions=tuple(texts[w] for w in work_ids),
                options=chosen, title=name, license_id=chosen_license, creator=creator,
                collection_id=training_set.id, total=int(chosen["steps"]),
                refused=tuple(r.to_dict() for r in selection.refused))

    def run(self, job_id: str, *, on_progress: Progress | None = None,
            cancel: threading.Event | None = None) -> TrainingJob:
        """Run (or resume) a job to its end; returns it done, or cancelled when asked to stop (it can resume).
        A job another process runs is refused; one whose process is gone resumes from its last checkpoint."""
        job = self.jobs.get(job_id)
        lease = RunLease.take(self.job_dir(job.id))
        if lease is None:
            raise InvalidInput(f"training job {job.id} is running in another process",
                               hint=f"wait for it, or stop it with `studio train cancel {job.id}`")
        with lease:
            settled = self._settle_leased(self.jobs.get(job.id), lease.previous)
            return self._run_leased(settled, on_progress, cancel)

    def _run_leased(self, job: TrainingJob, on_progress: Progress | None,
                    cancel: threading.Event | None) -> TrainingJob:
        from studio.generate.training.lora_train import LoraTrainConfig, TrainingCancelled, TrainingExample, train_lora

        if job.state not in UNFINISHED:
            raise InvalidInput(f"training job {job.id} is {job.state}",
                               hint="only queued, cancelled, failed or interrupted jobs can run")
        base = self.models.get(job.base_id)
        works = self.works.get_many(job.work_ids)
        examples = [TrainingExample(self.library_root / (works[w].file_path or ""), caption)
                    for w, caption in zip(job.work_ids, job.captions, strict=True)]
        opts = job.options
        cfg = LoraTrainConfig(steps=int(opts["steps"]), rank=int(opts["rank"]), lr=float(opts["lr"]),
                              seed=int(opts["seed"]), batch=int(opts["batch"]), layout=str(opts["layout"]),
                              train_text_encoder=bool(opts["text_encoder"]), resolution=int(opts["resolution"]),
                              device=str(opts.get("device", "auto")),
                              checkpoint_every=int(opts.get("checkpoint_every", DEFAULTS["checkpoint_every"])),
                              max_samples=int(opts.get("samples", DEFAULTS["samples"])))
        provenance = LoraProvenance(
            title=job.title, license_id=job.license_id, arch=base.arch or "", base_model=base.name,
            base_model_sha256=base.work.sha256, author=job.creator, base_model_work=base.work.id,
            training_set_sha256=training_set_sha256((works[w].sha256, c) for w, c in zip(job.work_ids, job.captions,
                                                                                           strict=True)),
            training_works=job.work_ids, training_set_work=job.collection_id)
        stop = cancel or threading.Event()
        job = self.jobs.update(job.id, only_from=UNFINISHED, state="running", error=None)
        if job.state == "cancelling":  # cancelled while this run was starting
            return self.jobs.update(job.id, only_from=("cancelling",), state="cancelled")

        def progress(p: Any) -> None:
            nonlocal job
            samples = (*job.samples, str(p.sample)) if p.sample is not None else job.samples
            job = TrainingJob.from_dict({**job.to_dict(), "step": p.step, "loss": p.loss, "samples": samples})
            if p.checkpointed or p.sample is not None or p.step % SAVE_EVERY == 0:
                marks = {"checkpoint_step": p.step} if p.checkpointed else {}
                job = self.jobs.update(job.id, step=p.step, loss=p.loss, samples=samples, **marks)
                if job.state == "cancelling":
                    stop.set()
            if on_progress is not None:
                on_progress(job)

        try:
            result = train_lora(base.model_ref(), examples, self.job_dir(job.id), self.lora_path(job), cfg,
                                provenance, config_root=self.data_dir, on_progress=progress, cancel=stop)
        except TrainingCancelled as stopped:
            return self.jobs.update(job.id, state="cancelled", step=stopped.step, checkpoint_step=stopped.step)
        except BaseException as exc:
            self.jobs.update(job.id, state="failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            raise
        lora = self._record(job, result.path)
        return self.jobs.update(job.id, state="done", lora_id=lora.id, step=result.steps, loss=result.final_loss,
                                samples=tuple(str(s) for s in result.samples))

    def resume(self, job_id: str, **kwargs: Any) -> TrainingJob:
        return self.run(job_id, **kwargs)

    def all_jobs(self) -> list[TrainingJob]:
        """Every job, those left by a process that is gone settled first."""
        self.settle()
        return self.jobs.all()

    def cancel(self, job_id: str) -> TrainingJob:
        """Ask a job to stop: a running one stops at its next progress save, keeping its checkpoint; one whose
        process is gone, or that waits to be run or resumed, is cancelled at once."""
        recorded = self.jobs.get(job_id)
        job = self.settle_job(recorded)
        if job.state == "running":
            return self.jobs.update(job.id, only_from=("running",), state="cancelling")
        if job.state in ("queued", "interrupted"):
            lease = RunLease.take(self.job_dir(job.id), runner=False)
            if lease is None:  # a process is starting it: it reads the request before its first step
                return self.jobs.update(job.id, only_from=("queued", "interrupted"), state="cancelling")
            with lease:
                return self.jobs.update(job.id, only_from=("queued", "interrupted"), state="cancelled")
        if job.state == "cancelling" or (job.state == "cancelled" and recorded.state == "cancelling"):
            return job  # already asked to stop; or it was, and its process is gone: cancelled now
        raise InvalidInput(f"training job {job.id} is {job.state}; there is nothing to cancel")

    # -- jobs left by a process that ended ------------------------------------------------------------------

    def settle(self) -> list[TrainingJob]:
        """Every job left running or cancelling by a process that is gone, settled; returns those it changed."""
        changed = []
        for job in self.jobs.all():
            if job.state in ACTIVE:
                settled = self.settle_job(job)
                if settled.state != job.state:
                    changed.append(settled)
        return changed

    def settle_job(self, job: TrainingJob) -> TrainingJob:
        """The job as it stands: running/cancelling only while its process lives (holds the run lease). A library
        on read-only media shows its jobs as recorded."""
        if job.state not in ACTIVE or self.db.readonly:
            return job
        lease = RunLease.take(self.job_dir(job.id), runner=False)
        if lease is None:
            return job  # its process is alive
        with lease:
            return self._settle_leased(self.jobs.get(job.id), lease.previous)

    def _settle_leased(self, job: TrainingJob, previous_holder: dict[str, Any]) -> TrainingJob:
        """With the lease held, a job still recorded as active has no process: record how it ended."""
        if job.state not in ACTIVE:
            return job
        who = previous_holder.get("pid")
        resumes = f"its checkpoint of step {job.checkpoint_step}" if job.checkpoint_step else "the start"
        ended = (f"the process running it{f' (pid {who})' if who else ''} ended at step {job.step} without "
                 f"finishing; it resumes from {resumes}")
        if job.state == "cancelling":
            return self.jobs.update(job.id, only_from=("cancelling",), state="cancelled", error=ended)
        return self.jobs.update(job.id, only_from=("running",), state="interrupted", error=ended)

    def job_dir(self, job_id: str) -> Path:
        return self.data_dir / "training" / job_id

    def lora_path(self, job: TrainingJob) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", job.title.lower()).strip("-")[:40] or "lora"
        return self.data_dir / "loras" / f"{slug}-{job.id}.safetensors"

    # -- recording ----------------------------------------------------------------------------------------

    def _record(self, job: TrainingJob, path: Path) -> Work:
        """The LoRA's work, registry row and edges; the file is already written."""
        info = inspect_model(path)
        name = job.title if not self.model_records.name_taken(job.title) else f"{job.title} ({job.id[:6]})"
        with self.db.atomic():
            work = self.works.insert(NewWork(
                kind=WorkKind.lora, sha256=sha256_file(path), title=job.title, creator=job.creator,
                origin=Origin.generated, terms=Terms(job.license_id), location=str(path), format=info.format,
                size_bytes=path.stat().st_size,
                description=f"LoRA trained on {len(job.work_ids)} works for {job.options['steps']} steps"))
            self.model_records.insert(work.id, name, str(path), info.format, info.arch, f"training job {job.id}")
            links = [ParentLink(job.base_id, Relation.finetuned_from)]
            if job.collection_id:
                links.append(ParentLink(job.collection_id, Relation.trained_on))
            self.graph.add_parents(work.id, links)
        return work


def _check_options(chosen: dict[str, Any]) -> None:
    """What the engine would refuse only after loading the base model, refused before anything is written."""
    resolution = int(chosen["resolution"])
    if resolution and not (RESOLUTION_LOW <= resolution <= RESOLUTION_HIGH and resolution % 8 == 0):
        raise InvalidInput(f"--resolution {resolution} is not a usable training size",
                           hint=f"use a multiple of 8 from {RESOLUTION_LOW} to {RESOLUTION_HIGH}, "
                                "or 0 for the base model's own size")
    device = str(chosen["device"])
    if device not in ("auto", "cpu") and not _has_cuda():
        raise InvalidInput(f"--device {device}: this machine has no CUDA GPU", hint="use --device cpu or auto")


def _has_cuda() -> bool:
    return bool(runtime().torch.cuda.is_available())


def _captions_by_id(captions: dict[str, str], work_ids: tuple[str, ...], left_out: tuple[str, ...]) -> dict[str, str]:
    """Captions keyed by the ids (or unambiguous id prefixes) of works in the training set; those of works asked
    for but left out (their permission refused) are dropped with them, and any other is refused."""
    out = {}
    for ref, text in captions.items():
        asked = (*work_ids, *left_out)
        matches = [w for w in asked if w == ref] or [w for w in asked if len(ref) >= 4 and w.startswith(ref)]
        if len(matches) == 1 and matches[0] in left_out:
            continue
        if len(matches) > 1:
            raise InvalidInput(f"--caption {ref}: {ref!r} starts the ids of several works in the training set",
                               hint="give more of the work's id")
        if not matches:
            raise InvalidInput(f"--caption {ref}: no work {ref!r} is in the training set",
                               hint="give captions only to works being trained on (see their ids with --works)")
        out[matches[0]] = text
    return out
