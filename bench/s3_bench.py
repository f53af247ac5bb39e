"""The S3 file store against bare boto3 on the same real S3 server (SeaweedFS `weed mini`, started here).

Uploads: N files through `S3FileStore.put_path` (copied into the cache while hashed, fsynced, sent with their
SHA-256 checksum and If-None-Match, committed to the cache) and `put_bytes`, against a bare `put_object` of the
same bytes. Cold reads: `S3FileStore.read` (streamed, hashed, counted, fsynced into the cache) against a bare
`get_object().read()`. Sides alternate over several rounds, each round into a fresh bucket; the ratio of medians
is the figure to watch. Client CPU seconds are recorded beside wall time (the server's are not the client's).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import machine, markdown_table
from studio.secrets import Secret
from studio.store.s3 import S3FileStore
from studio.store.s3_location import S3Credentials, S3Location
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, WeedServer, remove_abandoned_servers, start_weed


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def measure(fn: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--size", type=int, default=50_000, help="bytes per file")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    remove_abandoned_servers()
    work = Path(tempfile.mkdtemp(prefix="studio-s3-bench-"))
    server: WeedServer | None = None
    try:
        server = start_weed(work / "weed")
        sources = work / "sources"
        sources.mkdir()
        paths = []
        for i in range(args.files):
            path = sources / f"{i}.png"
            path.write_bytes(os.urandom(args.size))
            paths.append(path)
        blobs = [p.read_bytes() for p in paths]
        hashes = [hashlib.sha256(b).hexdigest() for b in blobs]
        client = server.client()
        results: dict[str, list[tuple[float, float]]] = {}

        def store(bucket: str, cache: str) -> S3FileStore:
            return S3FileStore(S3Location.parse(server.endpoint, bucket), S3Credentials(ACCESS_KEY, Secret(SECRET_KEY)),
                               work / cache)

        for n in range(args.rounds):
            buckets = {side: server.new_bucket() for side in ("bare put", "put_path", "put_bytes")}

            def bare_put(bucket: str = buckets["bare put"]) -> None:
                for i, data in enumerate(blobs):
                    client.put_object(Bucket=bucket, Key=f"k/{i}", Body=data)

            writer = store(buckets["put_path"], f"cache-path-{n}")
            writer_bytes = store(buckets["put_bytes"], f"cache-bytes-{n}")
            sides = [("bare put", bare_put),
                     ("put_path", lambda w=writer: [w.put_path(p, "png") for p in paths]),
                     ("put_bytes", lambda w=writer_bytes: [w.put_bytes(b, "png") for b in blobs])]
            if n % 2:
                sides.reverse()
            for name, fn in sides:
                results.setdefault(name, []).append(measure(fn))
            keys = [writer.key(h) for h in hashes]
            reader = store(buckets["put_path"], f"cache-read-{n}")

            def bare_get(bucket: str = buckets["put_path"], keys: list[str] = keys) -> None:
                for key in keys:
                    client.get_object(Bucket=bucket, Key=key)["Body"].read()

            reads = [("bare get", bare_get),
                     ("read (cold cache)", lambda r=reader: [r.read(h) for h in hashes])]
            if n % 2:
                reads.reverse()
            for name, fn in reads:
                results.setdefault(name, []).append(measure(fn))

        def row(name: str, baseline: str) -> list[str]:
            wall = statistics.median(w for w, _ in results[name])
            cpu = statistics.median(c for _, c in results[name])
            base = statistics.median(w for w, _ in results[baseline])
            return [name, f"{wall:.2f} s", f"{args.files / wall:.0f}/s", f"{cpu:.2f} s", f"{base / wall:.2f}"]

        print(f"{args.files} files of {args.size:,} bytes, {args.rounds} rounds; {machine()}; {cpu_model()}, "
              f"{os.cpu_count()} CPUs")
        print(markdown_table(
            [row("bare put", "bare put"), row("put_path", "bare put"), row("put_bytes", "bare put"),
             row("bare get", "bare get"), row("read (cold cache)", "bare get")],
            ["side", "median wall", "files/s", "median client CPU", "speed vs bare (1.0 = same)"],
        ))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
