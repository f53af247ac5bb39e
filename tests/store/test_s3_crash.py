"""A process killed (SIGKILL) in the middle of uploading a file to a team library's bucket: no part of the object
is ever visible, the cache keeps nothing of it, and running the upload again completes it, verified."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO
from tests.helpers.s3 import ACCESS_KEY, SECRET_KEY, FaultyLink, WeedServer

# The uploading process: it takes the bucket's access key from the keyring, as the studio does.
UPLOAD = """
import sys
from pathlib import Path
from studio.secrets import SecretStore
from studio.store.s3 import S3FileStore
from studio.store.s3_location import S3Location, s3_credentials
endpoint, bucket, source, cache = sys.argv[1:]
location = S3Location.parse(endpoint, bucket)
store = S3FileStore(location, s3_credentials(SecretStore(), location), Path(cache))
print(store.put_path(Path(source), "png"), flush=True)
"""

KEEP = """
import sys
from studio.secrets import Secret, SecretStore
from studio.store.s3_location import S3Location, keep_s3_credentials
keep_s3_credentials(SecretStore(), S3Location.parse(sys.argv[1], sys.argv[2]), sys.argv[3], Secret(sys.stdin.read()))
"""


def _run(code: str, *args: str, keyring: Path, stdin: str = "", **popen) -> subprocess.Popen:
    env = {**os.environ, "STUDIO_KEYRING": f"plainfile:{keyring}", "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=REPO, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    process.stdin.write(stdin)
    process.stdin.close()
    process.stdin = None  # written and closed: communicate() must not flush it again
    return process


def test_an_upload_killed_midway_leaves_nothing_and_a_restart_completes_it(
        s3_server: WeedServer, s3_bucket: str, faulty_link: FaultyLink, tmp_path: Path) -> None:
    keyring = tmp_path / "keyring.json"
    for endpoint in (faulty_link.endpoint, s3_server.endpoint):
        kept = _run(KEEP, endpoint, s3_bucket, ACCESS_KEY, keyring=keyring, stdin=SECRET_KEY)
        assert kept.wait(60) == 0, kept.stderr.read()
    data = os.urandom(4 * (1 << 20))
    sha256 = hashlib.sha256(data).hexdigest()
    source = tmp_path / "work.png"
    source.write_bytes(data)
    cache = tmp_path / "cache"
    faulty_link.bytes_per_second = 1 << 20  # four seconds for the whole body

    upload = _run(UPLOAD, faulty_link.endpoint, s3_bucket, str(source), str(cache), keyring=keyring)
    deadline = time.monotonic() + 60
    while faulty_link.sent < (1 << 20) and time.monotonic() < deadline and upload.poll() is None:
        time.sleep(0.05)
    assert upload.poll() is None and faulty_link.sent >= 1 << 20, "the upload was not under way"
    upload.send_signal(signal.SIGKILL)
    upload.wait(10)
    client = s3_server.client()
    for _ in range(20):  # the server sees the cut body; nothing of it may ever appear
        assert client.list_objects_v2(Bucket=s3_bucket).get("KeyCount", 0) == 0
        time.sleep(0.1)
    assert not [p for p in cache.rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]

    faulty_link.bytes_per_second = None
    again = _run(UPLOAD, s3_server.endpoint, s3_bucket, str(source), str(cache), keyring=keyring)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.strip() == sha256
    stored = client.get_object(Bucket=s3_bucket, Key=f"sha256/{sha256[:2]}/{sha256}")["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == sha256
    assert [p.name for p in cache.rglob("*") if p.is_file()] == [sha256]  # the killed one's temporary is gone
