"""A team library keeps its files in its bucket, and `studio library push` copies a local library into it: every
table a work's story lives in, and the files before their rows; again, it changes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from studio.cli.main import cli
from studio.errors import LibraryError
from studio.secrets import SecretStore
from studio.services.studio import Studio
from studio.store.file_store import StoredFileCorrupt
from studio.store.library import Library
from studio.store.library_push import LibraryPush
from studio.store.s3_location import S3Location, s3_credentials
from tests.conftest import image_bytes
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, WeedServer
from tests.helpers.team_push import fill_local_library, pushed_rows, team_snapshot, team_with_bucket


@pytest.fixture
def secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SecretStore:
    # A keyring file chosen on purpose: the bucket's key is a neighbour here, and the CLI must find it too.
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    return SecretStore()


@pytest.fixture
def team(postgres_url: str, s3_server: WeedServer, s3_bucket: str, secrets: SecretStore) -> str:
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    return postgres_url


def test_a_team_librarys_files_go_to_its_bucket_before_the_row_and_come_back_verified(
        team: str, secrets: SecretStore, s3_server: WeedServer, s3_bucket: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\x89PNG team file"
    sha = hashlib.sha256(data).hexdigest()
    with Library.open(team, secrets=secrets) as library:
        with library.staged_file(data, sha, "png") as relative:
            # Inside the block the rows are not written yet, and the bucket already holds the file.
            assert s3_server.client().head_object(Bucket=s3_bucket, Key=f"sha256/{sha[:2]}/{sha}")
        local = library.path_of(relative)
        assert local.read_bytes() == data
    # Another machine: its own cache folder, nothing there yet; the copy comes from the bucket, verified.
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "other-machine"))
    with Library.open(team, secrets=secrets) as elsewhere:
        path = elsewhere.path_of(relative)
        assert path != local and path.read_bytes() == data
        # Damaged on the server: refused, never handed to a reader.
        s3_server.client().put_object(Bucket=s3_bucket, Key=f"sha256/{sha[:2]}/{sha}", Body=b"tampered")
        path.unlink()
        for cached in (elsewhere.root / "bucket-cache").glob("??/*"):
            cached.unlink()
        with pytest.raises(StoredFileCorrupt, match="does not match its hash"):
            elsewhere.path_of(relative)


def test_push_copies_every_table_and_every_file_and_a_second_push_changes_nothing(
        team: str, secrets: SecretStore, s3_server: WeedServer, s3_bucket: str, tmp_path: Path) -> None:
    local = fill_local_library(tmp_path / "local", 45)
    with Library.open(team, secrets=secrets) as target:
        first = LibraryPush(local, target, batch_size=10).run()
        assert first.complete and first.works_added == 46 and first.files_uploaded == 45
        assert first.rows_added == {"edges": 40, "collection_members": 10, "license_confirmations": 9,
                                    "training_permissions": 9, "credentials": 15, "reviews": 15}
        assert pushed_rows(target, local) == pushed_rows(local, local)
        # Each row records the member who pushed it (the server's user), never what the local library had.
        pusher = target.db.one("SELECT current_user")[0]
        assert {row[0] for row in target.db.query("SELECT DISTINCT created_by FROM works")} == {pusher}
        assert {row[0] for row in target.db.query("SELECT DISTINCT created_by FROM reviews")} == {pusher}
        before = team_snapshot(target, s3_server, s3_bucket, local)
        assert len(before.objects) == 45 and all(k.endswith(v) for k, v in before.objects.items())
        second = LibraryPush(local, target, batch_size=10).run()
        assert second.works_added == 0 and second.works_present == 46
        assert second.files_uploaded == 0 and second.files_present == 0  # rows there: the bucket is not asked
        assert sum(second.rows_added.values()) == 0
        assert team_snapshot(target, s3_server, s3_bucket, local) == before
        # Something new on the local side since: only that is copied.
        local.db.execute("INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, "
                         "decided_at) VALUES ('w000000001', 'rejected', 'rita', 'x', 'y', '2026-02-01')")
        third = LibraryPush(local, target).run()
        assert third.rows_added["reviews"] == 1 and third.works_added == 0
        assert pushed_rows(target, local) == pushed_rows(local, local)
    local.close()


def test_a_work_the_team_holds_with_another_file_is_reported_not_overwritten(
        team: str, secrets: SecretStore, tmp_path: Path) -> None:
    local = fill_local_library(tmp_path / "local", 12)
    other = fill_local_library(tmp_path / "other", 3, seed=0, file_bytes=700)  # same ids, other files
    with Library.open(team, secrets=secrets) as target:
        LibraryPush(other, target).run()
        theirs = target.db.one("SELECT sha256 FROM works WHERE id = 'w000000001'")["sha256"]
        report = LibraryPush(local, target).run()
        assert not report.complete
        assert {c.work_id for c in report.conflicts} == {"w000000000", "w000000001", "w000000002"}
        assert all("another file under this id" in c.reason for c in report.conflicts)
        # Its descendants, and the collection holding it, would hang on the wrong work: held back too, and said.
        assert set(report.blocked) == {f"w00{n:07d}" for n in range(3, 10)} | {"c000000000"}
        assert target.db.one("SELECT sha256 FROM works WHERE id = 'w000000001'")["sha256"] == theirs
        assert target.db.one("SELECT count(*) AS n FROM works WHERE id IN ('w000000010', 'w000000011')")["n"] == 2
        assert target.db.one("SELECT count(*) AS n FROM edges WHERE child_id = 'w000000011'")["n"] == 1
    local.close()
    other.close()


def test_a_dry_run_says_what_would_be_copied_and_copies_nothing(
        team: str, secrets: SecretStore, s3_server: WeedServer, s3_bucket: str, tmp_path: Path) -> None:
    local = fill_local_library(tmp_path / "local", 20)
    local.close()
    result = CliRunner().invoke(cli, ["library", "push", str(tmp_path / "local"), team, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "would copy into" in result.output and "21 of 21 works" in result.output
    assert "up to 20 files" in result.output and "18 edges" in result.output and "7 reviews" in result.output
    assert "Contents" not in s3_server.client().list_objects_v2(Bucket=s3_bucket)
    with Library.open(team, secrets=secrets) as target:
        assert target.db.one("SELECT count(*) AS n FROM works")["n"] == 0
    pushed = CliRunner().invoke(cli, ["library", "push", str(tmp_path / "local"), team, "--batch", "8"])
    assert pushed.exit_code == 0, pushed.output
    assert "batch 3/3: 21/21 works, 20 files uploaded" in pushed.output
    assert "21 works added" in pushed.output


def test_a_push_into_a_team_library_without_a_bucket_is_one_line(postgres_url: str, tmp_path: Path) -> None:
    fill_local_library(tmp_path / "local", 2).close()
    result = CliRunner().invoke(cli, ["library", "push", str(tmp_path / "local"), postgres_url])
    assert result.exit_code != 0
    assert result.output.count("\n") == 1 and "records no bucket for its files" in result.output
    with Library.open(postgres_url) as target:
        assert target.db.one("SELECT count(*) AS n FROM works")["n"] == 0


def test_a_push_into_a_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    fill_local_library(tmp_path / "local", 1).close()
    result = CliRunner().invoke(cli, ["library", "push", str(tmp_path / "local"), str(tmp_path / "other")])
    assert result.exit_code != 0 and result.output.count("\n") == 1
    assert "must be a team library's postgresql:// address" in result.output


def test_a_local_file_damaged_on_disk_is_not_uploaded(team: str, secrets: SecretStore, tmp_path: Path) -> None:
    local = fill_local_library(tmp_path / "local", 3)
    damaged = local.root / local.db.one("SELECT file_path FROM works WHERE id = 'w000000002'")["file_path"]
    damaged.write_bytes(b"not what was stored")
    with Library.open(team, secrets=secrets) as target, pytest.raises(StoredFileCorrupt, match="not uploaded"):
        LibraryPush(local, target).run()
    local.close()


def test_only_a_local_library_pushes_into_a_team_library(team: str, secrets: SecretStore, tmp_path: Path) -> None:
    with Library.open(tmp_path / "a") as a, Library.open(tmp_path / "b") as b, pytest.raises(LibraryError):
        LibraryPush(a, b)


def test_library_bucket_records_the_bucket_and_keeps_the_key_only_in_the_keyring(
        postgres_url: str, secrets: SecretStore, s3_server: WeedServer, s3_bucket: str) -> None:
    missing = CliRunner().invoke(cli, ["library", "bucket", postgres_url, s3_server.endpoint, s3_bucket + "-none"],
                                 input=f"{ACCESS_KEY}\n{SECRET_KEY}\n")
    assert missing.exit_code != 0 and "does not exist" in missing.output.splitlines()[-1]
    with Library.open(postgres_url, secrets=secrets) as team:
        assert team.team_files is None  # nothing recorded for a bucket that did not answer
    result = CliRunner().invoke(cli, ["library", "bucket", postgres_url, s3_server.endpoint, s3_bucket],
                                input=f"{ACCESS_KEY}\n{SECRET_KEY}\n")
    assert result.exit_code == 0, result.output
    assert f"keeps its files in {s3_server.endpoint}/{s3_bucket}/" in result.output
    with Library.open(postgres_url, secrets=secrets) as team:
        assert team.team_files is not None and team.team_files.location.bucket == s3_bucket
        stored = " ".join(str(tuple(row)) for row in team.db.query("SELECT * FROM settings"))
        assert SECRET_KEY not in stored and ACCESS_KEY not in stored
    location = S3Location.parse(s3_server.endpoint, s3_bucket)
    assert s3_credentials(secrets, location).secret_access_key.reveal() == SECRET_KEY
    # Known to the keyring now: the next machine-wide set-up does not ask again.
    again = CliRunner().invoke(cli, ["library", "bucket", postgres_url, s3_server.endpoint, s3_bucket])
    assert again.exit_code == 0 and "Access key id" not in again.output


def test_another_machine_draws_a_team_works_thumbnail_from_the_bucket(
        team: str, secrets: SecretStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = image_bytes(7, (40, 30))
    sha = hashlib.sha256(data).hexdigest()
    with Library.open(team, secrets=secrets) as library, library.staged_file(data, sha, "png") as relative:
        library.db.execute(
            "INSERT INTO works (id, kind, sha256, file_path, format, width, height, size_bytes, title, origin, "
            "license_id, created_at, updated_at) VALUES ('shared', 'image', ?, ?, 'png', 40, 30, ?, 'Shared', "
            "'imported', 'cc-by-4.0', '2026-01-01', '2026-01-01')", (sha, relative, len(data)))
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "other-machine"))
    studio = Studio.open(team)
    try:
        work = studio.work("shared")
        source = studio.file_of(work)
        assert source is not None and source.is_relative_to(tmp_path / "other-machine")
        thumbnail = studio.thumbnail(work, 16)
        assert thumbnail is not None
        with Image.open(thumbnail) as picture:
            assert max(picture.size) == 16
    finally:
        studio.close()


def test_doctor_on_a_team_library_asks_the_bucket_which_files_it_lacks_without_downloading_them(
        team: str, secrets: SecretStore, s3_server: WeedServer, s3_bucket: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    local = fill_local_library(tmp_path / "local", 4)
    with Library.open(team, secrets=secrets) as target:
        LibraryPush(local, target).run()
    lost = local.db.one("SELECT sha256 FROM works WHERE id = 'w000000002'")["sha256"]
    s3_server.client().delete_object(Bucket=s3_bucket, Key=f"sha256/{lost[:2]}/{lost}")
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(tmp_path / "other-machine"))
    result = CliRunner().invoke(cli, ["--library", team, "doctor", "--json"])
    assert result.exit_code == 0, result.output
    assert '"works_missing_files": [\n    "w000000002"\n  ]' in result.output
    assert not list((tmp_path / "other-machine").rglob("files/??/*"))  # nothing was downloaded to find out
    local.close()


def test_a_push_from_a_folder_that_holds_no_library_is_one_line_and_makes_none(team: str, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["library", "push", str(tmp_path / "empty"), team])
    assert result.exit_code != 0 and "holds no library" in result.output and result.output.count("\n") == 1
    assert not list((tmp_path / "empty").iterdir())
