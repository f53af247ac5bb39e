"""Where SQLite and PostgreSQL differ, the store behaves the same: each case runs on both engines."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import psycopg
import pytest

from studio.core.types import Origin, Recipe, Relation, Terms, WorkKind
from studio.errors import LibraryError
from studio.store.db import POSTGRESQL, ConstraintViolation
from studio.store.edges import _ANCESTOR_EDGES, _DESCENDANT_EDGES
from studio.store.library import Library
from studio.store.migrations import MIGRATIONS, applied, migrate
from studio.store.works import NewWork, WorkRepository
from tests.helpers.postgres import new_database, throwaway_postgres


def _new(n: int, **extra) -> NewWork:
    return NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=f"work {n}", origin=Origin.imported,
                   terms=Terms("cc0-1.0"), **extra)


def test_library_knows_its_engine(library, engine) -> None:
    assert library.engine == engine == library.db.engine


def test_search_ignores_the_case_of_titles_creators_and_prompts(library) -> None:
    """SQLite's LIKE ignores ASCII case, PostgreSQL's does not (the store uses ILIKE there)."""
    library.works.insert(_new(1, creator="Ana Lima"))
    library.works.insert(_new(2, recipe=Recipe(prompt="A Lighthouse at dusk")))
    library.works.insert(NewWork(kind=WorkKind.image, sha256="sha3", title="Harbour", origin=Origin.imported,
                                 terms=Terms("cc0-1.0")))
    assert [w.title for w in library.works.list(text="ana lima")] == ["work 1"]
    assert [w.title for w in library.works.list(text="LIGHTHOUSE")] == ["work 2"]
    assert [w.title for w in library.works.list(text="harb")] == ["Harbour"]
    assert library.works.count(text="WORK") == 2


def test_integers_are_64_bit(library) -> None:
    """SQLite's INTEGER holds 64 bits; PostgreSQL's INTEGER only 32 (its columns are BIGINT)."""
    model_bytes = 6 * 2**30  # a 6 GB checkpoint
    work = library.works.insert(_new(1, size_bytes=model_bytes))
    assert library.works.get(work.id).size_bytes == model_bytes


def test_real_numbers_keep_double_precision(library) -> None:
    """SQLite's REAL is 8 bytes; PostgreSQL's REAL only 4 (its columns are DOUBLE PRECISION)."""
    child, parent = (library.works.insert(_new(n)) for n in (1, 2))
    library.edges.insert(child.id, parent.id, Relation.remix_of, 0, 1 / 3)
    assert library.edges.parents(child.id)[0].weight == 1 / 3


def test_a_refused_statement_leaves_the_transaction_usable(library) -> None:
    """SQLite goes on after a refused statement; PostgreSQL would abort the transaction (each write there runs in a
    savepoint of its own)."""
    with library.db.atomic():
        first = library.works.insert(_new(1))
        with pytest.raises(ConstraintViolation):
            library.works.insert(_new(1))  # the same file again
        second = library.works.insert(_new(2))
    assert {w.id for w in library.works.list()} == {first.id, second.id}


def test_a_rolled_back_transaction_leaves_nothing(library) -> None:
    with pytest.raises(RuntimeError), library.db.atomic():
        library.works.insert(_new(1))
        raise RuntimeError("stop")
    assert library.works.count() == 0


def test_booleans_are_stored_as_integers(library) -> None:
    """SQLite has no boolean type: flags are INTEGER 0/1, also when Python passes True or False."""
    work = library.works.insert(_new(1))
    library.db.execute("INSERT INTO credentials (work_id, state, tampered, checked_at) VALUES (?, 'trusted', ?, 'n')",
                       (work.id, True))
    assert library.db.one("SELECT tampered FROM credentials")[0] == 1
    library.db.execute("UPDATE credentials SET tampered = ?", (False,))
    assert library.db.one("SELECT tampered FROM credentials WHERE tampered = 0")[0] == 0


def test_placeholders_and_percent_signs(library) -> None:
    """`?` and `:name` are placeholders outside quotes only; a `%` is a percent sign (psycopg's own syntax uses it)."""
    row = library.db.one("SELECT '100%', ?, '?', ':name' AS quoted", ("x",))
    assert tuple(row) == ("100%", "x", "?", ":name")
    assert row["quoted"] == ":name"
    assert library.db.one("SELECT :a || :b", {"a": "1", "b": "2"})[0] == "12"
    assert library.db.one("SELECT 'ab' LIKE 'a%'")[0] in (1, True)


def test_new_ids_come_back_from_insert(library) -> None:
    """The journal's row ids come from `RETURNING id` (PostgreSQL has no lastrowid) and keep counting."""
    from studio.story.journal import Journal
    from studio.story.prediction import Prediction

    journal = Journal(library.db)
    ids = []
    for n in range(3):
        work = library.works.insert(_new(n))
        prediction = Prediction(work.id, "devnet", "0xw", "cc0-1.0", "CC0", {}, royalty_percent=0, policy=None)
        ids.append(journal.draft(work.id, "devnet", 1315, "0xw", prediction).id)
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [journal.get(i).work_id for i in ids] == [library.works.list()[n].id for n in range(3)]


def test_json_inside_text_columns_is_read_by_key(library) -> None:
    """SQLite's json_extract and PostgreSQL's ->> find the same work in a credentials report."""
    signed, claimed = library.works.insert(_new(1)), library.works.insert(_new(2))
    library.credentials.put(signed.id, state="trusted", tampered=False, signer="Studio", manifest_label="m1",
                            summary="ok", details={"work_id": claimed.id})
    assert library.credentials.image_claiming(claimed.id) == signed.id
    assert library.credentials.image_claiming(signed.id) is None


def test_lineage_through_a_diamond_walks_each_ancestor_once(library) -> None:
    """Recursive queries use UNION: a shared ancestor is reached once, however many paths lead to it."""
    root = library.works.insert(_new(0))
    layer = [root]
    for depth in range(1, 12):  # 2 ** 11 paths from the last work to the root
        left, right = library.works.insert(_new(depth * 10)), library.works.insert(_new(depth * 10 + 1))
        for child in (left, right):
            for position, parent in enumerate(dict.fromkeys(layer)):
                library.edges.insert(child.id, parent.id, Relation.remix_of, position, None)
        layer = [left, right]
    tip = layer[0]
    assert library.edges.ancestor_count(tip.id) == 1 + 2 * 10
    assert len(library.edges.ancestor_edges(tip.id)) == 2 + 4 * 9 + 2
    assert library.edges.is_ancestor(root.id, of=tip.id)
    assert not library.edges.is_ancestor(tip.id, of=root.id)
    assert len(library.edges.descendant_edges(root.id)) == 2 + 4 * 10  # every edge of the graph


def test_ancestry_and_descent_read_edges_through_their_indexes(library) -> None:
    """PostgreSQL planned a join of the visited works with the whole edges table as a scan of it (a hash join over
    every edge of the library); the recursion now carries the edges, one index lookup per step on both engines."""
    works = [f"w{n:05d}" for n in range(8000)]
    library.db.execute_many(
        "INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
        "VALUES (?, 'image', ?, 't', 'imported', 'cc0-1.0', 'n', 'n')", [(w, f"sha-{w}") for w in works])
    edges = [(works[n], works[n - k], k) for n in range(1, len(works)) for k in (1, 2, 3) if n % 100 >= k]
    library.db.execute_many("INSERT INTO edges (child_id, parent_id, relation, position) VALUES (?, ?, 'remix_of', ?)",
                            edges)
    library.db.execute("ANALYZE")
    for sql, start in ((_ANCESTOR_EDGES, works[-1]), (_DESCENDANT_EDGES, works[-100])):
        if library.engine == POSTGRESQL:
            plan = [row[0] for row in library.db.query(f"EXPLAIN {sql}", {"id": start})]
            assert not any("Seq Scan on edges" in line for line in plan), "\n".join(plan)
        else:
            plan = [str(row[-1]) for row in library.db.query(f"EXPLAIN QUERY PLAN {sql}", {"id": start})]
            assert not any(re.match(r"SCAN (e|edges)\b", line) for line in plan), plan
    assert len(library.edges.ancestor_edges(works[-1])) == 3 * 99 - 3
    assert len(library.edges.descendant_edges(works[-100])) == 3 * 99 - 3


def test_gallery_pages_cover_every_work_once_in_order(library) -> None:
    for n in range(23):
        library.works.insert(_new(n, created_at=f"2026-01-01T00:00:{n % 7:02d}.000000Z"))
    pages = [library.works.list(newest_first=True, limit=5, offset=start) for start in range(0, 25, 5)]
    seen = [w.id for page in pages for w in page]
    assert len(seen) == len(set(seen)) == 23
    assert seen == [w.id for w in library.works.list(newest_first=True)]


def test_a_gallery_page_reads_the_works_in_order_instead_of_sorting_them_all(library) -> None:
    for n in range(60):
        library.works.insert(_new(n, created_at=f"2026-01-01T00:00:{n:02d}.000000Z"))
    library.db.execute("ANALYZE")
    where, params = WorkRepository._filters(library.engine)
    sql = f"SELECT * FROM works {where} ORDER BY created_at DESC, id DESC LIMIT 20"
    if library.engine == POSTGRESQL:
        with library.db.atomic():
            library.db.execute("SET LOCAL enable_sort = off")  # sixty rows: sorting them would be as cheap
            plan = " ".join(row[0] for row in library.db.query(f"EXPLAIN {sql}", params))
        assert "Index Scan Backward using works_created" in plan, plan
    else:
        plan = " ".join(str(row[-1]) for row in library.db.query(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "works_created" in plan and "TEMP B-TREE" not in plan, plan
    assert [w.title for w in library.works.list(newest_first=True, limit=3)] == ["work 59", "work 58", "work 57"]


def test_migrations_from_two_machines_at_once_run_once(make_db) -> None:
    """Two programs migrating the same new database at the same moment (on PostgreSQL: two machines, so no lock file
    of this machine orders them): each migration runs once and both end with the whole schema."""
    first = make_db("shared")
    second = make_db("shared")
    start = threading.Barrier(2)
    done: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def run(n: int, db) -> None:
        start.wait()
        try:
            done[n] = migrate(db)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, db)) for n, db in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(done[0] + done[1]) == sorted(m.name for m in MIGRATIONS)
    assert applied(first) == applied(second) == [m.name for m in MIGRATIONS]


# --- PostgreSQL addresses ---------------------------------------------------------------------------------


def test_an_address_with_a_password_is_refused(postgres_url) -> None:
    with_password = postgres_url.replace("postgresql://postgres@", "postgresql://postgres:secret@")
    for address in (with_password, postgres_url + "&password=secret"):
        with pytest.raises(LibraryError, match="holds a password") as refused:
            Library.open(address)
        assert "secret" not in str(refused.value) and "secret" not in str(refused.value.hint)


def test_a_database_of_another_program_is_refused_untouched(postgres_url) -> None:
    from studio.store.postgres import PostgresDatabase

    other = PostgresDatabase(postgres_url)
    other.execute("CREATE TABLE invoices (n INTEGER)")
    with pytest.raises(LibraryError, match="belongs to another program"):
        Library.open(postgres_url)
    assert other.table_names() == ["invoices"]
    other.close()


def test_an_unreachable_server_is_one_line(postgres_server, tmp_path: Path) -> None:
    address = f"postgresql://postgres@/nothing?host={tmp_path}&port={postgres_server.port}"
    with pytest.raises(LibraryError, match="cannot reach the team library") as refused:
        Library.open(address)
    assert "\n" not in str(refused.value)


def _drop_connections(server, url: str) -> int:
    """What a server restart or a network cut does to the library's connections: the server ends them."""
    name = url.split("/")[3].split("?")[0]
    with psycopg.connect(host=str(server.socket_dir), port=server.port, user=server.user, dbname="postgres",
                         autocommit=True) as admin:
        rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        return len(rows.fetchall())


def test_connections_the_server_dropped_are_replaced(postgres_server, postgres_url) -> None:
    with Library.open(postgres_url) as library:
        library.works.insert(_new(1))
        assert _drop_connections(postgres_server, postgres_url) >= 1
        assert library.works.count() == 1
        library.works.insert(_new(2))
        assert library.works.count() == 2


def test_a_connection_lost_inside_a_transaction_is_one_line_and_saves_nothing(postgres_server, postgres_url) -> None:
    with Library.open(postgres_url) as library:
        with pytest.raises(LibraryError, match="lost the connection to the team library") as lost, library.db.atomic():
            library.works.insert(_new(1))
            _drop_connections(postgres_server, postgres_url)
            library.works.insert(_new(2))
        assert "\n" not in str(lost.value) and "was not saved" in str(lost.value.hint)
        assert library.works.count() == 0
        library.works.insert(_new(3))
        assert [w.title for w in library.works.list()] == ["work 3"]


def test_a_server_that_stopped_is_one_line_and_the_library_works_again_once_it_is_back() -> None:
    with throwaway_postgres() as server:
        address = new_database(server)
        library = Library.open(address)
        library.works.insert(_new(1))
        server.stop()
        try:
            with pytest.raises(LibraryError, match=r"(lost the connection|cannot reach) .*team library") as lost:
                library.works.insert(_new(2))
            assert "\n" not in str(lost.value), str(lost.value)
        finally:
            server.start()
        assert [w.title for w in library.works.list()] == ["work 1"]
        library.works.insert(_new(3))
        library.close()
        with Library.open(address) as again:
            assert again.works.count() == 2


def test_the_library_named_by_the_environment_may_be_a_team_library(postgres_url, monkeypatch) -> None:
    monkeypatch.setenv("STUDIO_LIBRARY", postgres_url)
    with Library.open() as library:
        assert library.engine == POSTGRESQL and library.address == postgres_url


def test_a_member_without_the_right_to_create_tables_is_refused_in_one_line(postgres_server, postgres_url) -> None:
    """Setting up a new team library needs the right to create its tables; a member without it is told so and
    nothing is created."""
    postgres_server.admin("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guest') THEN "
                          "CREATE ROLE guest LOGIN; END IF; END $$")
    as_guest = postgres_url.replace("postgresql://postgres@", "postgresql://guest@")
    with pytest.raises(LibraryError, match="refused this to guest: permission denied") as refused:
        Library.open(as_guest)
    assert "\n" not in str(refused.value)
    with Library.open(postgres_url) as library:  # the admin sets it up afterwards, from the start
        assert applied(library.db) == [m.name for m in MIGRATIONS]
