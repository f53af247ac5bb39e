"""A change seen by another window of a team library: from the COMMIT on one machine to the other window's gallery
model showing the new row, on a throwaway PostgreSQL server.

Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.live_bench [--works 10000 --runs 50]` (needs
PostgreSQL's server programs, as the tests do)

The writer is another process with its own Library (its own connections), adding one work per round and printing
the wall-clock time just before it sent its INSERT (autocommit: the row commits within that statement; the
writer's own reply comes back after the notification, so it cannot serve as the start). The window is a
`StudioSession` with its gallery's `WorksModel`, wired as the gallery panel wires them, over a library of `--works`
works with the first and the last page read (as a view showing them would). Measured in one run:
- commit -> the window's model has inserted the row (the listener thread, the GUI thread's queued signal, the
  batch timer, the store's position query, the in-place insert);
- baseline: commit -> the bare change feed (the same LISTEN connection, no window) hands the change over;
- on the GUI thread: applying one change in place, against reading the gallery again (what a change did before:
  a model reset and the shown page read again);
- what the announcing trigger costs a bulk insert of `--works` works (a push), against the trigger switched off.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.common import machine, markdown_table, median_ms, p95_ms, timed
from studio.store.library import Library
from studio.store.works import now_iso
from tests.helpers.postgres import new_database, throwaway_postgres

REPO = Path(__file__).resolve().parents[1]


def writer(url: str) -> None:
    """The other machine: one work per line read, the time after its COMMIT printed back."""
    library = Library.open(url)
    try:
        for n, _ in enumerate(sys.stdin):
            stamp = now_iso()
            sent = time.time()  # the commit happens between this and `execute` returning: start from here
            # One statement outside a transaction (autocommit): the INSERT and its COMMIT.
            library.db.execute(
                "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                "VALUES (?, 'image', ?, ?, 'imported', 'cc0-1.0', ?, ?)",
                (f"live{os.getpid():06d}{n:06d}", f"live-{os.getpid()}-{n}", f"live {n}", stamp, stamp))
            print(sent, flush=True)
    finally:
        library.close()


def fill(url: str, works: int) -> None:
    library = Library.open(url)
    try:
        library.db.execute_many(
            "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
            "VALUES (?, 'image', ?, ?, 'imported', 'cc0-1.0', ?, ?)",
            [(f"{n:012x}", f"sha-{n}", f"work {n}", f"2026-01-01T00:00:00.{n:06d}Z",
              f"2026-01-01T00:00:00.{n:06d}Z") for n in range(works)],
        )
    finally:
        library.close()


def bulk_insert(server, works: int, rounds: int = 3) -> tuple[list[float], list[float]]:
    """Seconds to insert `works` works in one statement batch with the announcing triggers and with them switched
    off (what the triggers cost a push of a whole library), alternating, each round on a fresh database."""
    timings: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for announcing in (True, False):
            library = Library.open(new_database(server))
            try:
                if not announcing:
                    library.db.execute("ALTER TABLE works DISABLE TRIGGER works_announce")
                start = time.perf_counter()
                library.db.execute_many(
                    "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                    "VALUES (?, 'image', ?, ?, 'imported', 'cc0-1.0', ?, ?)",
                    [(f"{n:012x}", f"sha-{n}", f"work {n}", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
                     for n in range(works)],
                )
                timings[announcing].append(time.perf_counter() - start)
            finally:
                library.close()
    return timings[True], timings[False]


def bare_feed(url: str, runs: int) -> list[float]:
    """Baseline: the change feed alone, on a thread, against the writer process."""
    library = Library.open(url)
    feed = library.db.change_feed()
    assert feed is not None
    arrived: list[float] = []
    ready = threading.Event()
    got = threading.Semaphore(0)

    def listen() -> None:
        for change in feed.changes():
            if change.kind == "listening":
                ready.set()
            elif change.table == "works" and change.kind == "insert":
                arrived.append(time.time())
                got.release()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(10)
    process = _writer_process(url)
    samples = []
    try:
        for _ in range(runs):
            process.stdin.write("go\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
            committed = float(process.stdout.readline())  # type: ignore[union-attr]
            assert got.acquire(timeout=10)
            samples.append(arrived[-1] - committed)
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(30)
        feed.stop()
        thread.join(5)
        library.close()
    return samples


def _writer_process(url: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bench.live_bench", "--writer", url], cwd=REPO, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def window(url: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    from PySide6.QtCore import QCoreApplication

    from studio.app.qt_compat import keep_constants_alive
    from studio.app.session import LiveChanges, StudioSession
    from studio.app.works_model import WorksModel
    from studio.services import Studio

    keep_constants_alive()  # as the window does before it starts (a reference-counting bug of the Qt binding)
    app = QCoreApplication.instance() or QCoreApplication([])
    session = StudioSession(Studio.open(url), studio_factory=lambda: Studio.open(url))
    model = WorksModel(session)
    session.library_changed.connect(model.refresh)

    def apply(changes: LiveChanges) -> None:  # as the gallery panel does (a slot returns nothing to Qt)
        model.apply_changes(changes.work_ids)

    session.live_changes.connect(apply)
    shown: list[float] = []
    model.rowsInserted.connect(lambda *_: shown.append(time.time()))
    listening = []
    session.live_listening.connect(lambda: listening.append(1))
    deadline = time.monotonic() + 10
    while not listening and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    model.work_at(0)
    model.work_at(model.rowCount() - 1)  # the last page, where new works land
    process = _writer_process(url)
    samples = []
    try:
        for _ in range(runs):
            before = len(shown)
            process.stdin.write("go\n")  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
            committed = float(process.stdout.readline())  # type: ignore[union-attr]
            deadline = time.monotonic() + 10
            while len(shown) == before and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.0005)
            assert len(shown) > before, "the change never reached the window"
            samples.append(shown[-1] - committed)
        assert model.rowCount() == session.count_works(model.filter)
        last = model.work_at(model.rowCount() - 1)
        assert last is not None
        in_place = timed(lambda: model.apply_changes([last.id]), runs=runs)

        def reread() -> None:
            model.refresh()
            model.work_at(model.rowCount() - 1)

        reread_samples = timed(reread, runs=runs)
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.wait(30)
        model.close()
        session.close()
    return samples, in_place, reread_samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--writer")
    args = parser.parse_args()
    if args.writer:
        writer(args.writer)
        return
    with throwaway_postgres() as server:
        url = new_database(server)
        fill(url, args.works)
        baseline = bare_feed(url, args.runs)
        seen, in_place, reread = window(url, args.runs)
        announcing, silent = bulk_insert(server, args.works)
    rows = [
        ["write -> the other window's model shows the row", f"{median_ms(seen):.2f}", f"{p95_ms(seen):.2f}",
         f"{median_ms(seen) / median_ms(baseline):.2f}×"],
        ["baseline: write -> the bare change feed has it", f"{median_ms(baseline):.2f}", f"{p95_ms(baseline):.2f}",
         "1.00×"],
        ["GUI thread: one change applied in place", f"{median_ms(in_place):.2f}", f"{p95_ms(in_place):.2f}",
         f"{median_ms(in_place) / median_ms(reread):.2f}× of re-reading"],
        ["GUI thread: the gallery read again (reset + shown page)", f"{median_ms(reread):.2f}",
         f"{p95_ms(reread):.2f}", ""],
        [f"bulk insert of {args.works:,} works, announcing", f"{median_ms(announcing):.0f}", "",
         f"{median_ms(announcing) / median_ms(silent):.2f}× of silent"],
        ["baseline: the same insert with the trigger off", f"{median_ms(silent):.0f}", "", ""],
    ]
    print(f"{machine()}; {args.works:,} works in the gallery, {args.runs} changes")
    print(markdown_table(rows, ["measure", "median ms", "p95 ms", "ratio"]))


if __name__ == "__main__":
    main()
