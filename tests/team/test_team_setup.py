"""Setting up and upgrading a team library: an older library gains its roles and rules when its owner runs
`library create --team`; a member cannot upgrade it and is told who can; a local library gains only the columns."""

from __future__ import annotations

import os

import psycopg
import pytest

from studio.errors import LibraryError
from studio.store.library import Library
from studio.store.migrations import MIGRATIONS, applied
from studio.store.team_members import TeamMembers
from studio.store.team_roles import STAMPED_TABLES
from tests.team.test_team_cli import studio

# A team library from before people and roles: every step up to the one that adds them.
BEFORE_ROLES = MIGRATIONS[:[m.name for m in MIGRATIONS].index("m015_team_roles")]


def test_an_older_team_library_is_upgraded_by_its_owner_and_keeps_its_works(postgres_url: str) -> None:
    with Library.open(postgres_url, migrations=BEFORE_ROLES) as old:
        old.db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                       "VALUES ('w1', 'image', 's1', 'Before teams', 'imported', 'cc0-1.0', 'x', 'x')")
    studio("library", "create", "--team", postgres_url)
    with Library.open(postgres_url) as library:
        assert "m015_team_roles" in applied(library.db) and applied(library.db)[-1] == MIGRATIONS[-1].name
        row = library.db.one("SELECT title, created_by FROM works WHERE id = 'w1'")
        assert (row[0], row[1]) == ("Before teams", None)  # made before anyone was known: unknown, not invented


def test_a_member_cannot_upgrade_the_library_and_is_told_who_can(postgres_url: str, postgres_server) -> None:
    with Library.open(postgres_url, migrations=BEFORE_ROLES):
        pass
    name = "up_" + postgres_url.split("/")[3].split("?")[0][5:]
    postgres_server.admin(f"CREATE ROLE {name} LOGIN")
    try:
        member_url = postgres_url.replace("postgresql://postgres@", f"postgresql://{name}@")
        with pytest.raises(LibraryError, match="needs an upgrade that only its admin may make") as refused:
            Library.open(member_url)
        assert "studio library create --team" in str(refused.value) and "\n" not in str(refused.value)
        with psycopg.connect(postgres_url) as conn:  # nothing was changed
            assert "m015_team_roles" not in {r[0] for r in conn.execute("SELECT name FROM _migrations")}
    finally:
        postgres_server.admin(f"DROP ROLE {name}")


def test_a_local_library_gains_only_empty_columns(tmp_path) -> None:
    with Library.open(tmp_path / "lib") as library:
        for table in STAMPED_TABLES:
            assert {"created_by", "updated_by"} <= set(library.db.column_names(table))
        assert {"voided_at", "voided_by"} <= set(library.db.column_names("reviews"))
        with pytest.raises(Exception, match="local library has no members"):
            TeamMembers(library.db)
        library.db.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                           "VALUES ('w1', 'image', 's1', 't', 'imported', 'cc0-1.0', 'x', 'x')")
        assert library.db.one("SELECT created_by FROM works")[0] is None


def test_an_owner_without_the_right_to_create_roles_is_told_in_one_line_and_nothing_half_made(
        postgres_server) -> None:
    name = f"low_{os.getpid()}"
    postgres_server.admin(f"CREATE ROLE {name} LOGIN")
    postgres_server.admin(f"CREATE DATABASE {name} OWNER {name}")
    url = postgres_server.url(name).replace(f"postgresql://{postgres_server.user}@", f"postgresql://{name}@")
    try:
        refused = studio("library", "create", "--team", url, code=4)
        line = refused.stderr.strip()
        assert "\n" not in line and "permission denied to create role" in line
        with psycopg.connect(postgres_server.url(name)) as conn:
            assert "m015_team_roles" not in {r[0] for r in conn.execute("SELECT name FROM _migrations")}
            assert conn.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE %s", (f"{name}\\_%",)
                                ).fetchone()[0] == 0
            assert "created_by" not in {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'works'")}
    finally:
        postgres_server.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        postgres_server.admin(f"DROP ROLE IF EXISTS {name}")


def test_a_table_a_later_migration_adds_is_read_by_every_member_and_written_by_none(team) -> None:
    with Library.open(team.owner_url) as owner:
        owner.db.execute("CREATE TABLE later_things (id INTEGER PRIMARY KEY, what TEXT)")
        owner.db.execute("INSERT INTO later_things (what) VALUES ('made by a later migration')")
    with team.sql("pia") as conn:
        assert conn.execute("SELECT what FROM later_things").fetchone() == ("made by a later migration",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO later_things (what) VALUES ('x')")
