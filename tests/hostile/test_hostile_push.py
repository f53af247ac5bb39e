"""`studio library push` against a team library that fails it: a bucket key that may only read, the storage server
gone mid-push, the database server ending every connection mid-push. Each is one line on stderr, nothing the team
library holds is half written (every work it holds has its file), and the same push run again completes it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from studio.errors import InvalidInput, LibraryError
from studio.secrets import SecretStore
from studio.store.library import Library
from studio.store.library_push import LibraryPush, PushProgress
from studio.store.team_files import BUCKET_ENDPOINT
from tests.helpers.postgres import PostgresServer
from tests.helpers.s3 import READ_ONLY_KEY, READ_ONLY_SECRET, FaultyLink, WeedServer
from tests.helpers.team_push import fill_local_library, pushed_rows, team_with_bucket


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SecretStore:
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    return SecretStore()


@pytest.fixture
def link(s3_server: WeedServer) -> Iterator[FaultyLink]:
    relay = FaultyLink(s3_server.ports["s3.port"])
    try:
        yield relay
    finally:
        relay.close()


def _one_line(output: str) -> str:
    assert output.count("\n") == 1 and "Traceback" not in output and output.startswith("error: "), output
    return output


def _files_before_rows(team: Library, server: WeedServer, bucket: str) -> int:
    client = server.client()
    held = team.db.query("SELECT sha256 FROM works WHERE file_path IS NOT NULL")
    for (sha,) in held:
        client.head_object(Bucket=bucket, Key=f"sha256/{sha[:2]}/{sha}")
    return len(held)


def test_a_bucket_key_that_may_only_read_is_one_line_and_the_push_resumes_with_a_key_that_may_write(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, secrets: SecretStore, tmp_path: Path) -> None:
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets, key=READ_ONLY_KEY, secret=READ_ONLY_SECRET)
    local = fill_local_library(tmp_path / "local", 12)
    result = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url])
    assert result.exit_code != 0
    line = _one_line(result.output)
    assert "refused to let this access key write" in line and "grant this key write access" in line
    with Library.open(postgres_url, secrets=secrets) as team:
        assert team.db.one("SELECT count(*) AS n FROM works")["n"] == 0
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)  # the writer's key replaces the reader's
    again = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url])
    assert again.exit_code == 0, again.output
    with Library.open(postgres_url, secrets=secrets) as team:
        assert pushed_rows(team, local) == pushed_rows(local, local)
    local.close()


def test_the_storage_server_gone_mid_push_is_one_line_and_the_push_resumes(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, secrets: SecretStore, link: FaultyLink,
        tmp_path: Path) -> None:
    # The team library reaches its bucket through a link that dies after about a third of the files.
    team_with_bucket(postgres_url, link.endpoint, s3_bucket, secrets)
    local = fill_local_library(tmp_path / "local", 30, file_bytes=20_000)
    link.cut_after = 10 * 20_000
    result = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url, "--batch", "5"])
    assert result.exit_code != 0 and link.down
    lines = result.output.splitlines()
    assert all(line.startswith("batch ") for line in lines[:-1]), result.output
    error = _one_line(lines[-1] + "\n")
    assert "could not write a file in the S3 bucket" in error and "nothing was half written" in error
    with Library.open(postgres_url, secrets=secrets) as team:
        assert 0 <= _files_before_rows(team, s3_server, s3_bucket) < 30
    link.cut_after, link.down = None, False  # the server is back
    again = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url, "--batch", "5"])
    assert again.exit_code == 0, again.output
    with Library.open(postgres_url, secrets=secrets) as team:
        assert pushed_rows(team, local) == pushed_rows(local, local)
        assert _files_before_rows(team, s3_server, s3_bucket) == 30
    local.close()


def test_connections_the_database_server_ended_mid_push_are_replaced_and_the_push_completes(
        postgres_url: str, postgres_server: PostgresServer, s3_server: WeedServer, s3_bucket: str,
        secrets: SecretStore, tmp_path: Path) -> None:
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    local = fill_local_library(tmp_path / "local", 40)
    name = postgres_url.split("/")[3].split("?")[0]

    def drop_connections(step: PushProgress) -> None:
        if step.batch == 2:  # what a network cut does to idle connections: the server ends them
            with psycopg.connect(host=str(postgres_server.socket_dir), port=postgres_server.port,
                                 user=postgres_server.user, dbname="postgres", autocommit=True) as admin:
                ended = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                                      (name,)).fetchall()
                assert ended

    with Library.open(postgres_url, secrets=secrets) as team:
        report = LibraryPush(local, team, batch_size=8, progress=drop_connections).run()
        assert report.complete and report.works_added == 41
        assert pushed_rows(team, local) == pushed_rows(local, local)
    local.close()


def test_the_database_server_gone_mid_push_is_one_line_and_the_push_resumes_once_it_is_back(
        postgres_url: str, postgres_server: PostgresServer, s3_server: WeedServer, s3_bucket: str,
        secrets: SecretStore, tmp_path: Path) -> None:
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    local = fill_local_library(tmp_path / "local", 40)

    def server_stops(step: PushProgress) -> None:
        if step.batch == 2:
            # A shutdown that ends the connections (not `immediate`: the test server runs with synchronous_commit
            # off, so a crash of it may lose its last commits, which a real server's durability keeps).
            postgres_server.stop("fast")

    try:
        with Library.open(postgres_url, secrets=secrets) as team:
            with pytest.raises(LibraryError) as caught:
                LibraryPush(local, team, batch_size=8, progress=server_stops).run()
            line = str(caught.value)
            assert "\n" not in line and "team library" in line and ("lost the connection" in line
                                                                    or "cannot reach" in line), line
    finally:
        postgres_server.start()
    with Library.open(postgres_url, secrets=secrets) as team:
        assert team.db.one("SELECT count(*) AS n FROM works")["n"] == 16  # the two batches before, whole
        assert _files_before_rows(team, s3_server, s3_bucket) == 15  # and the collection, which has no file
        report = LibraryPush(local, team, batch_size=8).run()
        assert report.complete and report.works_present == 16 and report.works_added == 25
        assert pushed_rows(team, local) == pushed_rows(local, local)
    local.close()


def test_a_bucket_endpoint_changed_on_the_server_gets_no_members_key(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, secrets: SecretStore, link: FaultyLink,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyring's entries are named by endpoint and bucket: a team library whose recorded endpoint someone
    changed to their own server finds no key for it, so no signed request ever reaches that server."""
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    data = b"shared work"
    sha = hashlib.sha256(data).hexdigest()
    with Library.open(postgres_url, secrets=secrets) as team, team.staged_file(data, sha, "png") as stored:
        team.settings.set(BUCKET_ENDPOINT, link.endpoint)  # e.g. through psql, by anyone who may write settings
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "other-machine"))
    with Library.open(postgres_url, secrets=secrets) as team:
        with pytest.raises(InvalidInput) as caught:
            team.path_of(stored)
        assert "\n" not in str(caught.value) and f"no access key for the S3 bucket {link.endpoint}" in str(caught.value)
    local = fill_local_library(tmp_path / "local", 3)
    result = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url])
    assert result.exit_code != 0 and "no access key for the S3 bucket" in _one_line(result.output)
    assert link.requests == 0
    local.close()


@pytest.mark.parametrize("endpoint", ["http://member:s3cr3t@127.0.0.1:9", "ftp://127.0.0.1", "http://x/" + "a" * 5000])
def test_a_recorded_bucket_that_cannot_be_used_still_opens_the_library_and_is_one_line_when_a_file_is_needed(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, secrets: SecretStore, tmp_path: Path,
        endpoint: str) -> None:
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    with Library.open(postgres_url, secrets=secrets) as team:
        team.settings.set(BUCKET_ENDPOINT, endpoint)
    with Library.open(postgres_url, secrets=secrets) as team:
        assert team.works.count() == 0  # the library itself opens and reads
        with pytest.raises(LibraryError) as caught:
            team.path_of("files/ab/" + "c" * 62 + ".png")
        line = str(caught.value)
        assert "\n" not in line and len(line) < 400 and "s3cr3t" not in line
        assert "the bucket the team library records for its files cannot be used" in line
    local = fill_local_library(tmp_path / "local", 2)
    result = CliRunner().invoke(cli, ["library", "push", str(local.root), postgres_url])
    assert result.exit_code != 0 and "cannot be used" in _one_line(result.output)
    local.close()
