"""One open library in the window: the GUI thread's `Studio`, the selection, the job queue, and the jobs that
change the library (import, generation, trash).

The GUI thread's `Studio` answers quick reads (pages of works, verdicts, lineage). Work that writes or takes
long runs as a job on a worker thread with its own `Studio`, hence its own SQLite connection: imports open one
per job; generation keeps one engine `Studio` for the generate lane, so that loaded models stay cached between
jobs (that lane runs one job at a time, so the connection is never used by two threads at once).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from studio.app.jobs import JobQueue
from studio.app.workers import TaskContext
from studio.app.works_model import LibraryFilter
from studio.core.types import Relation, Work, WorkKind
from studio.errors import InvalidInput, StudioError
from studio.licensing import LicenseCatalog
from studio.services import Studio
from studio.services.generation import CreateRequest
from studio.services.importing import ImportOutcome, ImportRequest
from studio.store.db import Change, ChangeFeed
from studio.store.team_address import display_url

log = logging.getLogger(__name__)

StudioFactory = Callable[[], Studio]
# Announcements arriving this close together are applied as one batch (an import of many files is many rows).
LIVE_BATCH_MS = 15
# More works than this in one batch (a push of a whole library, or a flood on the channel) are cheaper read again
# as a whole than placed one by one.
LIVE_MAX_IN_PLACE = 200


@dataclass(frozen=True)
class LiveChanges:
    """What other machines changed in a team library since the last batch: the works concerned (their own rows,
    their lineage, reviews or publications) and the tables touched."""

    work_ids: frozenset[str]
    tables: frozenset[str]


class _LiveBridge(QObject):
    """Carries the listener thread's changes to the GUI thread (a queued signal: the bridge lives there)."""

    arrived = Signal(object)


@dataclass(frozen=True)
class ImportOptions:
    """What the import dialog asks once for every dropped or chosen file."""

    license_id: str | None = None
    rev_share: int | None = None
    minting_fee: int | None = None
    creator: str | None = None
    title: str | None = None
    parents: tuple[str, ...] = ()
    relation: Relation = Relation.remix_of


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportOutcome, ...] = ()
    failed: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (file name, message)


class StudioSession(QObject):
    library_changed = Signal()
    selection_changed = Signal()
    work_created = Signal(str)
    models_changed = Signal()
    message = Signal(str)
    engine_pool = Signal(object)  # the ComfyUI server pool generations now run on; None for this machine
    live_changes = Signal(object)  # a `LiveChanges`: rows other machines changed, to update in place
    live_listening = Signal()  # the team library's change feed is in place (again)

    def __init__(
        self,
        studio: Studio,
        *,
        studio_factory: StudioFactory | None = None,
        jobs: JobQueue | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.studio = studio
        self.library_dir = studio.library.root
        # A team library reopens by its address; its root is only this machine's cache folder for it.
        self._factory = studio_factory or (lambda: Studio.open(studio.library.address))
        # The window's queue (the one that opened this library) when given: the session owns it from now on.
        self.jobs = jobs or JobQueue()
        self.jobs.setParent(self)
        self.jobs.job_finished.connect(self._on_job_finished)
        self._selection: tuple[str, ...] = ()
        self._engine: Studio | None = None
        self.engine_spec = "local"  # where the next generation runs: local, comfyui or comfyui:NAME
        self._engine_epoch = 0
        self._engine_key: tuple[str, int] | None = None
        self._scratch = Path(tempfile.mkdtemp(prefix="studio-window-"))
        self._published: frozenset[str] | None = None
        self._model_jobs: set[int] = set()
        self._closed = False
        # The window starts the library's own devnet when publishing needs it; one it started is stopped with it.
        self._devnet_was_running = self._devnet_running()
        # Connected first, so every other receiver of a change reads fresh publication state.
        self.library_changed.connect(self._forget_cached)
        self._feed: ChangeFeed | None = None
        self._feed_thread: threading.Thread | None = None
        self._pending: list[Change] = []
        self._batch = QTimer(self)
        self._batch.setSingleShot(True)
        self._batch.setInterval(LIVE_BATCH_MS)
        self._batch.timeout.connect(self._apply_live)
        self._bridge = _LiveBridge(self)
        self._bridge.arrived.connect(self._on_live)
        self._start_live()

    # -- selection ----------------------------------------------------------------------------------------
    @property
    def selection(self) -> tuple[str, ...]:
        return self._selection

    def select(self, work_ids: Sequence[str]) -> None:
        ids = tuple(dict.fromkeys(work_ids))
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit()

    def selected_works(self) -> list[Work]:
        found = self.studio.library.works.get_many(self._selection)
        return [found[i] for i in self._selection if i in found]

    @property
    def library_name(self) -> str:
        """How the window names the library: its folder, or a team library's member at its server and database
        (its folder is only this machine's cache)."""
        library = self.studio.library
        if library.member is None:
            return str(self.library_dir)
        return f"{library.member} at {display_url(str(library.address))}"

    def current(self) -> Work | None:
        works = self.selected_works()
        return works[0] if works else None

    # -- what the views read (quick reads on the GUI thread) ---------------------------------------------
    @property
    def catalog(self) -> LicenseCatalog:
        """The license catalogue: each license's name, summary, legal text and parameters."""
        return self.studio.catalog

    def licenses(self) -> list[tuple[str, str]]:
        """(name, id) of every license in the catalogue, in its order."""
        return [(lic.name, lic.id) for lic in self.studio.catalog.all()]

    def license_name(self, license_id: str) -> str:
        return self.studio.catalog.get(license_id).name

    def models(self) -> list[Any]:
        """The library's models and LoRAs (each with its name, kind, source and work)."""
        return self.studio.models.list()

    def file_of(self, work: Work) -> Path | None:
        return self.studio.file_of(work)

    def thumbnail_file(self, work: Work, size: int = 256) -> Path | None:
        return self.studio.thumbnail(work, size)

    def lineage(self, work_id: str) -> Any:
        """The work's ancestry and descendants (edges and works) as the lineage view draws them."""
        return self.studio.lineage(work_id)

    def local_device(self) -> str:
        """The device this machine generates on ("auto" for the best one found)."""
        return self.studio.generation.device()

    # -- the gallery's source -----------------------------------------------------------------------------
    def count_works(self, flt: LibraryFilter) -> int:
        return self.studio.library.works.count(**self._store_filters(flt))

    def page_of_works(self, flt: LibraryFilter, offset: int, limit: int) -> list[Work]:
        return self.studio.works(**self._store_filters(flt), limit=limit, offset=offset)

    def position_of(self, flt: LibraryFilter, work_id: str) -> tuple[int, Work] | None:
        """The work's row in the gallery under `flt`, with the work; None when it is not shown there."""
        return self.studio.library.works.position(work_id, **self._store_filters(flt))

    def published_ids(self) -> frozenset[str]:
        """Works with a confirmed publication on the library's publishing network (few, so read whole and cached
        until a change)."""
        if self._published is None:
            network = self.studio.publish_setup.default_network()
            confirmed = self.studio.journal.list(network=network, states=("confirmed",))
            self._published = frozenset(p.work_id for p in confirmed)
        return self._published

    def _store_filters(self, flt: LibraryFilter) -> dict[str, Any]:
        filters: dict[str, Any] = {
            "kind": flt.kind if isinstance(flt.kind, WorkKind) else None,
            "license_id": flt.license_id,
            "origin": flt.origin,
            "text": flt.text.strip() or None,
            "trashed": flt.trashed,
        }
        if flt.published is not None:
            # "On Story" means on the network this library publishes to, as the license engine counts it.
            network = self.studio.publish_setup.default_network()
            filters["published_on" if flt.published else "not_published_on"] = network
        return filters

    def _forget_cached(self) -> None:
        self._published = None

    # -- trash --------------------------------------------------------------------------------------------
    def trash(self, work_ids: Sequence[str]) -> list[str]:
        """Move works to the trash in one transaction; returns the ids that were moved (for undo)."""
        moved = self.studio.trash(work_ids)
        if moved:
            self.select([i for i in self._selection if i not in moved])
            self.library_changed.emit()
        return moved

    def restore(self, work_ids: Sequence[str]) -> list[str]:
        restored = self.studio.restore(work_ids)
        if restored:
            self.library_changed.emit()
        return restored

    def trashed(self) -> list[Work]:
        return self.studio.works(kind=None, trashed=True)

    # -- jobs ---------------------------------------------------------------------------------------------
    def import_files(self, paths: Sequence[Path | str], options: ImportOptions) -> int:
        """Import files on a worker thread; the job's result is an `ImportReport`."""
        files = [Path(p) for p in paths]
        if not files:
            raise InvalidInput("nothing to import", hint="choose or drop one or more image files")
        title = files[0].name if len(files) == 1 else f"{len(files)} files"

        def task(ctx: TaskContext) -> ImportReport:
            imported: list[ImportOutcome] = []
            failed: list[tuple[str, str]] = []
            studio = self._factory()
            try:
                for n, path in enumerate(files):
                    ctx.raise_if_cancelled()
                    request = ImportRequest(
                        path=path,
                        title=options.title if len(files) == 1 else None,
                        creator=options.creator,
                        license_id=options.license_id,
                        rev_share=options.rev_share,
                        minting_fee=options.minting_fee,
                        parents=options.parents,
                        relation=options.relation,
                    )
                    try:
                        imported.append(studio.importing.import_image(request))
                    except StudioError as exc:
                        if len(files) == 1:
                            raise
                        failed.append((path.name, str(exc)))
                    ctx.report(n + 1, len(files))
            finally:
                studio.close()
            return ImportReport(tuple(imported), tuple(failed))

        return self.jobs.submit("import", f"Import {title}", task, lane="io")

    def generate(self, request: CreateRequest) -> int:
        """Generate, remix, inpaint or blend on the generate lane; the job's result is the new `Work`."""
        verb = request.mode.label
        prompt = " ".join(request.prompt.split())
        title = f"{verb}: {prompt[:40]}" if prompt else verb
        # A change of servers renews a ComfyUI pool; this machine's engine (and the models it holds) stays.
        key = (self.engine_spec, 0 if self.engine_spec == "local" else self._engine_epoch)

        def task(ctx: TaskContext) -> Work:
            engine = self._engine_studio(key)
            return engine.generation.create(
                request,
                on_progress=lambda p: ctx.report(p.step, p.total, p.preview),
                cancel=ctx.cancel,
            )

        return self.jobs.submit("generate", title, task, lane="generate")

    def add_model(self, path: Path | str, *, license_id: str | None = None, name: str | None = None) -> int:
        """Register a model or LoRA file or folder (hashing a large file takes a while, so it is a job)."""
        source = Path(path)

        def task(ctx: TaskContext, studio: Studio) -> Any:
            model, _new = studio.models.add(source, name=name, license_id=license_id)
            return model

        job_id = self.submit("model", f"Add model {source.name}", task)
        self._model_jobs.add(job_id)
        return job_id

    def submit(self, kind: str, title: str, task: Callable[[TaskContext, Studio], Any], *, lane: str = "io") -> int:
        """Run `task(ctx, studio)` with a `Studio` of its own (its own connection), closed afterwards."""

        def run(ctx: TaskContext) -> Any:
            studio = self._factory()
            try:
                return task(ctx, studio)
            finally:
                studio.close()

        return self.jobs.submit(kind, title, run, lane=lane)

    def scratch_file(self, name: str) -> Path:
        """A path in the session's scratch folder (masks), removed when the session closes."""
        return self._scratch / name

    def use_engine(self, spec: str) -> None:
        """Run the generations queued from now on `spec` (local, comfyui, comfyui:NAME); called again after the
        servers change, so that the next pool is built from them."""
        self.engine_spec = spec
        self._engine_epoch += 1

    def _engine_studio(self, key: tuple[str, int] = ("local", 0)) -> Studio:
        # Only ever called from the generate lane, one job at a time. Another engine gets a fresh Studio.
        if self._engine is not None and self._engine_key != key:
            self._engine.close()
            self._engine = None
        if self._engine is None:
            studio = self._factory()
            try:
                studio.use_engine(key[0])
            except BaseException:
                studio.close()
                raise
            self._engine, self._engine_key = studio, key
            remote = key[0] not in ("", "local")
            self.engine_pool.emit(studio.generation.generator.pool if remote else None)  # type: ignore[attr-defined]
        return self._engine

    def _on_job_finished(self, job_id: int, result: Any) -> None:
        if job_id in self._model_jobs:
            self._model_jobs.discard(job_id)
            self.library_changed.emit()
            self.models_changed.emit()
        elif isinstance(result, ImportReport):
            if result.imported:
                self.library_changed.emit()
            if result.failed:
                names = ", ".join(name for name, _ in result.failed)
                self.message.emit(f"Could not import {names}: {result.failed[0][1]}")
        elif isinstance(result, Work):
            self.library_changed.emit()
            self.work_created.emit(result.id)

    # -- live changes of a team library -------------------------------------------------------------------
    @property
    def is_live(self) -> bool:
        """Whether changes other machines commit reach this window as they happen (a team library)."""
        return self._feed is not None

    def _start_live(self) -> None:
        feed = self.studio.library.db.change_feed()
        if feed is None:
            return
        self._feed = feed
        self._feed_thread = threading.Thread(target=self._listen, args=(feed,), name="library-changes", daemon=True)
        self._feed_thread.start()

    def _listen(self, feed: ChangeFeed) -> None:
        # The listener's own thread: it only hands each change over to the GUI thread.
        try:
            for change in feed.changes():
                self._bridge.arrived.emit(change)
        except Exception:  # the window goes on without live changes; the reason is in the log
            log.exception("the team library's change feed stopped")

    def _on_live(self, change: Change) -> None:
        if self._closed:
            return
        if change.kind == Change.LISTENING:
            self.live_listening.emit()
            return
        self._pending.append(change)
        if not self._batch.isActive():
            self._batch.start()

    def _apply_live(self) -> None:
        changes, self._pending = self._pending, []
        if self._closed or not changes:
            return
        work_ids = frozenset(change.work_id for change in changes if change.work_id)
        if any(change.is_resync for change in changes):
            # Announcements were missed while the feed was down: everything shown is read again from the server.
            self.library_changed.emit()
            self.live_listening.emit()
            return
        if len(work_ids) > LIVE_MAX_IN_PLACE:
            self.library_changed.emit()
            return
        tables = frozenset(change.table for change in changes)
        if "publications" in tables:
            self._forget_cached()
        self.live_changes.emit(LiveChanges(work_ids, tables))
        if "models" in tables:
            self.models_changed.emit()

    # -- closing ------------------------------------------------------------------------------------------
    def close(self) -> None:
        """Cancel and wait for every job, then close the connections. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._feed is not None:
            self._feed.stop()
        if self._feed_thread is not None:
            self._feed_thread.join(timeout=10)
        self.jobs.shutdown()
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if not self._devnet_was_running and self._devnet_running():
            try:
                self.studio.publish_setup.devnet_stop()  # its state stays in the library folder
            except StudioError as exc:
                log.warning("the devnet this window started could not be stopped: %s", exc)
        self.studio.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _devnet_running(self) -> bool:
        try:
            return self.studio.publish_setup.devnet_status().running
        except (StudioError, OSError):
            return False

