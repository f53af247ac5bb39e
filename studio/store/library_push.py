"""Copy a local library into a team library: works, their lineage, reviews and the rest of what hangs on a work,
and their files, so that running it again changes nothing and a killed run is finished by the next one.

Like the migrations, this reads and writes whole tables by name (each table's rows as they are, keyed as each
table is keyed), which is why it speaks SQL beside the record classes rather than through them.

Order and safety:
- Works go in batches in lineage order (a work after its parents and a collection after its members), so every
  row a batch writes refers only to works the team library already holds.
- A batch's files are uploaded (in parallel) before its rows; its rows are one transaction. A kill between the
  two leaves objects no row names yet, which the next run finds in the bucket (a conditional write answers
  "already there") and does not send twice.
- A work the team library already holds with the same file counts as done: its file was uploaded before its row,
  so no request asks the bucket about it. Its other rows (a review added since, say) are still added.
- A row is keyed by what identifies it (a work by its id, an edge by its two ends, a review by its work, reviewer,
  decision and time); one the team library holds already is left as it is.
- Each batch's transaction first takes an advisory lock, so two pushes into one team library take turns and the
  second sees what the first wrote before it decides what is missing.
- A work whose id the team library holds with another file, or whose file it holds under another id, is reported
  and not written, and neither is anything that depends on it (its descendants, the collections holding it).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from studio.errors import LibraryError
from studio.store.db import Database
from studio.store.library import Library
from studio.store.team_files import no_bucket_error, sha256_of_stored
from studio.store.team_roles import STAMP_COLUMNS

BATCH = 200
UPLOAD_THREADS = 8
PUSH_LOCK = 0x5354_5544_494F_5055  # the advisory lock pushes into one team library take turns on, batch by batch
_IN_CHUNK = 500  # ids per `IN (...)` list: far below either engine's limit on parameters


@dataclass(frozen=True)
class TableCopy:
    """How one table's rows are copied: the columns that identify a row, the work it belongs to (its batch), the
    other works it names (which must be written first), and columns the team library assigns itself."""

    table: str
    key: tuple[str, ...]
    owner: str
    needs: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()


# In this order inside a batch: lineage before the reviews bound to it.
COPIED_TABLES: tuple[TableCopy, ...] = (
    TableCopy("edges", ("child_id", "parent_id"), "child_id", needs=("parent_id",)),
    TableCopy("collection_members", ("collection_id", "work_id"), "collection_id", needs=("work_id",)),
    TableCopy("license_confirmations", ("work_id", "condition"), "work_id"),
    TableCopy("training_permissions", ("work_id",), "work_id"),
    TableCopy("credentials", ("work_id",), "work_id"),
    TableCopy("reviews", ("work_id", "reviewer", "decision", "decided_at"), "work_id", assigned=("id",)),
)


@dataclass(frozen=True)
class WorkConflict:
    work_id: str
    reason: str


@dataclass(frozen=True)
class PushProgress:
    batch: int
    batches: int
    works_done: int
    works_total: int
    files_uploaded: int
    files_present: int


@dataclass
class PushReport:
    dry_run: bool
    works_total: int = 0
    works_added: int = 0
    works_present: int = 0
    files_uploaded: int = 0  # on a dry run: files that would be sent unless the bucket has them
    files_present: int = 0
    bytes_uploaded: int = 0
    rows_added: dict[str, int] = field(default_factory=dict)
    conflicts: list[WorkConflict] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # works held back because they depend on a conflict

    @property
    def complete(self) -> bool:
        return not self.conflicts and not self.blocked


class LibraryPush:
    def __init__(self, source: Library, target: Library, *, batch_size: int = BATCH, threads: int = UPLOAD_THREADS,
                 progress: Callable[[PushProgress], None] | None = None) -> None:
        if target.engine != "postgresql":
            raise LibraryError("a push copies a local library into a team library",
                               hint="give the team library's postgresql:// address as the second library")
        if source.engine != "sqlite":
            raise LibraryError("a push copies from a local library folder",
                               hint="give a library folder as the first library")
        self.source = source
        self.target = target
        self.batch_size = max(1, batch_size)
        self.threads = max(1, threads)
        self.progress = progress

    def run(self, *, dry_run: bool = False) -> PushReport:
        if self.target.team_files is None:
            raise no_bucket_error(str(self.target.address))
        self.target.team_files.bucket  # noqa: B018  # its key is in the keyring and it is usable, or one line now
        report = PushReport(dry_run=dry_run)
        works = {row["id"]: dict(zip(row.keys(), tuple(row), strict=True))
                 for row in self.source.db.query("SELECT * FROM works ORDER BY created_at, id")}
        report.works_total = len(works)
        needs = _dependencies(self.source.db)
        order = _lineage_order(list(works), needs)
        present, conflicts = self._target_state(works)
        report.conflicts = conflicts
        held = {c.work_id for c in conflicts}
        for work_id in order:  # lineage order: a work's dependencies were judged before it
            if work_id not in held and any(dep in held for dep in needs.get(work_id, ())):
                held.add(work_id)
                report.blocked.append(work_id)
        pushed = [w for w in order if w not in held]
        report.works_present = sum(1 for w in pushed if w in present)
        columns = _shared_columns(self.source.db, self.target.db, "works")
        batches = [pushed[i:i + self.batch_size] for i in range(0, len(pushed), self.batch_size)]
        with ThreadPoolExecutor(self.threads) as pool:
            for number, batch in enumerate(batches, 1):
                new = [works[w] for w in batch if w not in present]
                self._upload(pool, new, report, dry_run)
                self._write(batch, new, columns, held, report, dry_run)
                if self.progress is not None:
                    done = sum(len(b) for b in batches[:number])
                    self.progress(PushProgress(number, len(batches), done, len(pushed), report.files_uploaded,
                                               report.files_present))
        return report

    def _target_state(self, works: dict[str, dict[str, Any]]) -> tuple[set[str], list[WorkConflict]]:
        """Which works the team library holds already (same id, same file), and which clash with what it holds."""
        ids = list(works)
        by_id = dict(_rows_in(self.target.db, "SELECT id, sha256 FROM works WHERE id IN ({})", ids))
        by_sha = {sha: work_id for work_id, sha in
                  _rows_in(self.target.db, "SELECT id, sha256 FROM works WHERE sha256 IN ({})",
                           [w["sha256"] for w in works.values()])}
        present: set[str] = set()
        conflicts: list[WorkConflict] = []
        for work_id, work in works.items():
            theirs = by_id.get(work_id)
            other = by_sha.get(work["sha256"])
            if theirs == work["sha256"]:
                present.add(work_id)
            elif theirs is not None:
                conflicts.append(WorkConflict(work_id, f"the team library holds another file under this id "
                                                       f"({theirs[:12]}… there, {work['sha256'][:12]}… here)"))
            elif other is not None:
                conflicts.append(WorkConflict(work_id, f"the team library holds this file as work {other}"))
        return present, conflicts

    def _upload(self, pool: ThreadPoolExecutor, new: Sequence[dict[str, Any]], report: PushReport,
                dry_run: bool) -> None:
        files = [(sha, self.source.root / w["file_path"]) for w in new
                 if w["file_path"] and (sha := sha256_of_stored(w["file_path"])) is not None]
        for _sha, path in files:
            if not path.is_file():
                raise LibraryError(f"the local library has lost the file of a work ({path}); nothing of that batch "
                                   "was written to the team library",
                                   hint="run `studio doctor` on the local library, then push again")
        if dry_run:
            report.files_uploaded += len(files)
            report.bytes_uploaded += sum(path.stat().st_size for _, path in files)
            return
        bucket = self.target.team_files.bucket  # type: ignore[union-attr]  # checked in run()
        results = list(pool.map(lambda item: (bucket.upload_once(item[1], item[0]), item[1]), files))
        for uploaded, path in results:
            if uploaded:
                report.files_uploaded += 1
                report.bytes_uploaded += path.stat().st_size
            else:
                report.files_present += 1

    def _write(self, batch: list[str], new: Sequence[dict[str, Any]], columns: list[str], held: set[str],
               report: PushReport, dry_run: bool) -> None:
        target = self.target.db
        if dry_run:
            self._count(report, len(new), self._missing_rows(batch, held))
            return
        with target.atomic():
            # Pushes into one team library take turns batch by batch, so each one decides what is missing after
            # the other's batch is committed (a review has no key the database could refuse a second copy by).
            target.execute("SELECT pg_advisory_xact_lock(?)", (PUSH_LOCK,))
            there = {work_id for (work_id,) in _rows_in(target, "SELECT id FROM works WHERE id IN ({})",
                                                        [work["id"] for work in new])}
            new = [work for work in new if work["id"] not in there]
            plans = self._missing_rows(batch, held)
            if new:
                target.execute_many(_insert("works", columns), [tuple(work[c] for c in columns) for work in new])
            for spec, cols, missing in plans:
                if missing:
                    target.execute_many(_insert(spec.table, cols), missing)
        self._count(report, len(new), plans)

    def _missing_rows(self, batch: list[str], held: set[str]) -> list[tuple[TableCopy, list[str], list[tuple]]]:
        """Per table, the batch's local rows the team library lacks (by key), leaving out rows that name a work
        held back."""
        target = self.target.db
        plans: list[tuple[TableCopy, list[str], list[tuple]]] = []
        for spec in COPIED_TABLES:
            cols = [c for c in _shared_columns(self.source.db, target, spec.table) if c not in spec.assigned]
            rows = [row for row in _rows_in(self.source.db, f"SELECT {', '.join(cols)} FROM {spec.table} "
                                            f"WHERE {spec.owner} IN ({{}})", batch)
                    if not any(row[cols.index(c)] in held for c in spec.needs)]
            key_at = [cols.index(c) for c in spec.key]
            there = set(_rows_in(target, f"SELECT {', '.join(spec.key)} FROM {spec.table} WHERE {spec.owner} "
                                 "IN ({})", batch))
            plans.append((spec, cols, [row for row in rows if tuple(row[i] for i in key_at) not in there]))
        return plans

    @staticmethod
    def _count(report: PushReport, works: int, plans: list[tuple[TableCopy, list[str], list[tuple]]]) -> None:
        report.works_added += works
        for spec, _, missing in plans:
            report.rows_added[spec.table] = report.rows_added.get(spec.table, 0) + len(missing)


def _insert(table: str, columns: Sequence[str]) -> str:
    # DO NOTHING: a row another member wrote meanwhile stands; the keys were compared just before.
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            "ON CONFLICT DO NOTHING")


def _shared_columns(source: Database, target: Database, table: str) -> list[str]:
    theirs = set(target.column_names(table)) - set(STAMP_COLUMNS)  # the team library stamps its own
    return [c for c in source.column_names(table) if c in theirs]


def _rows_in(db: Database, sql: str, values: Sequence[Any]) -> Iterable[tuple[Any, ...]]:
    """`sql` with its `IN ({})` filled by `values`, a chunk at a time; rows as plain tuples."""
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start:start + _IN_CHUNK]
        for row in db.query(sql.format(", ".join("?" * len(chunk))), tuple(chunk)):
            yield tuple(row)


def _dependencies(db: Database) -> dict[str, set[str]]:
    """Each work's works that must be in the team library before it: its parents, or a collection's members."""
    needs: dict[str, set[str]] = {}
    for spec in COPIED_TABLES:
        for need in spec.needs:
            for owner, dep in db.query(f"SELECT {spec.owner}, {need} FROM {spec.table}"):
                needs.setdefault(owner, set()).add(dep)
    return needs


def _lineage_order(ids: list[str], needs: dict[str, set[str]]) -> list[str]:
    """The works with each one after what it needs, otherwise in the given order (oldest first). A cycle, which
    the lineage rules never let in, would leave its works at the end in the given order."""
    position = {work_id: n for n, work_id in enumerate(ids)}
    waiting = {w: {d for d in needs.get(w, ()) if d in position and d != w} for w in ids}
    users: dict[str, list[str]] = {}
    for work_id, deps in waiting.items():
        for dep in deps:
            users.setdefault(dep, []).append(work_id)
    ready = [(position[w], w) for w, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, work_id = heapq.heappop(ready)
        order.append(work_id)
        for user in users.get(work_id, ()):
            waiting[user].discard(work_id)
            if not waiting[user]:
                heapq.heappush(ready, (position[user], user))
    if len(order) < len(ids):
        placed = set(order)
        order.extend(w for w in ids if w not in placed)
    return order
