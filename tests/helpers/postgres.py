"""The one PostgreSQL server of a test run: a throwaway cluster (initdb + pg_ctl) in a fresh /tmp folder, on a free
port and a unix socket in that folder, started on first use and stopped and removed at the end of the session.
Tests take `postgres_url`: a fresh, empty database of that server for each test.

As root the server's commands run as the `postgres` user (initdb refuses root). Durability is switched off: the
cluster is thrown away, and fsync on a shared test machine only costs time."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest


def _server_programs() -> Path:
    """STUDIO_TEST_PG_BIN, else the newest PostgreSQL the Debian packages installed (15 on bookworm, 17 on trixie)."""
    if os.environ.get("STUDIO_TEST_PG_BIN"):
        return Path(os.environ["STUDIO_TEST_PG_BIN"])
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name)
                       if p.parent.parent.name.isdigit() else 0)
    return installed[-1].parent if installed else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _server_programs()
SERVER_USER = "postgres"
MISSING = (f"PostgreSQL's server programs are not in {PG_BIN}: install the `postgresql` package "
           "(apt-get install postgresql) or point STUDIO_TEST_PG_BIN at its bin folder")


@dataclass(frozen=True)
class PostgresServer:
    socket_dir: Path
    port: int
    user: str = SERVER_USER

    def url(self, dbname: str) -> str:
        """A libpq URL that reaches the server over its unix socket, with no password (trust in tests)."""
        return f"postgresql://{self.user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def admin(self, sql: str) -> None:
        """One statement run as the superuser outside any transaction (as CREATE DATABASE needs)."""
        with psycopg.connect(host=str(self.socket_dir), port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)

    def drop(self, url: str) -> None:
        """Remove a database `url` of this server names, even while connections to it are open."""
        name = urlsplit(url).path.lstrip("/")
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    @property
    def data(self) -> Path:
        return self.socket_dir / "data"

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        _run([*_as_server_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.socket_dir / "log"),
              "-w", "-s", "-o", options, "start"], self.socket_dir)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`immediate`: as a crash would, without a shutdown checkpoint)."""
        subprocess.run([*_as_server_user(), str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-s",
                        "stop"], capture_output=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user() -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []


def _run(command: list[str], folder: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        log = folder / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{Path(command[len(_as_server_user())]).name} failed: {done.stderr.strip()}\n{tail}")


@contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """A new cluster, started; stopped and removed when the block ends (also for the benchmarks)."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        raise RuntimeError(MISSING)
    # A short path: the socket's path must fit in 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="studio-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
    server = PostgresServer(folder, _free_port())
    started = False
    try:
        _run([*_as_server_user(), str(PG_BIN / "initdb"), "-D", str(server.data), "-U", SERVER_USER, "-E", "UTF8",
              "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions"],
             folder)
        server.start()
        started = True
        yield server
    finally:
        if started:
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.fail(MISSING, pytrace=False)
    with throwaway_postgres() as server:
        yield server


_databases = itertools.count(1)


def new_database(server: PostgresServer) -> str:
    """A new, empty database on the server; its URL."""
    name = f"test_{os.getpid()}_{next(_databases)}"
    server.admin(f"CREATE DATABASE {name}")
    return server.url(name)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database, dropped again after the test."""
    url = new_database(postgres_server)
    try:
        yield url
    finally:
        postgres_server.drop(url)


@contextmanager
def password_checking_postgres() -> Iterator[PostgresServer]:
    """A throwaway server that checks passwords (SCRAM) for everyone but its superuser."""
    with throwaway_postgres() as server:
        hba = server.data / "pg_hba.conf"
        hba.write_text(f"local all {SERVER_USER} trust\nlocal all all scram-sha-256\n")
        if os.geteuid() == 0:
            shutil.chown(hba, SERVER_USER, SERVER_USER)
        runner = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []
        subprocess.run([*runner, str(PG_BIN / "pg_ctl"), "-D", str(server.data), "reload", "-s"],
                       check=True, timeout=60)
        yield server
