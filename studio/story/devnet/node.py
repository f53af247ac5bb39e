"""Runs the local devnet: an anvil process with chain id 1315 whose state persists in a folder.

The process is recorded in `<state_dir>/anvil.json` (pid, port), so a later `start()` (from this or another
process) reuses a node that still answers, and `stop()` ends exactly that process.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.processes import pid_alive
from studio.story.devnet.addresses import DEVNET_CHAIN_ID
from studio.story.devnet.artifacts import REPO_ROOT, load_artifacts
from studio.story.devnet.errors import DevnetError, DevnetNotInstalled, RpcError

INSTALL_HINT = "run `make demo` (or `npm install`) to install the devnet"
# anvil writes its state every this many seconds as well as on exit, so a crash loses little.
STATE_INTERVAL_S = 5

_PLATFORM_PACKAGES = {
    ("Linux", "x86_64"): "anvil-linux-amd64",
    ("Linux", "aarch64"): "anvil-linux-arm64",
    ("Darwin", "arm64"): "anvil-darwin-arm64",
    ("Darwin", "x86_64"): "anvil-darwin-amd64",
    ("Windows", "AMD64"): "anvil-win32-amd64",
}


@dataclass(frozen=True)
class DevnetStatus:
    running: bool
    rpc_url: str | None
    pid: int | None
    chain_id: int | None
    block: int | None


def anvil_binary() -> Path:
    """`$STUDIO_ANVIL`, else the binary the npm package installed for this platform."""
    override = os.environ.get("STUDIO_ANVIL")
    if override:
        path = Path(override)
    else:
        package = _PLATFORM_PACKAGES.get((platform.system(), platform.machine()))
        if package is None:
            raise DevnetNotInstalled(
                f"The devnet has no anvil build for {platform.system()} {platform.machine()}",
                hint="set STUDIO_ANVIL to an anvil binary",
            )
        exe = "anvil.exe" if platform.system() == "Windows" else "anvil"
        path = REPO_ROOT / "node_modules" / "@foundry-rs" / package / "bin" / exe
    if not path.is_file():
        raise DevnetNotInstalled(f"The devnet's anvil binary is missing ({path})", hint=INSTALL_HINT)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Devnet:
    def __init__(self, state_dir: Path, port: int | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.port = port
        self._process: subprocess.Popen[bytes] | None = None
        self._ids = itertools.count(1)
        self._rpc_url: str | None = None

    @property
    def record_path(self) -> Path:
        return self.state_dir / "anvil.json"

    @property
    def state_path(self) -> Path:
        return self.state_dir / "state.json"

    def start(self, timeout_s: float = 15.0) -> str:
        """The RPC URL of a running devnet: the recorded node if it still answers, else a new one."""
        record = self._read_record()
        if record is not None:
            url = _url(record["port"])
            if pid_alive(record["pid"]) and _chain_id(url) == DEVNET_CHAIN_ID:
                self._rpc_url = url
                return url
            self.record_path.unlink(missing_ok=True)

        binary = anvil_binary()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        port = self.port or free_port()
        args = [
            str(binary),
            "--chain-id", str(DEVNET_CHAIN_ID),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--silent",
            "--state", str(self.state_path),
            "--state-interval", str(STATE_INTERVAL_S),
        ]  # fmt: skip
        log = (self.state_dir / "anvil.log").open("ab")
        try:
            # A session of its own, so the node outlives a terminal's Ctrl-C meant for the app.
            self._process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
            )
        finally:
            log.close()
        url = _url(port)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DevnetError(
                    f"The devnet stopped right after starting (exit code {self._process.returncode})",
                    hint=f"see {self.state_dir / 'anvil.log'}; the port {port} may be taken",
                )
            if _chain_id(url) == DEVNET_CHAIN_ID:
                self._write_record(self._process.pid, port)
                self._rpc_url = url
                return url
            time.sleep(0.02)
        self._kill(self._process.pid)
        raise DevnetError(f"The devnet did not answer within {timeout_s:.0f} s", hint="try again, or restart the app")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ends the recorded node (only that process) and forgets it; its state file stays."""
        record = self._read_record()
        if record is not None and pid_alive(record["pid"]):
            self._kill(record["pid"], timeout_s)
        self.record_path.unlink(missing_ok=True)
        self._rpc_url = None

    def status(self) -> DevnetStatus:
        record = self._read_record()
        if record is None or not pid_alive(record["pid"]):
            return DevnetStatus(False, None, None, None, None)
        url = _url(record["port"])
        try:
            chain_id = int(_post(url, "eth_chainId", [], 1), 16)
            block = int(_post(url, "eth_blockNumber", [], 2), 16)
        except (OSError, ValueError, RpcError):
            return DevnetStatus(False, url, record["pid"], None, None)
        return DevnetStatus(chain_id == DEVNET_CHAIN_ID, url, record["pid"], chain_id, block)

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        """One JSON-RPC call; a revert raises RpcError naming the contract's custom error."""
        url = self._rpc_url
        if url is None:
            record = self._read_record()
            if record is None:
                raise DevnetError("The devnet is not running", hint="start it first")
            url = self._rpc_url = _url(record["port"])
        try:
            return _post(url, method, params or [], next(self._ids))
        except OSError as exc:
            raise DevnetError(f"The devnet at {url} cannot be reached ({exc})", hint="start it again") from exc

    def _kill(self, pid: int, timeout_s: float = 10.0) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self._still_running(pid):
            time.sleep(0.05)
        if self._still_running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
            self._still_running(pid)

    def _still_running(self, pid: int) -> bool:
        # Our own child must be reaped, or it lingers as a zombie that still "exists".
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        return pid_alive(pid)

    def _read_record(self) -> dict[str, int] | None:
        try:
            raw = json.loads(self.record_path.read_text())
            return {"pid": int(raw["pid"]), "port": int(raw["port"])}
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_record(self, pid: int, port: int) -> None:
        tmp = self.record_path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": pid, "port": port}))
        tmp.replace(self.record_path)


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"



def _chain_id(url: str) -> int | None:
    try:
        return int(_post(url, "eth_chainId", [], 0, timeout_s=0.5), 16)
    except (OSError, ValueError, RpcError):
        return None


def _post(url: str, method: str, params: list[Any], request_id: int, timeout_s: float = 30.0) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            reply = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        reply = json.loads(exc.read() or b"{}")
    if "error" in reply:
        err = reply["error"]
        data = err.get("data")
        data = data if isinstance(data, str) else None
        signature = load_artifacts().error_signature(data) if data else None
        raise RpcError(method, int(err.get("code", 0)), str(err.get("message", "")), data, signature)
    return reply.get("result")
