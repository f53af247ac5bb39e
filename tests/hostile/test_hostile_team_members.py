"""Hostile input to a team library's members and rules: names and passwords that are not what they seem, members
who try to lift their own rights with raw SQL, and server messages that are not to be trusted."""

from __future__ import annotations

import psycopg
import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.store.team_roles import refusal_text
from tests.team.conftest import Team, team  # noqa: F401 (the fixture)


def studio(*args: str, input: str | None = None, code: int = 0):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == code, result.output + result.stderr
    return result


def _roles(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}


@pytest.mark.parametrize("name", ['bo"; DROP TABLE works; --', "pg_monitor", "Upper", "x" * 64, "ñame", "", "1st",
                                  "a b", "a\x1b[31m"])
def test_a_member_name_that_is_not_a_plain_login_is_refused(postgres_url: str, name: str) -> None:
    studio("library", "create", "--team", postgres_url)
    before = _roles(postgres_url)
    refused = studio("library", "members", "add", name, "--role", "artist", "--team", postgres_url,
                     input="pw\npw\n", code=2)
    assert len(refused.stderr.strip().splitlines()) == 1 and "invalid member name" in refused.stderr
    assert "\x1b" not in refused.stderr
    assert _roles(postgres_url) == before


@pytest.mark.parametrize("password", ["\n\n", "x" * 1001 + "\n" + "x" * 1001 + "\n", "a\x07b\na\x07b\n"])
def test_a_password_that_is_empty_huge_or_has_controls_is_refused(postgres_url: str, password: str) -> None:
    studio("library", "create", "--team", postgres_url)
    refused = studio("library", "members", "add", "bo_pw", "--role", "artist", "--team", postgres_url,
                     input=password, code=2)
    assert "invalid password" in refused.stderr and "xxxx" not in refused.stderr
    assert "bo_pw" not in _roles(postgres_url)


def test_a_server_administrator_is_not_made_a_member(postgres_url: str) -> None:
    studio("library", "create", "--team", postgres_url)
    refused = studio("library", "members", "add", "postgres", "--role", "artist", "--team", postgres_url, code=2)
    assert "server administrator" in refused.stderr


def test_an_address_with_a_password_is_refused_before_anything_connects() -> None:
    for address in ("postgresql://u:pw@localhost/db", "postgresql://u@localhost/db?password=pw"):
        refused = studio("library", "login", address, "--user", "u", input="x\n", code=4)
        assert "holds a password" in refused.stderr and "pw@" not in refused.stderr


@pytest.mark.parametrize("statement", [
    "ALTER TABLE works DISABLE ROW LEVEL SECURITY",
    "ALTER TABLE works NO FORCE ROW LEVEL SECURITY",
    "DROP POLICY works_change ON works",
    "CREATE POLICY mine ON works FOR UPDATE USING (true)",
    "DROP TRIGGER works_stamp ON works",
    "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    "CREATE TABLE works_copy (id text)",
    "UPDATE reviews SET voided_at = NULL",
    "INSERT INTO team_members (name, role, added_by, added_at) VALUES ('me', 'admin', 'me', 'now')",
])
def test_a_member_cannot_lift_the_rules_with_raw_sql(team: Team, statement: str) -> None:  # noqa: F811
    with team.sql("ada") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


def test_a_member_cannot_join_another_group(team: Team) -> None:  # noqa: F811
    database = team.owner_url.split("/")[3].split("?")[0]
    with team.sql("ada") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"GRANT {database}_reviewer TO {team.name('ada')}")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SET ROLE {database}_admin")


def test_a_member_cannot_take_over_a_work_by_renaming_its_maker(team: Team) -> None:  # noqa: F811
    with team.sql("ada") as conn:
        conn.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                     "VALUES ('w1', 'image', 's1', 't', 'imported', 'cc0-1.0', 'x', 'x')")
        conn.execute("UPDATE works SET created_by = %s WHERE id = 'w1'", (team.name("cy"),))
        assert conn.execute("SELECT created_by FROM works WHERE id = 'w1'").fetchone()[0] == team.name("ada")


def test_a_reviewer_cannot_record_a_decision_already_voided_or_in_anothers_name(team: Team) -> None:  # noqa: F811
    with team.sql("ada") as conn:
        conn.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                     "VALUES ('w1', 'image', 's1', 't', 'imported', 'cc0-1.0', 'x', 'x')")
    with team.sql("rex") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, "
                         "decided_at, voided_at) VALUES ('w1', 'approved', 'R', 'r', 'l', 'x', 'x')")
        conn.execute("INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, decided_at, "
                     "created_by) VALUES ('w1', 'approved', 'R', 'r', 'l', 'x', %s)", (team.name("max"),))
        assert conn.execute("SELECT created_by FROM reviews").fetchone()[0] == team.name("rex")


@pytest.mark.parametrize("message", [
    'new row violates row-level security policy for table "secret_plans"',
    "permission denied for table \x1b[2Jworks" + "x" * 5000,
    "\n\n\n",
    'policy for table "reviews"\nsecond line',
])
def test_the_servers_refusal_text_is_not_trusted(message: str) -> None:
    line = refusal_text(" ".join(message.split()), "ada", ["artist"])
    assert line.isprintable() and len(line) < 300
    assert "secret_plans" not in line or "refused this" in line


@pytest.mark.parametrize("address", ["", "{folder}"])
def test_create_with_a_folder_or_nothing_for_an_address_makes_no_library_anywhere(tmp_path, monkeypatch,
                                                                                    address: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["library", "create", "--team", address.format(folder=folder)])
    assert result.exit_code != 0 and "postgresql:// address" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["folder"]  # no library.db made here or in the folder
