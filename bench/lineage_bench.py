"""Lineage at scale: a library of 100k works and 1M edges.

Run: `.venv/bin/python -m bench.lineage_bench [--works 100000 --edges 1000000]`

Measures, in one run:
- ancestors of the last work of a 50-deep chain (the recursive CTE + walk), against a baseline that walks the
  graph with one query per work;
- the royalty split of that work (LAP and LRP), ancestors loaded from the database included;
- imports of 10k small PNG files through the real import path, against a baseline that only writes the files
  and inserts bare rows.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import tempfile
import time
from pathlib import Path

from PIL import Image

from bench.common import machine, markdown_table, median_ms, p95_ms, timed
from studio.core.types import Relation
from studio.services import Studio
from studio.services.importing import ImportRequest
from studio.store.library import Library

OUT = Path(__file__).resolve().parent / "out"
CLUSTER = 100
CHAIN = 50


def build_library(root: Path, works: int, edges: int, seed: int = 1) -> list[str]:
    """Bulk-load a library: clusters of 100 works whose members remix earlier members (so every work stays far
    under Story's 1024-ancestor limit), plus one 50-deep commercial remix chain. Returns the chain's ids."""
    if root.exists():
        shutil.rmtree(root)
    library = Library.open(root)
    rng = random.Random(seed)
    per_work = edges / works
    now = "2026-01-01T00:00:00.000000Z"
    work_rows = []
    edge_rows = []
    for n in range(works - CHAIN - 1):
        work_rows.append((f"{n:012x}", f"sha-{n}", f"work {n}", "cc-by-4.0"))
        position = n % CLUSTER
        if position:
            # the first members of a cluster have fewer candidates; aim a little higher to meet the edge count
            k = min(position, max(1, round(rng.gauss(per_work * 1.07, 3))), 16)
            base = n - position
            for p, parent in enumerate(rng.sample(range(base, n), k)):
                edge_rows.append((f"{n:012x}", f"{parent:012x}", "remix_of", p))
    chain = [f"c{n:011x}" for n in range(CHAIN + 1)]
    for n, work_id in enumerate(chain):
        work_rows.append((work_id, f"sha-chain-{n}", f"chain {n}", "pil-commercial-remix"))
        if n:
            edge_rows.append((work_id, chain[n - 1], "remix_of", 0))
    with library.db.atomic():
        library.db.conn.executemany(
            "INSERT INTO works (id, kind, sha256, title, origin, license_id, rev_share, royalty_policy, "
            f"created_at, updated_at) VALUES (?, 'image', ?, ?, 'imported', ?, 1000000, 'lap', '{now}', '{now}')",
            work_rows,
        )
        library.db.conn.executemany(
            "INSERT INTO edges (child_id, parent_id, relation, position) VALUES (?, ?, ?, ?)", edge_rows
        )
    library.db.execute("ANALYZE")
    library.close()
    return chain


def naive_ancestors(library: Library, work_id: str) -> set[str]:
    seen: set[str] = set()
    frontier = [work_id]
    while frontier:
        node = frontier.pop()
        for row in library.db.query("SELECT parent_id FROM edges WHERE child_id = ?", (node,)):
            if row[0] not in seen:
                seen.add(row[0])
                frontier.append(row[0])
    return seen


def png(n: int) -> bytes:
    image = Image.new("RGB", (16, 16), (n % 256, (n // 256) % 256, (n // 65536) % 256))
    image.putpixel((n % 16, 0), (255 - n % 256, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def bench_imports(count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        src = tmp_path / "src"
        src.mkdir()
        for n in range(count):
            (src / f"{n}.png").write_bytes(png(n))
        files = sorted(src.iterdir())
        studio = Studio.open(tmp_path / "lib")
        start = time.perf_counter()
        for path in files:
            studio.importing.import_image(ImportRequest(path=path, license_id="cc0-1.0", relation=Relation.remix_of))
        real = count / (time.perf_counter() - start)
        studio.close()
        baseline_lib = Library.open(tmp_path / "base")
        start = time.perf_counter()
        for n, path in enumerate(files):
            data = path.read_bytes()
            (tmp_path / "base" / f"{n}.png").write_bytes(data)
            baseline_lib.db.execute(
                "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                "VALUES (?, 'image', ?, 't', 'imported', 'cc0-1.0', 'now', 'now')",
                (f"b{n}", f"s{n}"),
            )
        baseline = count / (time.perf_counter() - start)
        baseline_lib.close()
    return real, baseline


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--imports", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    root = OUT / "lineage-library"
    start = time.perf_counter()
    chain = build_library(root, args.works, args.edges)
    build_s = time.perf_counter() - start
    studio = Studio.open(root)
    counts = studio.library.db.one("SELECT (SELECT count(*) FROM works), (SELECT count(*) FROM edges)")
    tail = chain[-1]
    assert len(studio.graph.ancestors(tail)) == CHAIN
    ancestors = timed(lambda: studio.graph.ancestors(tail), runs=args.runs)
    naive = timed(lambda: naive_ancestors(studio.library, tail), runs=args.runs)
    rows = [
        ["ancestors of a 50-deep chain (CTE + walk)", f"{median_ms(ancestors):.2f}", f"{p95_ms(ancestors):.2f}",
         "≤ 5 ms", f"{median_ms(ancestors) / median_ms(naive):.2f}× the per-row-query baseline"],
        ["baseline: one query per ancestor", f"{median_ms(naive):.2f}", f"{p95_ms(naive):.2f}", "", "1.00×"],
    ]
    royalty = getattr(studio, "royalty", None)
    if royalty is not None:
        for policy in ("lap", "lrp"):
            split = timed(lambda policy=policy: studio.royalty(tail, policy=policy), runs=args.runs)
            rows.append([f"royalty split of the chain's tail ({policy.upper()}, from the database)",
                         f"{median_ms(split):.2f}", f"{p95_ms(split):.2f}", "≤ 10 ms",
                         f"{median_ms(split) / median_ms(ancestors):.2f}× the ancestors query"])
    studio.close()
    real, baseline = bench_imports(args.imports)
    rows.append([f"import of {args.imports:,} PNG files (checked, fsynced, one transaction each)",
                 f"{real:,.0f} works/s", "", "", f"{real / baseline:.2f}× a bare write+insert loop"])
    rows.append(["baseline: bare file write + row insert", f"{baseline:,.0f} works/s", "", "", "1.00×"])
    print(f"library: {counts[0]:,} works, {counts[1]:,} edges (built in {build_s:.1f} s); {machine()}")
    print(markdown_table(rows, ["measure", "median ms (or rate)", "p95 ms", "goal", "ratio"]))


if __name__ == "__main__":
    main()
