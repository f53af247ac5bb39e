"""`studio library create --team`, `members add|remove|list` and `login`, run in-process against a real PostgreSQL
server; passwords go in through stdin and the OS keyring is the real Secret Service (tools/run-tests.sh)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import closing

import psycopg
import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.secrets import SecretStore
from studio.store.library import Library
from studio.store.team_address import display_url
from studio.store.team_login import password_for, secret_name, with_member
from tests.helpers.postgres import (
    SERVER_USER,
    PostgresServer,
    new_database,
    password_checking_postgres,
)
from tests.helpers.secret_service import secret_service_keyring


def studio(*args: str, input: str | None = None, code: int = 0):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def member_names(url: str) -> list[tuple[str, str]]:
    return [(m["name"], m["role"]) for m in json.loads(studio("library", "members", "list", "--team", url,
                                                              "--json").stdout)]


def test_create_sets_up_a_team_library_once(postgres_url: str) -> None:
    first = studio("library", "create", "--team", postgres_url)
    database = postgres_url.split("/")[3].split("?")[0]
    assert f"{database}_artist" in first.stdout and f"{database}_admin" in first.stdout
    again = studio("library", "create", "--team", postgres_url)  # idempotent: nothing changes, same answer
    assert again.stdout == first.stdout
    assert member_names(postgres_url) == []
    assert "no members yet" in studio("library", "members", "list", "--team", postgres_url).stdout


def test_create_refuses_a_local_folder_and_an_address_with_a_password(tmp_path) -> None:
    refused = studio("library", "create", "--team", "postgresql://admin:secret@localhost/db", code=4)
    assert "holds a password" in one_line(refused) and "secret" not in refused.stderr
    assert "postgresql://" in one_line(studio("library", "members", "list", "--team", str(tmp_path), code=2))


def test_create_on_a_stopped_server_is_one_line(postgres_server: PostgresServer) -> None:
    url = postgres_server.url("nothing").replace(str(postgres_server.port), "1")
    assert "cannot reach the team library" in one_line(studio("library", "create", "--team", url, code=4))


def test_members_add_list_remove(postgres_url: str, postgres_server: PostgresServer) -> None:
    studio("library", "create", "--team", postgres_url)
    name = "ada_" + postgres_url.split("/")[3].split("?")[0][5:]
    added = studio("library", "members", "add", name, "--role", "artist", "--team", postgres_url,
                   input="first pass\nfirst pass\n")
    assert f"added {name} as artist" in added.stdout and "first pass" not in added.output
    listed = json.loads(studio("library", "members", "list", "--team", postgres_url, "--json").stdout)
    assert [(m["name"], m["role"], m["added_by"]) for m in listed] == [(name, "artist", SERVER_USER)]
    assert listed[0]["added_at"].startswith("20")
    text = studio("--library", postgres_url, "library", "members", "list").stdout  # the global --library works too
    assert name in text and "added by" in text
    with psycopg.connect(postgres_url) as conn:  # the server holds only a SCRAM hash
        stored = conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (name,)).fetchone()[0]
        assert stored.startswith("SCRAM-SHA-256$") and "first pass" not in stored
    as_member = with_member(postgres_url, name)
    refused = studio("library", "members", "add", "eve", "--role", "admin", "--team", as_member, input="x\nx\n",
                     code=4)
    assert "only the team library's owner" in one_line(refused)
    removed = studio("library", "members", "remove", name, "--team", postgres_url)
    assert "their login was dropped" in removed.stdout
    assert member_names(postgres_url) == []
    gone = studio("--library", as_member, "list", code=4)
    assert f"refused the member {name}" in one_line(gone)
    assert "not a member" in one_line(studio("library", "members", "remove", name, "--team", postgres_url, code=3))


def test_members_add_with_differing_passwords_adds_nobody(postgres_url: str) -> None:
    studio("library", "create", "--team", postgres_url)
    refused = studio("library", "members", "add", "bo_differ", "--role", "reviewer", "--team", postgres_url,
                     input="one\ntwo\n", code=2)
    assert "differ" in one_line(refused)
    assert member_names(postgres_url) == []
    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'bo_differ'").fetchone() is None


def test_a_password_is_never_an_argument(postgres_url: str) -> None:
    studio("library", "create", "--team", postgres_url)
    refused = studio("library", "members", "add", "bo", "--role", "artist", "--password", "x", "--team",
                     postgres_url, code=2)
    assert "--password" in refused.stderr
    refused = studio("library", "login", postgres_url, "--user", "bo", "--password", "x", code=2)
    assert "--password" in refused.stderr


# --- passwords checked by the server, kept in the real Secret Service ---------------------------------------


@pytest.fixture(scope="module")
def password_server() -> Iterator[PostgresServer]:
    """A server of its own that checks passwords (SCRAM) for everyone but its superuser."""
    with password_checking_postgres() as server:
        yield server


@pytest.fixture
def keyring_store() -> Iterator[list[str]]:
    """The real Secret Service (the CLI finds it as the system keyring); secrets the test names are removed after."""
    store = SecretStore(secret_service_keyring())
    names: list[str] = []
    yield names
    for name in names:
        store.delete(name)


def test_login_keeps_the_password_in_the_keyring_and_opening_uses_it(password_server, keyring_store,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = new_database(password_server)
    studio("library", "create", "--team", url)
    member = "lu_" + url.split("/")[3].split("?")[0][5:]
    address = with_member(url, member)
    keyring_store.append(secret_name(address, member))
    studio("library", "members", "add", member, "--role", "reviewer", "--team", url, input="s3cret pw\ns3cret pw\n")
    # Without a stored password the server refuses, in one line that says how to log in.
    refused = studio("--library", address, "list", code=4)
    assert f"refused the member {member}" in one_line(refused) and "studio library login" in refused.stderr
    wrong = studio("library", "login", url, "--user", member, input="wrong\n", code=4)
    assert "password authentication failed" in one_line(wrong)
    assert password_for(address) is None  # a refused password is not kept
    logged = studio("library", "login", url, "--user", member, input="s3cret pw\n")
    assert "reviewer" in logged.stdout and "s3cret" not in logged.output
    assert password_for(address).reveal() == "s3cret pw"
    assert studio("--library", address, "list").exit_code == 0  # opening now connects as the member
    with closing(Library.open(address)) as library:
        assert library.db.member == member and library.db.member_roles == ["reviewer"]
        assert "s3cret" not in str(library.address) and "s3cret" not in display_url(str(library.address))
        assert all("s3cret" not in str(row[1]) for row in library.db.query("SELECT key, value FROM settings"))
    assert "s3cret" not in caplog.text  # nor in any log line, the driver's and the pool's included


def test_members_add_can_keep_the_initial_password_on_this_machine(password_server, keyring_store) -> None:
    url = new_database(password_server)
    studio("library", "create", "--team", url)
    member = "mo_" + url.split("/")[3].split("?")[0][5:]
    address = with_member(url, member)
    keyring_store.append(secret_name(address, member))
    added = studio("library", "members", "add", member, "--role", "artist", "--team", url, "--save-password",
                   input="initial!\ninitial!\n")
    assert "OS keyring" in added.stdout
    assert studio("--library", address, "list").exit_code == 0
