"""`studio library push` against a bare copy of the same data, on the same real servers (a throwaway PostgreSQL
cluster and SeaweedFS `weed mini`, both started here).

Push: `LibraryPush.run()` from a local library of N works (files, a remix chain, reviews, credentials, training
choices, confirmations, a collection) into a fresh team library with a fresh bucket: lineage order, conflict
checks, files hashed and uploaded with their checksum and If-None-Match before each batch's rows, one transaction
per batch. Bare: the same files sent by plain boto3 `put_object` with the same number of threads, then the same
rows written by psycopg's `executemany` into the same schema in one transaction, no checks at all. Sides alternate
over the rounds, each into a fresh database and bucket; the ratio of medians (bare wall / push wall, 1.0 = as fast
as bare) is the figure to watch. A second push of the same library (nothing to copy) is timed too.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from bench.common import machine, markdown_table
from bench.s3_bench import cpu_model
from studio.secrets import SecretStore
from studio.store.library import Library
from studio.store.library_push import COPIED_TABLES, UPLOAD_THREADS, LibraryPush
from tests.helpers.postgres import new_database, throwaway_postgres
from tests.helpers.s3 import remove_abandoned_servers, start_weed
from tests.helpers.team_push import fill_local_library, team_with_bucket


def bare_copy(local: Path, url: str, client, bucket: str) -> None:
    """What a push does with no checks: the files by plain PUTs, then every row by executemany, one transaction."""
    source = sqlite3.connect(local / "library.db")
    works = source.execute("SELECT file_path, sha256 FROM works WHERE file_path IS NOT NULL").fetchall()

    def put(item: tuple[str, str]) -> None:
        path, sha = item
        client.put_object(Bucket=bucket, Key=f"sha256/{sha[:2]}/{sha}", Body=(local / path).read_bytes())

    with ThreadPoolExecutor(UPLOAD_THREADS) as pool:
        list(pool.map(put, works))
    tables = ["works", *(spec.table for spec in COPIED_TABLES)]
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        for table in tables:
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})") if row[1] != "id"
                       or table != "reviews"]
            rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
                               f"({', '.join(['%s'] * len(columns))})", rows)
    source.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=1000)
    parser.add_argument("--file-bytes", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="push-bench-"))
    os.environ["STUDIO_KEYRING"] = f"plainfile:{work / 'keyring.json'}"
    os.environ["STUDIO_CACHE_DIR"] = str(work / "cache")
    remove_abandoned_servers()
    server = None
    try:
        server = start_weed(work / "weed")
        secrets = SecretStore()
        client = server.client()
        local = fill_local_library(work / "local", args.works, file_bytes=args.file_bytes)
        local.close()
        walls: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        with throwaway_postgres() as pg:
            for n in range(args.rounds):
                push_url, bare_url = new_database(pg), new_database(pg)
                push_bucket, bare_bucket = server.new_bucket(), server.new_bucket()
                team_with_bucket(push_url, server.endpoint, push_bucket, secrets)
                Library.open(bare_url).close()  # the same schema, migrated

                def push(url: str = push_url) -> None:
                    with Library.open(work / "local") as source, Library.open(url, secrets=secrets) as team:
                        report = LibraryPush(source, team).run()
                    assert report.complete and report.works_added == args.works + 1

                def again(url: str = push_url) -> None:
                    with Library.open(work / "local") as source, Library.open(url, secrets=secrets) as team:
                        report = LibraryPush(source, team).run()
                    assert report.works_added == 0 and report.files_uploaded == 0

                sides = [("push", push), ("bare", lambda u=bare_url, b=bare_bucket: bare_copy(work / "local", u,
                                                                                              client, b))]
                if n % 2:
                    sides.reverse()
                for name, fn in [*sides, ("push again (nothing new)", again)]:
                    wall, cpu = time.perf_counter(), time.process_time()
                    fn()
                    walls.setdefault(name, []).append(time.perf_counter() - wall)
                    cpus.setdefault(name, []).append(time.process_time() - cpu)
        bare = statistics.median(walls["bare"])

        def row(name: str) -> list[str]:
            wall = statistics.median(walls[name])
            return [name, f"{wall:.2f} s", f"{args.works / wall:.0f}/s", f"{statistics.median(cpus[name]):.2f} s",
                    f"{bare / wall:.2f}"]

        print(f"{args.works} works + 1 collection, files of {args.file_bytes:,} bytes, {args.rounds} rounds; "
              f"{machine()}; {cpu_model()}, {os.cpu_count()} CPUs")
        print(markdown_table([row("bare"), row("push"), row("push again (nothing new)")],
                             ["side", "median wall", "works/s", "median client CPU", "speed vs bare (1.0 = same)"]))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
