"""`studio library push` killed (SIGKILL) again and again at different points: after each kill every work the team
library holds has its file in the bucket, and the push run again completes it, with nothing lost and nothing
doubled (rows and objects compared with the local library, object bytes by their hash)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from studio.secrets import SecretStore
from studio.store.library import Library
from tests.conftest import REPO
from tests.helpers.s3 import WeedServer
from tests.helpers.team_push import fill_local_library, pushed_rows, team_snapshot, team_with_bucket


def _push(local: Path, team: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "library", "push", str(local), team, *extra],
        env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)


def _kill_after(process: subprocess.Popen, batches: int, delay: float) -> list[str]:
    """SIGKILL the push `delay` seconds after it printed its `batches`-th progress line."""
    seen: list[str] = []
    assert process.stdout is not None
    while len(seen) < batches:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("batch "):
            seen.append(line)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    return seen


def test_a_push_killed_at_several_points_is_completed_by_the_next_with_nothing_lost_or_doubled(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    secrets = SecretStore()
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    local = fill_local_library(tmp_path / "local", 120, file_bytes=20_000)
    client = s3_server.client()
    killed_at: list[int] = []
    # Small batches and short delays: each run leaves most of what remains for the next, however fast the machine.
    for batches, delay in ((1, 0.0), (2, 0.01), (3, 0.02), (2, 0.05)):
        process = _push(local.root, postgres_url, "--batch", "4")
        seen = _kill_after(process, batches, delay)
        assert process.returncode == -signal.SIGKILL
        killed_at.append(len(seen))
        with Library.open(postgres_url, secrets=secrets) as team:
            held = team.db.query("SELECT sha256 FROM works WHERE file_path IS NOT NULL")
            for (sha,) in held:  # the file before the row, whatever the moment of the kill
                client.head_object(Bucket=s3_bucket, Key=f"sha256/{sha[:2]}/{sha}")
            count = team.db.one("SELECT count(*) AS n FROM works")["n"]
        assert 0 < count < 121, "the kill must land in the middle of the push"
    finished = _push(local.root, postgres_url, "--batch", "6")
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err
    assert "works added" in out and killed_at == [1, 2, 3, 2]
    with Library.open(postgres_url, secrets=secrets) as team:
        assert pushed_rows(team, local) == pushed_rows(local, local)  # nothing lost, nothing doubled
        snapshot = team_snapshot(team, s3_server, s3_bucket, local)
    stored = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (local.root / "files").glob("??/*")}
    assert {key.rsplit("/", 1)[1] for key in snapshot.objects} == stored
    assert all(key.endswith(sha) for key, sha in snapshot.objects.items())  # every object's bytes match its key
    again = _push(local.root, postgres_url)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert "0 works added, 121 already there; 0 files uploaded" in out
    local.close()


def test_two_pushes_of_one_library_at_once_both_finish_and_nothing_is_doubled(
        postgres_url: str, s3_server: WeedServer, s3_bucket: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{tmp_path / 'keyring.json'}")
    secrets = SecretStore()
    team_with_bucket(postgres_url, s3_server.endpoint, s3_bucket, secrets)
    local = fill_local_library(tmp_path / "local", 90)
    local.close()  # two processes read it, as two terminals on one machine would
    pushes = [_push(tmp_path / "local", postgres_url, "--batch", "10") for _ in range(2)]
    for process in pushes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    with Library.open(tmp_path / "local") as local, Library.open(postgres_url, secrets=secrets) as team:
        assert pushed_rows(team, local) == pushed_rows(local, local)  # reviews included, which no key guards
        assert len(team_snapshot(team, s3_server, s3_bucket, local).objects) == 90
