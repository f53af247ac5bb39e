"""Searching works by any part of a title, creator or prompt: indexed on both engines, same answers as a scan."""

from __future__ import annotations

import random

import pytest

from studio.core.types import Origin, Recipe, Terms, WorkKind
from studio.store.db import POSTGRESQL
from studio.store.migrations import MIGRATIONS, migrate
from studio.store.works import NewWork, WorkRepository, text_search_clause

WORDS = ["tide", "Lighthouse", "harbour", "MOSS", "fern", "dusk", "o'clock", "100%", "under_score", 'say "hi"',
         "Ana", "ana-maría", "Ümit", "x"]


def _new(n: int, title: str, creator: str | None = None, prompt: str | None = None) -> NewWork:
    return NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=title, origin=Origin.imported, terms=Terms("cc0-1.0"),
                   creator=creator, recipe=Recipe(prompt=prompt) if prompt else None)


def test_search_answers_as_a_scan_of_every_work_would(library) -> None:
    """The index finds exactly the works whose title, creator or recipe holds the text, ignoring ASCII case."""
    rng = random.Random(7)
    texts: dict[str, str] = {}
    for n in range(150):
        title = " ".join(rng.sample(WORDS, 2))
        creator = rng.choice([None, "Ana Lima", "Bo", "ümit K", "studio_x"])
        prompt = rng.choice([None, " ".join(rng.sample(WORDS, 3))])
        work = library.works.insert(_new(n, title, creator, prompt))
        texts[work.id] = " | ".join([title, creator or "", work.recipe.to_json() if work.recipe else ""])
    queries = ["tide", "TIDE", "light", "house", "lighthouse", "ana", "a lim", "o'c", "100%", "00%", "_sc", "er_",
               '"hi"', 'y "h', "moss fern", "x", "an", "%", "_", "dusk tide", "nothing-like-it", "bo", "studio_"]
    for query in queries:
        expected = {work_id for work_id, text in texts.items() if query.lower() in text.lower()}
        found = {w.id for w in library.works.list(text=query)}
        assert found == expected, query
        assert library.works.count(text=query) == len(expected)


def test_the_index_follows_every_change(library) -> None:
    work = library.works.insert(_new(1, "Quiet harbour", "Ana", "a lighthouse at dusk"))
    other = library.works.insert(_new(2, "Moss", "Bo"))
    assert [w.id for w in library.works.list(text="harbour")] == [work.id]
    library.works.update(work.id, title="Loud market")
    assert library.works.list(text="harbour") == []
    assert [w.id for w in library.works.list(text="market")] == [work.id]
    library.works.set_recipe(work.id, Recipe(prompt="ferns in rain"))
    assert library.works.list(text="lighthouse") == []
    assert [w.id for w in library.works.list(text="ferns")] == [work.id]
    library.works.update(work.id, creator="Cleo")
    assert [w.id for w in library.works.list(text="cleo")] == [work.id]
    library.db.execute("DELETE FROM works WHERE id = ?", (work.id,))
    assert library.works.list(text="market") == []
    assert [w.id for w in library.works.list(text="moss")] == [other.id]


def test_the_index_is_built_for_the_works_of_an_older_library(make_db) -> None:
    db = make_db("old")
    migrate(db, MIGRATIONS[:12])
    works = WorkRepository(db)
    kept = works.insert(_new(1, "Lighthouse before the index", "Ana"))
    assert migrate(db, MIGRATIONS[:13]) == ["m013_search_index"]
    assert [w.id for w in works.list(text="lighthouse")] == [kept.id]
    assert [w.id for w in works.list(text="ANA")] == [kept.id]


def test_search_uses_the_index(library) -> None:
    """SQLite's plan reads the FTS5 table; PostgreSQL can serve the search's ILIKEs from the trigram index (its planner
    picks the index by cost: with few works a scan is cheaper, so scans are switched off for the question)."""
    for n in range(30):
        library.works.insert(_new(n, f"work {n}", prompt=f"prompt {n}"))
    where, params = WorkRepository._filters(library.engine, text="prompt 12")
    if library.engine == POSTGRESQL:
        with library.db.atomic():
            library.db.execute("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in library.db.query(
                f"EXPLAIN SELECT id FROM works WHERE {text_search_clause(library.engine, 'prompt 12')}", params[-3:]))
    else:
        plan = " ".join(str(row[-1]) for row in library.db.query(f"EXPLAIN QUERY PLAN SELECT id FROM works {where}",
                                                                  params))
    assert "works_search" in plan
    assert [w.title for w in library.works.list(text="prompt 12")] == ["work 12"]


@pytest.mark.parametrize("query", ["ab", "a"])
def test_text_shorter_than_the_index_still_matches(library, query: str) -> None:
    work = library.works.insert(_new(1, "cab"))
    assert [w.id for w in library.works.list(text=query)] == [work.id]


def test_search_pages_are_the_pages_of_the_whole_answer(library) -> None:
    """A page of a frequent text may be found among the first works in order (SQLite), of a rare one through the
    index: either way the pages, put together, are the whole answer in order."""
    library.db.execute_many(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, recipe, created_at, updated_at) "
        "VALUES (?, 'image', ?, ?, 'imported', 'cc0-1.0', ?, ?, 'now')",
        [(f"w{n:05d}", f"sha{n}", f"work {n}" + (" Dense" if n % 3 == 0 else ""),
          Recipe(prompt="a rare comet" if n % 450 == 7 else "fog").to_json(),
          f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000000Z") for n in range(3000)],
    )
    for text in ("dense", "DENSE", "rare comet", "work 1", "nothing at all"):
        for newest_first in (True, False):
            whole = [w.id for w in library.works.list(text=text, newest_first=newest_first)]
            paged: list[str] = []
            for offset in range(0, len(whole) + 40, 40):
                paged += [w.id for w in library.works.list(text=text, newest_first=newest_first, limit=40,
                                                           offset=offset)]
            assert paged == whole, text
    assert len(library.works.list(text="dense")) == 1000


def test_search_ignores_the_case_of_letters_beyond_ascii_from_three_characters(library) -> None:
    """The trigram indexes fold the case of every letter on both engines (shorter text on SQLite: ASCII only)."""
    work = library.works.insert(_new(1, "Ümit at the Café"))
    for text in ("ümit", "ÜMIT", "CAFÉ", "café", "ümit at"):
        assert [w.id for w in library.works.list(text=text)] == [work.id], text
        assert [w.id for w in library.works.list(text=text, newest_first=True, limit=5)] == [work.id], text


def test_a_page_of_a_text_beyond_ascii_is_the_first_of_the_whole_answer(library) -> None:
    older = library.works.insert(_new(1, "ümit, older"))
    newer = library.works.insert(_new(2, "Ümit, newer"))
    assert [w.id for w in library.works.list(text="ümit", newest_first=True)] == [newer.id, older.id]
    assert [w.id for w in library.works.list(text="ümit", newest_first=True, limit=1)] == [newer.id]
