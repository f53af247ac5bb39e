"""A team library on the session's real PostgreSQL server with one member of each role (and a second artist): each
test connects as those members, through the app and through raw SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from studio.store.library import Library
from studio.store.team_members import TeamMembers
from tests.helpers.postgres import PostgresServer

MEMBERS = {"ada": "artist", "cy": "artist", "rex": "reviewer", "pia": "publisher", "max": "admin"}


@dataclass(frozen=True)
class Team:
    server: PostgresServer
    owner_url: str
    prefix: str  # member names carry the database's name: the server's logins outlive each test's database

    def name(self, member: str) -> str:
        return f"{self.prefix}{member}"

    def url(self, member: str) -> str:
        return self.owner_url.replace("postgresql://postgres@", f"postgresql://{self.name(member)}@", 1)

    def open(self, member: str) -> Library:
        return Library.open(self.url(member))

    def sql(self, member: str) -> psycopg.Connection:
        """A raw connection as the member, as `psql` would make: no app in between."""
        return psycopg.connect(self.url(member), autocommit=True)


@pytest.fixture
def team(postgres_url: str, postgres_server: PostgresServer) -> Iterator[Team]:
    prefix = postgres_url.split("/")[3].split("?")[0].removeprefix("test_") + "_"
    team = Team(postgres_server, postgres_url, f"m{prefix}")
    with Library.open(postgres_url) as owner:
        members = TeamMembers(owner.db)
        for member, role in MEMBERS.items():
            members.add(team.name(member), role, f"initial-{member}")
    yield team
    for member in MEMBERS:  # the logins are the server's, not the database's
        postgres_server.admin(f"DROP ROLE IF EXISTS {team.name(member)}")
