"""SQL for the `works` table: one place that turns rows into `Work` values and back."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from studio.core.types import Origin, Recipe, Terms, Work, WorkKind
from studio.errors import InvalidInput, NotFound
from studio.store.db import POSTGRESQL, SQLITE, Database, Row
from studio.store.id_batches import id_batches

ID_BYTES = 6  # 12 hex characters: short enough to type, unique checked on insert
MIN_PREFIX = 4


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_id() -> str:
    return secrets.token_hex(ID_BYTES)


@dataclass(frozen=True)
class NewWork:
    """What is known about a work before it has an id and a row."""

    kind: WorkKind
    sha256: str
    title: str
    origin: Origin
    terms: Terms
    creator: str | None = None
    description: str | None = None
    phash: str | None = None
    file_path: str | None = None
    location: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    size_bytes: int | None = None
    recipe: Recipe | None = None
    flags: Sequence[dict[str, Any]] = field(default_factory=tuple)
    id: str | None = None
    created_at: str | None = None


def terms_from_row(row: Row) -> Terms:
    # Minting fees are wei, beyond SQLite's 64-bit integers: stored as text.
    fee = row["minting_fee"]
    return Terms(row["license_id"], rev_share=row["rev_share"], minting_fee=int(fee) if fee is not None else None,
                 royalty_policy=row["royalty_policy"], rev_share_override=row["rev_share_override"])


def terms_to_columns(terms: Terms) -> dict[str, Any]:
    """The `works` columns that hold `terms` (in the order `insert` lists them)."""
    fee = str(terms.minting_fee) if terms.minting_fee is not None else None
    return {"license_id": terms.license_id, "rev_share": terms.rev_share, "minting_fee": fee,
            "royalty_policy": terms.royalty_policy, "rev_share_override": terms.rev_share_override}


def row_to_work(row: Row) -> Work:
    recipe = json.loads(row["recipe"]) if row["recipe"] else None
    return Work(
        id=row["id"],
        kind=WorkKind(row["kind"]),
        sha256=row["sha256"],
        title=row["title"],
        creator=row["creator"],
        origin=Origin(row["origin"]),
        terms=terms_from_row(row),
        created_at=row["created_at"],
        width=row["width"],
        height=row["height"],
        format=row["format"],
        size_bytes=row["size_bytes"],
        phash=row["phash"],
        file_path=row["file_path"],
        location=row["location"],
        recipe=Recipe.from_dict(recipe) if recipe is not None else None,
        flags=tuple(json.loads(row["flags"] or "[]")),
        description=row["description"],
        deleted_at=row["deleted_at"],
    )


# Text search: any part of a title, creator or recipe, ignoring case, wildcards taken literally. The engines' trigram
# indexes (migration m013) serve three characters or more; shorter text is compared with every work.
_MIN_INDEXED = 3
_SEARCHED = ("title", "creator", "recipe")
# SQLite's FTS5 hands over every match before the list can be ordered, so a page of a frequent text is first looked
# for among this many rows in the list's order (see `WorkRepository._page_among_first_rows`).
_FIRST_ROWS = 2000


def _indexed(engine: str, text: str) -> bool:
    return engine == SQLITE and len(text) >= _MIN_INDEXED


def text_search_clause(engine: str, text: str) -> str:
    if _indexed(engine, text):
        return "rowid IN (SELECT rowid FROM works_search WHERE works_search MATCH ?)"
    return _like_clause(engine)


def text_search_params(engine: str, text: str) -> list[str]:
    if _indexed(engine, text):
        return ['"' + text.replace('"', '""') + '"']  # one FTS5 phrase: the trigram tokenizer matches it anywhere
    return _like_params(text)


def _like_clause(engine: str) -> str:
    like = "ILIKE" if engine == POSTGRESQL else "LIKE"  # SQLite's LIKE ignores ASCII case, PostgreSQL's does not
    return "(" + " OR ".join(f"{column} {like} ? ESCAPE '\\'" for column in _SEARCHED) + ")"


def _like_params(text: str) -> list[str]:
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [pattern] * len(_SEARCHED)


class WorkRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def insert(self, new: NewWork) -> Work:
        now = now_iso()
        work_id = new.id or new_id()
        while new.id is None and self.db.one("SELECT 1 FROM works WHERE id = ?", (work_id,)):
            work_id = new_id()
        self.db.execute(
            """
            INSERT INTO works (id, kind, sha256, phash, file_path, location, format, width, height, size_bytes,
                title, creator, description, origin, license_id, rev_share, minting_fee, royalty_policy,
                rev_share_override, recipe, flags, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                work_id,
                new.kind.value,
                new.sha256,
                new.phash,
                new.file_path,
                new.location,
                new.format,
                new.width,
                new.height,
                new.size_bytes,
                new.title,
                new.creator,
                new.description,
                new.origin.value,
                *terms_to_columns(new.terms).values(),
                new.recipe.to_json() if new.recipe else None,
                json.dumps(list(new.flags)),
                new.created_at or now,
                now,
            ),
        )
        return self.get(work_id)

    def get(self, work_id: str) -> Work:
        row = self.db.one("SELECT * FROM works WHERE id = ?", (work_id,))
        if row is None:
            raise NotFound(f"no work with id {work_id!r}", hint="run `studio list` to see the library")
        return row_to_work(row)

    def get_many(self, ids: Iterable[str]) -> dict[str, Work]:
        found: dict[str, Work] = {}
        for chunk, marks in id_batches(ids):
            for row in self.db.query(f"SELECT * FROM works WHERE id IN ({marks})", chunk):
                found[row["id"]] = row_to_work(row)
        return found

    def makers(self, ids: Iterable[str]) -> dict[str, str]:
        """Who made each of the works that records it: a team library's member (`created_by`, set by its database);
        a local library records no one (one artist made everything)."""
        found: dict[str, str] = {}
        for chunk, marks in id_batches(ids):
            rows = self.db.query(f"SELECT id, created_by FROM works WHERE id IN ({marks}) AND created_by IS NOT NULL",
                                 chunk)
            found.update((row["id"], row["created_by"]) for row in rows)
        return found

    def by_sha256(self, sha256: str) -> Work | None:
        row = self.db.one("SELECT * FROM works WHERE sha256 = ?", (sha256,))
        return row_to_work(row) if row else None

    def models_by_hash_prefix(self, prefix: str) -> list[Work]:
        """Model and LoRA works whose sha256 starts with `prefix` (lower-case hex; A1111 writes 10 digits)."""
        rows = self.db.query(
            "SELECT * FROM works WHERE kind IN ('model', 'lora') AND substr(sha256, 1, ?) = ? LIMIT 2",
            (len(prefix), prefix),
        )
        return [row_to_work(row) for row in rows]

    def image_id(self, *, work_id: str | None = None, sha256: str | None = None) -> str | None:
        """The oldest image work with this id or this content hash, if the library has one."""
        column, value = ("id", work_id) if work_id is not None else ("sha256", sha256)
        row = self.db.one(f"SELECT id FROM works WHERE kind = 'image' AND {column} = ? ORDER BY created_at LIMIT 1",
                          (value,))
        return row["id"] if row is not None else None

    def resolve(self, ref: str) -> Work:
        """A full id or a unique prefix of at least four characters (as with git hashes)."""
        ref = ref.strip().lower()
        row = self.db.one("SELECT * FROM works WHERE id = ?", (ref,))
        if row:
            return row_to_work(row)
        if len(ref) < MIN_PREFIX or not all(c in "0123456789abcdef" for c in ref):
            raise NotFound(f"no work with id {ref!r}", hint="run `studio list` to see the ids")
        rows = self.db.query("SELECT * FROM works WHERE id >= ? AND id < ? LIMIT 2", (ref, ref + "g"))
        if not rows:
            raise NotFound(f"no work with id {ref!r}", hint="run `studio list` to see the ids")
        if len(rows) > 1:
            raise InvalidInput(f"work id prefix {ref!r} is ambiguous", hint="type more characters of the id")
        return row_to_work(rows[0])

    def list(
        self,
        *,
        kind: WorkKind | None = None,
        license_id: str | None = None,
        origin: Origin | None = None,
        text: str | None = None,
        trashed: bool = False,
        published_on: str | None = None,
        not_published_on: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Work]:
        """Works matching every filter given, oldest first (or newest first); `published_on` keeps the works with
        a confirmed publication on that network, `not_published_on` those without one."""
        filters: dict[str, Any] = dict(kind=kind, license_id=license_id, origin=origin, trashed=trashed,
                                       published_on=published_on, not_published_on=not_published_on)
        order = "created_at DESC, id DESC" if newest_first else "created_at, id"
        # The look among the first works uses LIKE, which folds the case of ASCII letters only, as the index does
        # for an ASCII text; other text goes straight to the index.
        if text and limit is not None and _indexed(self.db.engine, text) and text.isascii():
            page = self._page_among_first_rows(filters, text, order, limit, offset)
            if page is not None:
                return page
        where, params = self._filters(self.db.engine, text=text, **filters)
        sql = f"SELECT * FROM works {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [row_to_work(row) for row in self.db.query(sql, params)]

    def _page_among_first_rows(self, filters: dict[str, Any], text: str, order: str, limit: int,
                               offset: int) -> list[Work] | None:
        """The page of a search, when the first rows in the list's order hold all of it: the first matches in that
        order are the page, so it is the same page the search index gives, found without collecting every match.
        None when those rows hold less than the page (a rare text: the index is the faster way)."""
        where, params = self._filters(self.db.engine, **filters)
        rows = self.db.query(
            f"SELECT * FROM (SELECT * FROM works {where} ORDER BY {order} LIMIT ?) "
            f"WHERE {_like_clause(self.db.engine)} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, max(_FIRST_ROWS, 20 * (offset + limit)), *_like_params(text), limit, offset],
        )
        return [row_to_work(row) for row in rows] if len(rows) == limit else None

    def count(self, **filters: Any) -> int:
        where, params = self._filters(self.db.engine, **filters)
        return int(self.db.one(f"SELECT count(*) FROM works {where}", params)[0])

    def position(self, work_id: str, **filters: Any) -> tuple[int, Work] | None:
        """Where a work stands among the works matching the filters, oldest first as `list` orders them (its row
        in the gallery), with the work; None when it does not match (or no longer exists). The order's key
        (created_at, id) never changes, so a changed work is found at its place without reading the list."""
        where, params = self._filters(self.db.engine, **filters)
        row = self.db.one(f"SELECT * FROM works {where} AND id = ?", [*params, work_id])
        if row is None:
            return None
        before = self.db.one(f"SELECT count(*) FROM works {where} AND (created_at < ? OR (created_at = ? AND id < ?))",
                             [*params, row["created_at"], row["created_at"], work_id])
        return int(before[0]), row_to_work(row)

    @staticmethod
    def _filters(
        engine: str,
        *,
        kind: WorkKind | None = None,
        license_id: str | None = None,
        origin: Origin | None = None,
        text: str | None = None,
        trashed: bool = False,
        published_on: str | None = None,
        not_published_on: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = ["deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"]
        params: list[Any] = []
        for network, test in ((published_on, "IN"), (not_published_on, "NOT IN")):
            if network is None:
                continue
            if not network.strip():
                raise InvalidInput("an empty network name", hint="name a network, e.g. devnet, aeneid or mainnet")
            clauses.append(f"id {test} (SELECT work_id FROM publications WHERE network = ? AND state = 'confirmed')")
            params.append(network.strip())
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind.value)
        if license_id:
            clauses.append("license_id = ?")
            params.append(license_id)
        if origin is not None:
            clauses.append("origin = ?")
            params.append(origin.value)
        else:
            # The works a built-in model was trained on (thousands) are listed only when asked for by origin.
            clauses.append("NOT (origin = 'builtin' AND kind = 'image')")
        if text:
            clauses.append(text_search_clause(engine, text))
            params += text_search_params(engine, text)
        return ("WHERE " + " AND ".join(clauses)) if clauses else "", params

    def set_flags(self, work_id: str, flags: Sequence[dict[str, Any]]) -> None:
        self.db.execute(
            "UPDATE works SET flags = ?, updated_at = ? WHERE id = ?", (json.dumps(list(flags)), now_iso(), work_id)
        )

    def set_recipe(self, work_id: str, recipe: Recipe | None) -> None:
        self.db.execute("UPDATE works SET recipe = ?, updated_at = ? WHERE id = ?",
                        (recipe.to_json() if recipe else None, now_iso(), work_id))

    def trash(self, work_id: str) -> None:
        """Move a work to the trash: hidden from lists, kept with its file and edges until emptied."""
        self.db.execute("UPDATE works SET deleted_at = ?, updated_at = ? WHERE id = ?", (now_iso(), now_iso(), work_id))

    def restore(self, work_id: str) -> None:
        self.db.execute("UPDATE works SET deleted_at = NULL, updated_at = ? WHERE id = ?", (now_iso(), work_id))

    def update(self, work_id: str, *, terms: Terms | None = None, **fields: Any) -> Work:
        """Change a work's title, creator, description and (all at once) its terms."""
        unknown = set(fields) - {"title", "creator", "description"}
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a work")
        if terms is not None:
            fields.update(terms_to_columns(terms))
        if not fields:
            return self.get(work_id)
        sets = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(f"UPDATE works SET {sets}, updated_at = ? WHERE id = ?", [*fields.values(), now_iso(), work_id])
        return self.get(work_id)
