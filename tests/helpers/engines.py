"""The store's tests run on both engines: each test that takes `library`, `library_address` or `make_db` from here
runs once on SQLite (a library folder) and once on PostgreSQL (a fresh database of the session's server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from studio.store.db import POSTGRESQL, SQLITE, Database, SqliteDatabase
from studio.store.library import Library
from studio.store.postgres import PostgresDatabase
from tests.helpers.postgres import PostgresServer, new_database

ENGINES = (SQLITE, POSTGRESQL)


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def library_address(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where a new library is made: a folder for SQLite, a database's address for PostgreSQL."""
    if engine == SQLITE:
        return tmp_path / "lib"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def library(library_address: Path | str) -> Iterator[Library]:
    lib = Library.open(library_address)
    yield lib
    lib.close()


@pytest.fixture
def make_db(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], Database]]:
    """`make_db(name)`: a connection to the database `name` of this test, empty when first asked for; the same name
    later opens the same database again (as an old library reopened)."""
    opened: list[Database] = []
    addresses: dict[str, str] = {}

    def make(name: str) -> Database:
        if engine == SQLITE:
            db: Database = SqliteDatabase(tmp_path / f"{name}.db")
        else:
            if name not in addresses:
                server: PostgresServer = request.getfixturevalue("postgres_server")
                addresses[name] = new_database(server)
            db = PostgresDatabase(addresses[name])
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()
    if addresses:
        server = request.getfixturevalue("postgres_server")
        for address in addresses.values():
            server.drop(address)
