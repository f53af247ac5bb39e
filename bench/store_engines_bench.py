"""The store on its two engines: one library (works with prompts, remix clusters, a 50-deep chain) built on SQLite and
on a throwaway PostgreSQL server, and the same questions asked of both.

Run: `.venv/bin/python -m bench.store_engines_bench [--works 100000 --edges 300000]` (needs PostgreSQL's server
programs, as the tests do)

Measures, in one run, on each engine:
- the ancestry of the chain's last work (the recursive CTE the lineage graph uses);
- a gallery page (newest first, 100 works): the first page and one 500 pages deep;
- a search for a rare text (one work) and a common one (a tenth of the works), first page, through the trigram
  index, against a baseline that answers the same search by reading every work;
and the PostgreSQL / SQLite ratio of each.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import machine, markdown_table, median_ms, p95_ms, timed
from studio.core.types import Recipe
from studio.store.db import POSTGRESQL, SQLITE
from studio.store.library import Library
from tests.helpers.postgres import new_database, throwaway_postgres

CLUSTER = 100
CHAIN = 50
PAGE = 100
WORDS = ("harbour", "moss", "tide", "ember", "glass", "orchard", "signal", "quarry", "lantern", "meadow")
COMMON = "lighthouse"  # in one prompt of ten


def rows_of(works: int, edges: int, seed: int = 1) -> tuple[list[tuple], list[tuple], list[str]]:
    rng = random.Random(seed)
    per_work = edges / works
    work_rows, edge_rows = [], []
    for n in range(works - CHAIN - 1):
        words = " ".join(rng.sample(WORDS, 3))
        prompt = f"{words} {COMMON}" if n % 10 == 0 else words
        stamp = f"2026-01-01T00:00:00.{n:06d}Z" if n < 1_000_000 else f"2026-01-02T00:00:00.{n % 1_000_000:06d}Z"
        work_rows.append((f"{n:012x}", f"sha-{n}", f"work {n}", f"artist {n % 500}",
                          Recipe(prompt=f"{prompt} mark{n:07d}").to_json(), stamp))
        position = n % CLUSTER
        if position:
            k = min(position, max(1, round(rng.gauss(per_work * 1.07, 1))), 16)
            for p, parent in enumerate(rng.sample(range(n - position, n), k)):
                edge_rows.append((f"{n:012x}", f"{parent:012x}", p))
    chain = [f"c{n:011x}" for n in range(CHAIN + 1)]
    for n, work_id in enumerate(chain):
        work_rows.append((work_id, f"sha-chain-{n}", f"chain {n}", "chain artist", None, "2027-01-01T00:00:00.000000Z"))
        if n:
            edge_rows.append((work_id, chain[n - 1], 0))
    return work_rows, edge_rows, chain


def build(library: Library, work_rows: list[tuple], edge_rows: list[tuple]) -> float:
    start = time.perf_counter()
    with library.db.atomic():
        library.db.execute_many(
            "INSERT INTO works (id, kind, sha256, title, creator, recipe, origin, license_id, created_at, updated_at) "
            "VALUES (?, 'image', ?, ?, ?, ?, 'imported', 'cc-by-4.0', ?, 'now')", work_rows)
        library.db.execute_many(
            "INSERT INTO edges (child_id, parent_id, relation, position) VALUES (?, ?, 'remix_of', ?)", edge_rows)
    library.db.execute("ANALYZE")
    return time.perf_counter() - start


def scanned_search(library: Library, text: str) -> Callable[[], Any]:
    """The first page of a search answered by reading every work: the baseline the index is measured against."""
    pattern = f"%{text}%"
    where = " OR ".join(f"{column} {'ILIKE' if library.engine == POSTGRESQL else 'LIKE'} ?"
                        for column in ("title", "creator", "recipe"))
    sql = (f"SELECT * FROM works WHERE deleted_at IS NULL AND ({where}) "
           f"ORDER BY created_at DESC, id DESC LIMIT {PAGE}")

    def run() -> Any:
        if library.engine == POSTGRESQL:
            with library.db.atomic():
                library.db.execute("SET LOCAL enable_bitmapscan = off")
                return library.db.query(sql, [pattern] * 3)
        return library.db.query(sql, [pattern] * 3)

    return run


def measure(library: Library, chain: list[str], works: int, runs: int) -> dict[str, list[float]]:
    rare = f"mark{works // 2:07d}"
    assert len(library.works.list(text=rare)) == 1
    assert len({e.parent_id for e in library.edges.ancestor_edges(chain[-1])}) == CHAIN
    assert [r["id"] for r in scanned_search(library, COMMON)()] == [
        w.id for w in library.works.list(text=COMMON, newest_first=True, limit=PAGE)]
    deep = min(500 * PAGE, works - PAGE)
    return {
        "ancestors": timed(lambda: library.edges.ancestor_edges(chain[-1]), runs=runs),
        "page 1": timed(lambda: library.works.list(newest_first=True, limit=PAGE), runs=runs),
        "deep page": timed(lambda: library.works.list(newest_first=True, limit=PAGE, offset=deep),
                           runs=max(5, runs // 10)),
        "rare search": timed(lambda: library.works.list(text=rare, newest_first=True, limit=PAGE), runs=runs),
        "rare scan": timed(scanned_search(library, rare), runs=max(5, runs // 10)),
        "common search": timed(lambda: library.works.list(text=COMMON, newest_first=True, limit=PAGE),
                               runs=max(5, runs // 10)),
        "common scan": timed(scanned_search(library, COMMON), runs=max(5, runs // 10)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    work_rows, edge_rows, chain = rows_of(args.works, args.edges)
    results: dict[str, dict[str, list[float]]] = {}
    built: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, throwaway_postgres() as server:
        os.environ["STUDIO_CACHE_DIR"] = str(Path(tmp) / "cache")  # the team library's local folder: this run's
        for engine, address in ((SQLITE, Path(tmp) / "lib"), (POSTGRESQL, new_database(server))):
            library = Library.open(address)
            built[engine] = build(library, work_rows, edge_rows)
            results[engine] = measure(library, chain, args.works, args.runs)
            library.close()
    names = {"ancestors": "ancestors of the 50-deep chain's last work", "page 1": f"gallery: first page ({PAGE})",
             "deep page": "gallery: a page 500 pages deep", "rare search": "search, one match: first page",
             "rare scan": "baseline: the same search reading every work",
             "common search": "search, a tenth of the works match: first page",
             "common scan": "baseline: the same search reading every work"}
    table = []
    for key, name in names.items():
        sqlite_ms, pg_ms = median_ms(results[SQLITE][key]), median_ms(results[POSTGRESQL][key])
        row = [name, f"{sqlite_ms:.2f} (p95 {p95_ms(results[SQLITE][key]):.2f})",
               f"{pg_ms:.2f} (p95 {p95_ms(results[POSTGRESQL][key]):.2f})", f"{pg_ms / sqlite_ms:.2f}×"]
        if key.endswith("search"):
            scan = key.replace("search", "scan")
            row.append(" / ".join(f"{median_ms(results[e][key]) / median_ms(results[e][scan]):.2f}×"
                                  for e in (SQLITE, POSTGRESQL)))
        else:
            row.append("")
        table.append(row)
    print(f"library: {len(work_rows):,} works, {len(edge_rows):,} edges; built in {built[SQLITE]:.1f} s (SQLite), "
          f"{built[POSTGRESQL]:.1f} s (PostgreSQL); {machine()}")
    print(markdown_table(table, ["measure", "SQLite median ms", "PostgreSQL median ms", "PostgreSQL / SQLite",
                                 "index / scan (SQLite / PostgreSQL)"]))


if __name__ == "__main__":
    main()
