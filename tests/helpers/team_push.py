"""For the push tests and bench: a local library filled with works and everything that hangs on them, a team library
with a bucket, and a snapshot of a team library (rows of the pushed tables, and the hash of every object)."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from studio.secrets import Secret, SecretStore
from studio.store.library import Library
from studio.store.library_push import COPIED_TABLES
from studio.store.s3_location import S3Location, keep_s3_credentials
from studio.store.team_roles import STAMP_COLUMNS
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, WeedServer

PUSHED_TABLES = ("works", *(spec.table for spec in COPIED_TABLES))


def team_with_bucket(address: str, endpoint: str, bucket: str, secrets: SecretStore, *,
                     key: str = ACCESS_KEY, secret: str = SECRET_KEY) -> S3Location:
    """Record `bucket` at `endpoint` as the team library's and keep its key in `secrets`."""
    location = S3Location.parse(endpoint, bucket)
    keep_s3_credentials(secrets, location, key, Secret(secret))
    with Library.open(address, secrets=secrets) as team:
        team.use_bucket(location)
    return location


def fill_local_library(folder: Path, works: int, *, seed: int = 0, file_bytes: int = 600) -> Library:
    """A local library of `works` image works with files, each a remix of the one before it (chains of 10), an
    approval and a credentials verdict on every third, a training choice and a confirmed condition on every
    fifth, and one collection holding the first ten. Returns it open."""
    rng = random.Random(seed)
    library = Library.open(folder)
    db = library.db
    ids = []
    with db.atomic():
        for n in range(works):
            data = f"work {seed}-{n}\n".encode() + rng.randbytes(file_bytes)
            sha = hashlib.sha256(data).hexdigest()
            relative = library.files.put(data, sha, "png")
            work_id = f"w{seed:02d}{n:07d}"
            stamp = f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.{n:06d}"
            db.execute(
                "INSERT INTO works (id, kind, sha256, file_path, format, width, height, size_bytes, title, creator, "
                "origin, license_id, recipe, created_at, updated_at) VALUES (?, 'image', ?, ?, 'png', 32, 24, ?, ?, "
                "?, 'imported', 'cc-by-4.0', ?, ?, ?)",
                (work_id, sha, relative, len(data), f"Work {n}", f"artist {n % 7}",
                 json.dumps({"prompt": f"a fox number {n}", "seed": n}), stamp, stamp))
            if n % 10:
                db.execute("INSERT INTO edges (child_id, parent_id, relation, position) VALUES (?, ?, 'remix_of', 0)",
                           (work_id, ids[-1]))
            if n % 3 == 0:
                db.execute("INSERT INTO reviews (work_id, decision, reviewer, comment, report_sha256, lineage_sha256, "
                           "decided_at) VALUES (?, 'approved', 'rita', 'fine', ?, ?, ?)", (work_id, sha, sha, stamp))
                db.execute("INSERT INTO credentials (work_id, state, tampered, checked_at) VALUES (?, 'none', 0, ?)",
                           (work_id, stamp))
            if n % 5 == 0:
                db.execute("INSERT INTO training_permissions (work_id, choice, signals, updated_at) "
                           "VALUES (?, 'allow', '[]', ?)", (work_id, stamp))
                db.execute("INSERT INTO license_confirmations (work_id, condition, confirmed_at) "
                           "VALUES (?, 'attribution', ?)", (work_id, stamp))
            ids.append(work_id)
        if works:
            collection = f"c{seed:02d}0000000"
            db.execute(
                "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                "VALUES (?, 'collection', ?, 'Foxes', 'imported', 'cc-by-4.0', '2025-12-31T00:00:00', "
                "'2025-12-31T00:00:00')", (collection, hashlib.sha256(collection.encode()).hexdigest()))
            db.execute_many("INSERT INTO collection_members (collection_id, work_id, position) VALUES (?, ?, ?)",
                            [(collection, w, i) for i, w in enumerate(ids[:10])])
    return library


@dataclass(frozen=True)
class TeamSnapshot:
    rows: dict[str, list[tuple]]
    objects: dict[str, str]  # key -> sha256 of its bytes


def team_snapshot(team: Library, server: WeedServer, bucket: str, local: Library) -> TeamSnapshot:
    """The pushed tables' rows (the local library's columns, reviews without the id the team assigns) and every
    object with its bytes' hash."""
    rows = pushed_rows(team, local)
    client = server.client()
    objects = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            objects[item["Key"]] = hashlib.sha256(body).hexdigest()
    return TeamSnapshot(rows, objects)


def pushed_rows(library: Library, local: Library) -> dict[str, list[tuple]]:
    """Every row of the pushed tables of `library`, in the columns the local library has (so both compare)."""
    rows = {}
    for table in PUSHED_TABLES:
        columns = [c for c in local.db.column_names(table)
                   if not (table == "reviews" and c == "id") and c not in STAMP_COLUMNS]
        found = library.db.query(f"SELECT {', '.join(columns)} FROM {table}")
        rows[table] = sorted((tuple(r) for r in found), key=repr)
    return rows
