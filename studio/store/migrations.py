"""Named schema migrations, applied in order, each recorded in the same transaction as its changes.

A database that records a migration this version does not know was written by a newer Remix Studio: it is
refused untouched. Before any pending migration runs on an existing SQLite database, a backup copy is taken next to
it (a PostgreSQL server is backed up by its own tools; each migration there is one transaction as well).

The same migrations build both engines' schemas: they are written in SQLite's dialect, which `studio.store.postgres`
translates; the few steps that cannot be said the same way on both have both versions side by side.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from studio.errors import LibraryError
from studio.store.db import POSTGRESQL, SQLITE, Database
from studio.store.team_roles import ROLES, STAMPED_TABLES, TeamSetup, group_role, member_table_ddl, quoted

MIGRATIONS_TABLE = "_migrations"


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Database], None]


def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE works (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('image', 'model', 'lora')),
            sha256 TEXT NOT NULL UNIQUE,
            phash TEXT,
            file_path TEXT,
            location TEXT,
            format TEXT,
            width INTEGER,
            height INTEGER,
            size_bytes INTEGER,
            title TEXT NOT NULL,
            creator TEXT,
            description TEXT,
            origin TEXT NOT NULL CHECK (origin IN ('imported', 'generated', 'builtin')),
            license_id TEXT NOT NULL,
            rev_share INTEGER,
            rev_share_override INTEGER,
            minting_fee TEXT,
            royalty_policy TEXT CHECK (royalty_policy IN ('lap', 'lrp') OR royalty_policy IS NULL),
            recipe TEXT,
            flags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX works_kind_created ON works (kind, created_at)")
    db.execute("CREATE INDEX works_license ON works (license_id)")
    db.execute(
        """
        CREATE TABLE edges (
            child_id TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
            parent_id TEXT NOT NULL REFERENCES works (id) ON DELETE RESTRICT,
            relation TEXT NOT NULL CHECK (relation IN
                ('remix_of', 'inpaint_of', 'composite_of', 'generated_with', 'styled_with')),
            position INTEGER NOT NULL DEFAULT 0,
            weight REAL,
            PRIMARY KEY (child_id, parent_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX edges_parent ON edges (parent_id, child_id)")


def m002_model_registry(db: Database) -> None:
    """Models and LoRAs are works (kind model/lora); this keeps where they live and what they are."""
    db.execute(
        """
        CREATE TABLE models (
            work_id TEXT PRIMARY KEY REFERENCES works (id) ON DELETE CASCADE,
            name TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            arch TEXT,
            source TEXT,
            added_at TEXT NOT NULL
        )
        """
    )


def m003_publications(db: Database) -> None:
    """The publishing journal: draft -> sent (tx hash saved before waiting) -> confirmed | failed."""
    db.execute(
        """
        CREATE TABLE publications (
            id INTEGER PRIMARY KEY,
            work_id TEXT NOT NULL REFERENCES works (id) ON DELETE RESTRICT,
            network TEXT NOT NULL,
            chain_id INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'confirmed', 'failed')),
            wallet TEXT,
            tx_hash TEXT,
            ip_id TEXT,
            token_id TEXT,
            nft_contract TEXT,
            license_terms_ids TEXT,
            metadata_uri TEXT,
            metadata_hash TEXT,
            prediction TEXT,
            readback TEXT,
            error TEXT,
            origin TEXT NOT NULL DEFAULT 'published' CHECK (origin IN ('published', 'imported')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # A work is on a network at most once: only failed attempts may repeat.
    db.execute("CREATE UNIQUE INDEX publications_once ON publications (work_id, network) WHERE state != 'failed'")
    db.execute("CREATE INDEX publications_state ON publications (state)")
    db.execute("CREATE UNIQUE INDEX publications_ip ON publications (network, ip_id) WHERE ip_id IS NOT NULL")
    db.execute(
        """
        CREATE TABLE collections (
            network TEXT NOT NULL,
            wallet TEXT NOT NULL,
            address TEXT NOT NULL,
            tx_hash TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (network, wallet)
        )
        """
    )


def m004_trash(db: Database) -> None:
    """Deleting a work moves it to the trash (undoable) instead of removing its row and file."""
    db.execute("ALTER TABLE works ADD COLUMN deleted_at TEXT")
    db.execute("CREATE INDEX works_deleted ON works (deleted_at)")


def m005_credentials(db: Database) -> None:
    """What the Content Credentials of a work's file said when it was imported or signed."""
    db.execute(
        """
        CREATE TABLE credentials (
            work_id TEXT PRIMARY KEY REFERENCES works (id) ON DELETE CASCADE,
            state TEXT NOT NULL,
            tampered INTEGER NOT NULL DEFAULT 0,
            signer TEXT,
            manifest_label TEXT,
            summary TEXT,
            report TEXT,
            checked_at TEXT NOT NULL
        )
        """
    )


def m006_reviews(db: Database) -> None:
    """Release approvals: a reviewer's decision on a work, bound to the lineage report it was made on."""
    db.execute(
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            work_id TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            reviewer TEXT NOT NULL,
            comment TEXT,
            report_sha256 TEXT NOT NULL,
            lineage_sha256 TEXT NOT NULL,
            decided_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX reviews_work ON reviews (work_id, decided_at)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def m007_publication_nonces(db: Database) -> None:
    """The signed transaction of a sent publication: its nonce (never reused by the journal) and raw bytes (so
    a transaction lost before it reached the node can be sent again unchanged)."""
    db.execute("ALTER TABLE publications ADD COLUMN nonce INTEGER")
    db.execute("ALTER TABLE publications ADD COLUMN raw_tx TEXT")
    db.execute(
        "CREATE UNIQUE INDEX publications_nonce ON publications (network, wallet, nonce) WHERE nonce IS NOT NULL"
    )


def _widen_check(db: Database, table: str, column: str, old: str, new: str) -> None:
    """Widen the `column IN (...)` CHECK of a column from the list `old` to the list `new`. Widening a CHECK changes
    no stored row: on SQLite its documented schema edit is enough (rebuilding `works` would cascade through every
    table that references it); PostgreSQL replaces the column's constraint, which it named `<table>_<column>_check`."""
    if db.engine == POSTGRESQL:
        constraint = f"{table}_{column}_check"
        db.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}, "
                   f"ADD CONSTRAINT {constraint} CHECK ({column} IN {new})")
        return
    row = db.one("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    if row is None or old not in row[0]:
        raise LibraryError(f"the library's {table} table is not in the expected shape",
                           hint="restore the library from its backup copy or report this library")
    version = int(db.one("PRAGMA schema_version")[0])
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                   (row[0].replace(old, new), table))
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


def m008_collections_and_training(db: Database) -> None:
    """Works of kind `collection` (training sets) with their members, and the training relations: `trained_on`
    (model -> collection) and `finetuned_from` (LoRA -> base model). Members are rows of their own, not parent
    edges, so ancestry queries never walk into a collection of thousands of works."""
    _widen_check(db, "works", "kind", "('image', 'model', 'lora')", "('image', 'model', 'lora', 'collection')")
    _widen_check(
        db, "edges", "relation",
        "('remix_of', 'inpaint_of', 'composite_of', 'generated_with', 'styled_with')",
        "('remix_of', 'inpaint_of', 'composite_of', 'generated_with', 'styled_with', 'trained_on', 'finetuned_from')",
    )
    db.execute(
        """
        CREATE TABLE collection_members (
            collection_id TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
            work_id TEXT NOT NULL REFERENCES works (id) ON DELETE RESTRICT,
            position INTEGER NOT NULL,
            PRIMARY KEY (collection_id, work_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX collection_members_work ON collection_members (work_id, collection_id)")


def m009_training_permissions(db: Database) -> None:
    """What the library knows about training AI models on a work: the owner's own choice (allow / deny) and the
    signals its file stated on import (Content Credentials training-mining entries, IPTC plus:DataMining), so the
    training verdict never needs the file."""
    db.execute(
        """
        CREATE TABLE training_permissions (
            work_id TEXT PRIMARY KEY REFERENCES works (id) ON DELETE CASCADE,
            choice TEXT CHECK (choice IN ('allow', 'deny') OR choice IS NULL),
            signals TEXT NOT NULL DEFAULT '[]',
            updated_at TEXT NOT NULL
        ) WITHOUT ROWID
        """
    )


def m010_group_members(db: Database) -> None:
    """Members added to a training set's Story group, one row per member and add transaction: written with the
    transaction's hash and signed bytes before it is broadcast, so a crash leaves a row the next run settles."""
    db.execute(
        """
        CREATE TABLE group_members (
            id INTEGER PRIMARY KEY,
            network TEXT NOT NULL,
            group_work_id TEXT NOT NULL REFERENCES works (id),
            group_ip TEXT NOT NULL,
            member_work_id TEXT NOT NULL REFERENCES works (id),
            member_ip TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('sent', 'added', 'failed')),
            tx_hash TEXT,
            nonce INTEGER,
            raw_tx TEXT,
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # A member is live in a group at most once: sent or added.
    db.execute(
        "CREATE UNIQUE INDEX group_members_live ON group_members (network, group_ip, member_ip) "
        "WHERE state IN ('sent', 'added')"
    )
    db.execute("CREATE INDEX group_members_member ON group_members (member_work_id, network)")


def m011_license_confirmations(db: Database) -> None:
    """The conditions of a license that the creator confirmed for a work (the Stability AI Community License's
    annual revenue under US$1M): facts only they know, which the license engine needs to allow a use."""
    db.execute(
        """
        CREATE TABLE license_confirmations (
            work_id TEXT NOT NULL REFERENCES works (id) ON DELETE CASCADE,
            condition TEXT NOT NULL,
            confirmed_at TEXT NOT NULL,
            PRIMARY KEY (work_id, condition)
        ) WITHOUT ROWID
        """
    )


def m012_spg_collections_named(db: Database) -> None:
    """The table of each wallet's SPG NFT collection is named for what it holds: "collection" alone means a
    training set everywhere else in the studio."""
    db.execute("ALTER TABLE collections RENAME TO spg_collections")


def m013_search_index(db: Database) -> None:
    """An index for searching titles, creators and recipes (prompts) by any part of their text, ignoring case: the
    same answers as `LIKE '%text%'`, without reading every work. Both engines index trigrams, so both find the same
    works: SQLite an FTS5 table with the trigram tokenizer (kept in step by triggers; it refers to works by rowid,
    so a VACUUM of the library must be followed by its 'rebuild'), PostgreSQL a pg_trgm GIN index that its own
    ILIKE uses. A word index (FTS5's unicode61, PostgreSQL's tsvector) would answer differently on each engine and
    miss parts of words."""
    if db.engine == POSTGRESQL:
        db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute("CREATE INDEX works_search ON works USING gin "
                   "(title gin_trgm_ops, creator gin_trgm_ops, recipe gin_trgm_ops)")
        return
    columns = "title, creator, recipe"
    old = "old.title, old.creator, old.recipe"
    new = "new.title, new.creator, new.recipe"
    db.execute(f"CREATE VIRTUAL TABLE works_search USING fts5({columns}, content='works', tokenize='trigram')")
    db.execute(f"CREATE TRIGGER works_search_insert AFTER INSERT ON works BEGIN "
               f"INSERT INTO works_search (rowid, {columns}) VALUES (new.rowid, {new}); END")
    db.execute(f"CREATE TRIGGER works_search_delete AFTER DELETE ON works BEGIN "
               f"INSERT INTO works_search (works_search, rowid, {columns}) VALUES ('delete', old.rowid, {old}); END")
    db.execute(f"CREATE TRIGGER works_search_update AFTER UPDATE OF {columns} ON works BEGIN "
               f"INSERT INTO works_search (works_search, rowid, {columns}) VALUES ('delete', old.rowid, {old}); "
               f"INSERT INTO works_search (rowid, {columns}) VALUES (new.rowid, {new}); END")
    db.execute("INSERT INTO works_search (works_search) VALUES ('rebuild')")


def m014_gallery_order(db: Database) -> None:
    """The gallery lists works newest first (ties by id): an index in that order lets a page read its own rows instead
    of sorting every work of the library for each page."""
    db.execute("CREATE INDEX works_created ON works (created_at, id)")


def m015_team_roles(db: Database) -> None:
    """Who made each change (`created_by`, `updated_by`) and approvals the database voids (`voided_at`,
    `voided_by`), on both engines. A local library leaves them empty: its one artist made everything, and the review
    service voids by the lineage hash. On PostgreSQL the team library's people and roles (studio.store.team_roles):
    its four group roles, their grants, row-level security policies and the triggers that stamp and void."""
    for table in STAMPED_TABLES:
        db.execute(f"ALTER TABLE {table} ADD COLUMN created_by TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN updated_by TEXT")
    db.execute("ALTER TABLE reviews ADD COLUMN voided_at TEXT")
    db.execute("ALTER TABLE reviews ADD COLUMN voided_by TEXT")
    if db.engine != POSTGRESQL:
        return
    row = db.one("SELECT current_database(), current_user, current_schema()")
    setup = TeamSetup(database=row[0], owner=row[1], schema=row[2])
    for table in STAMPED_TABLES:  # rows made before the team library knew its members keep NULL: unknown
        db.execute(f"ALTER TABLE {table} ALTER COLUMN created_by SET DEFAULT current_user")
        db.execute(f"ALTER TABLE {table} ALTER COLUMN updated_by SET DEFAULT current_user")
    db.execute(member_table_ddl())
    for role in ROLES:  # server-wide names, one set per library database; another library's are never touched
        name = group_role(setup.database, role)
        if db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)) is None:
            db.execute(f"CREATE ROLE {quoted(name)} NOLOGIN")
    for statement in [*setup.functions(), *setup.grants(), *setup.policies()]:
        db.execute(statement)


# The channel a team library's changes are announced on. PostgreSQL delivers a notification only to listeners
# connected to the same database, and a team library is one database, so one name serves every library.
LIVE_CHANNEL = "studio_library_changes"
# The tables whose changes the window shows (works, their lineage, review decisions, publications, models), and
# the column that names the work each row belongs to.
LIVE_TABLES = {"works": "id", "edges": "child_id", "reviews": "work_id", "publications": "work_id",
               "models": "work_id"}


def m016_live_changes(db: Database) -> None:
    """A team library announces each changed row to the open windows: a trigger sends `pg_notify` with
    {table, id, work, kind}, which PostgreSQL delivers when the transaction commits (never for one rolled back).
    A local library has one window per folder: nothing to announce. Each table has its own function naming its
    columns (a generic one reading the row as JSON cost a bulk insert twice as much)."""
    if db.engine != POSTGRESQL:
        return
    for table, work_column in LIVE_TABLES.items():
        id_column = "id" if table in ("works", "reviews", "publications") else work_column

        def announce(row: str, kind: str, table: str = table, id_column: str = id_column,
                     work_column: str = work_column) -> str:
            return (f"PERFORM pg_notify('{LIVE_CHANNEL}', json_build_object('table', '{table}', "
                    f"'id', {row}.{id_column}::text, 'work', {row}.{work_column}, 'kind', {kind})::text);")

        db.execute(
            f"""
            CREATE FUNCTION studio_announce_{table}() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    {announce("OLD", "'delete'")}
                ELSE
                    {announce("NEW", "lower(TG_OP)")}
                END IF;
                RETURN NULL;
            END
            $body$
            """
        )
        db.execute(f"CREATE TRIGGER {table}_announce AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION studio_announce_{table}()")


def m017_publication_author(db: Database) -> None:
    """Who wrote a publication: on a team library the member's database role (the server fills it in, so no
    client can claim another name); on a local library the publishing wallet."""
    if db.engine == POSTGRESQL:
        db.execute("ALTER TABLE publications ADD COLUMN published_by TEXT DEFAULT current_user")
    else:
        db.execute("ALTER TABLE publications ADD COLUMN published_by TEXT")
    db.execute("UPDATE publications SET published_by = wallet WHERE published_by IS NULL")


MIGRATIONS: tuple[Migration, ...] = (
    Migration("m001_initial", m001_initial),
    Migration("m002_model_registry", m002_model_registry),
    Migration("m003_publications", m003_publications),
    Migration("m004_trash", m004_trash),
    Migration("m005_credentials", m005_credentials),
    Migration("m006_reviews", m006_reviews),
    Migration("m007_publication_nonces", m007_publication_nonces),
    Migration("m008_collections_and_training", m008_collections_and_training),
    Migration("m009_training_permissions", m009_training_permissions),
    Migration("m010_group_members", m010_group_members),
    Migration("m011_license_confirmations", m011_license_confirmations),
    Migration("m012_spg_collections_named", m012_spg_collections_named),
    Migration("m013_search_index", m013_search_index),
    Migration("m014_gallery_order", m014_gallery_order),
    Migration("m015_team_roles", m015_team_roles),
    Migration("m016_live_changes", m016_live_changes),
    Migration("m017_publication_author", m017_publication_author),
)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The record of applied migrations, in the order they ran: SQLite numbers its rows itself (rowid), PostgreSQL is
# given a column that does.
_MIGRATIONS_DDL = {
    SQLITE: f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
    POSTGRESQL: f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (seq BIGINT GENERATED ALWAYS AS IDENTITY, "
                "name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
}
_APPLIED_ORDER = {SQLITE: "rowid", POSTGRESQL: "seq"}


def applied(db: Database) -> list[str]:
    if MIGRATIONS_TABLE not in db.table_names():
        return []
    return [row[0] for row in db.query(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY {_APPLIED_ORDER[db.engine]}")]


def pending(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[Migration]:
    done = set(applied(db))
    return [m for m in migrations if m.name not in done]


def check_not_newer(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> None:
    known = {m.name for m in migrations}
    unknown = [name for name in applied(db) if name not in known]
    if unknown:
        raise LibraryError(
            f"this library was written by a newer version of Remix Studio (it has schema step {unknown[-1]!r})",
            hint="update Remix Studio to open it; the library was not modified",
        )


def backup(db: Database, before: str) -> Path | None:
    if db.engine != SQLITE or db.path is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = db.path.with_name(f"{db.path.name}.backup-{stamp}-before-{before}")
    dest = sqlite3.connect(target)
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def migrate(db: Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Apply pending migrations; returns their names. Raises LibraryError for a newer database."""
    check_not_newer(db, migrations)
    todo = pending(db, migrations)
    if not todo:
        return []
    if applied(db):
        backup(db, todo[0].name)
    with db.atomic():
        db.lock_schema()
        db.execute(_MIGRATIONS_DDL[db.engine])
    done: list[str] = []
    for migration in todo:
        with db.atomic():
            db.lock_schema()
            if migration.name in applied(db):  # another machine applied it while this one waited
                continue
            migration.apply(db)
            db.execute(f"INSERT INTO {MIGRATIONS_TABLE} (name, applied_at) VALUES (?, ?)", (migration.name, _now()))
            if db.engine == SQLITE:
                db.execute(f"PRAGMA user_version = {len(applied(db))}")
        done.append(migration.name)
    return done
