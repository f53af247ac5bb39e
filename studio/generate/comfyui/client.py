"""One ComfyUI server over HTTP (urllib) and its websocket (`websockets`' sync client).

Every failure becomes one of the errors in `errors.py`; the access token goes only into the Authorization
header and never into a message. Every answer is read through one bounded reader (`Limits`): a size cap per kind
of answer, an inactivity timeout (no byte for that long) and an overall deadline per answer, so a server that
sends without end, trickles a byte at a time or never answers cannot fill the memory or hang the studio.
"""

from __future__ import annotations

import json
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core import bounded_json
from studio.core.urls import parse_http_url
from studio.generate.comfyui.errors import ComfyUIError, JobRejected, ServerUnavailable, TokenRefused

if TYPE_CHECKING:
    from studio.secrets import Secret

PREVIEW_IMAGE = 1  # binary websocket event: 4-byte type, 4-byte format (1 JPEG, 2 PNG), then the image
_RETRYABLE_STATUS = {502, 503, 504}
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """How much and how long the studio takes from a server. The defaults suit a real ComfyUI on a slow link:
    /object_info of a server with many custom nodes is a few MB, a 2048x2048 PNG about 12 MB."""

    max_json_bytes: int = 32 * 1024 * 1024
    max_image_bytes: int = 64 * 1024 * 1024
    max_image_pixels: int = 2048 * 2048 * 4  # the largest request is 2048x2048; a server may send a little more
    idle_s: float = 30.0  # no byte of an answer (or, during a job, no message) for this long: ask what happened
    deadline_s: float = 120.0  # one HTTP answer, whole
    job_deadline_s: float = 3600.0  # one job, from queueing to its image


DEFAULT_LIMITS = Limits()
TOKEN_WAY = "give the server's access token with --ask-token or --token-stdin of `studio engines add`"


def normalise_url(url: str) -> str:
    """The base URL without a trailing slash; only http(s) with a host and a usable port, and no credentials."""
    parsed = parse_http_url(url, "ComfyUI server address", "http://127.0.0.1:8188", secret_way=TOKEN_WAY,
                            kind="a ComfyUI server address (http or https, with a host)")
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path.rstrip("/"), "", ""))


@dataclass(frozen=True)
class Preview:
    data: bytes
    format: str  # "JPEG" or "PNG"


class ComfyUIClient:
    def __init__(self, url: str, *, name: str | None = None, token: Secret | None = None, timeout: float = 10.0,
                 limits: Limits = DEFAULT_LIMITS):
        self.url = normalise_url(url)
        self.name = name or self.url
        self._token = token
        self.timeout = timeout  # to connect
        self.limits = limits
        self._object_info: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"ComfyUIClient({self.name!r}, {self.url!r})"

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "remix-studio"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _send(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None, *,
              max_bytes: int | None = None) -> bytes:
        headers = self._headers()
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        cap = self.limits.max_json_bytes if max_bytes is None else max_bytes
        try:
            with urllib.request.urlopen(request, timeout=min(self.timeout, self.limits.idle_s)) as response:
                return self._read_bounded(response, path, cap)
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, path) from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerUnavailable(
                f"ComfyUI server {self.name} at {self.url} cannot be reached ({reason})",
                hint=f"start it or fix its address; check with `studio engines test {self.name}`",
            ) from None

    def _read_bounded(self, response: Any, path: str, cap: int) -> bytes:
        """The whole body, or ServerUnavailable when it is larger than `cap`, pauses longer than the inactivity
        timeout or takes longer than the deadline. `read1` returns what one receive brought, so a body that
        trickles in is measured against the deadline between receives."""
        route = path.split("?", 1)[0]
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise self._too_big(route, cap)
        deadline = time.monotonic() + self.limits.deadline_s
        sock = _socket_of(response)
        parts: list[bytes] = []
        size = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._too_slow(route)
            if sock is not None:
                sock.settimeout(min(self.limits.idle_s, left))
            try:
                chunk = response.read1(_CHUNK)
            except TimeoutError:
                raise self._too_slow(route) from None
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > cap:
                raise self._too_big(route, cap)
            parts.append(chunk)

    def _too_big(self, route: str, cap: int) -> ServerUnavailable:
        return ServerUnavailable(
            f"ComfyUI server {self.name} sent more than {cap // (1024 * 1024)} MB on {route}; the answer was dropped",
            hint=f"check that {self.url} is a ComfyUI server and not another service",
        )

    def _too_slow(self, route: str) -> ServerUnavailable:
        return ServerUnavailable(
            f"ComfyUI server {self.name} did not finish its answer on {route} within the time limit "
            f"({self.limits.idle_s:g} s without data, {self.limits.deadline_s:g} s in all)",
            hint=f"check the server and the network; `studio engines test {self.name}`",
        )

    def _http_error(self, exc: urllib.error.HTTPError, path: str) -> ComfyUIError:
        try:  # the error's body goes through the same limits: 64 KB is more than any node error report
            text = self._read_bounded(exc.fp, path, 64 * 1024).decode("utf-8", "replace") if exc.fp else ""
        except (OSError, ComfyUIError):
            text = ""
        if exc.code in (401, 403):
            said = "refused the access token" if self._token else "asks for an access token"
            return TokenRefused(
                f"ComfyUI server {self.name} {said} (HTTP {exc.code})",
                hint=f"store its token with `studio engines add {self.name} {self.url} --token-stdin`",
            )
        if exc.code == 400 and path == "/prompt":
            return JobRejected(f"ComfyUI server {self.name} rejected the workflow: {_node_errors(text)}",
                               hint="check that the server's ComfyUI is current")
        if exc.code in _RETRYABLE_STATUS:
            return ServerUnavailable(f"ComfyUI server {self.name} is not answering (HTTP {exc.code} on {path})",
                                     hint=f"check it with `studio engines test {self.name}`")
        return ComfyUIError(f"ComfyUI server {self.name} answered HTTP {exc.code} on {path}",
                            hint="see the server's log")

    def get_json(self, path: str) -> Any:
        return _json(self._send("GET", path), self.name, path)

    def post_json(self, path: str, payload: Any) -> Any:
        raw = self._send("POST", path, json.dumps(payload).encode(), "application/json")
        return _json(raw, self.name, path) if raw.strip() else None

    # -- the routes the studio uses --------------------------------------------------------------------------
    def system_stats(self) -> dict[str, Any]:
        return self.get_json("/system_stats")

    def object_info(self, *, refresh: bool = False) -> dict[str, Any]:
        """Every node's inputs (~0.5 MB on a stock server): fetched once per connection, again on `refresh`."""
        if self._object_info is None or refresh:
            answer = self.get_json("/object_info")
            if not isinstance(answer, dict):
                raise ComfyUIError(f"{self.name} at {self.url} does not answer like a ComfyUI server",
                                   hint="check the address and port")
            self._object_info = answer
        return self._object_info

    def model_metadata(self, folder: str, filename: str) -> dict[str, str] | None:
        """A .safetensors file's `__metadata__` header as the server reads it (GET /view_metadata/{folder}); None
        when the server gives none (another format, no metadata, or a server without the route)."""
        query = urllib.parse.urlencode({"filename": filename})
        try:
            answer = self.get_json(f"/view_metadata/{urllib.parse.quote(folder)}?{query}")
        except ComfyUIError as exc:
            if isinstance(exc, ServerUnavailable | TokenRefused):
                raise
            return None
        if not isinstance(answer, dict):
            return None
        return {str(k): str(v) for k, v in answer.items()}

    def upload_image(self, data: bytes, filename: str, *, subfolder: str = "remix-studio") -> str:
        """Upload a PNG for LoadImage / LoadImageMask; returns the value those nodes take."""
        boundary = uuid.uuid4().hex
        parts = [
            _form_field(boundary, "subfolder", subfolder.encode()),
            _form_field(boundary, "type", b"input"),
            _form_field(boundary, "overwrite", b"true"),
            _form_field(boundary, "image", data, filename=filename, content_type="image/png"),
        ]
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        answer = _json(
            self._send("POST", "/upload/image", body, f"multipart/form-data; boundary={boundary}"),
            self.name, "/upload/image",
        )
        name, folder = str(answer.get("name") or filename), str(answer.get("subfolder") or "")
        return f"{folder}/{name}" if folder else name

    def queue_prompt(self, graph: dict[str, Any], *, client_id: str, prompt_id: str) -> str:
        answer = self.post_json("/prompt", {"prompt": graph, "client_id": client_id, "prompt_id": prompt_id})
        if not isinstance(answer, dict) or "prompt_id" not in answer:
            raise ComfyUIError(f"ComfyUI server {self.name} did not queue the job", hint="see the server's log")
        if answer.get("node_errors"):
            raise JobRejected(f"ComfyUI server {self.name} rejected the workflow: {answer['node_errors']}")
        return str(answer["prompt_id"])

    def history(self, prompt_id: str) -> dict[str, Any] | None:
        answer = self.get_json(f"/history/{urllib.parse.quote(prompt_id)}")
        return answer.get(prompt_id) if isinstance(answer, dict) else None

    def view(self, filename: str, subfolder: str = "", folder_type: str = "output") -> bytes:
        query = urllib.parse.urlencode({"filename": filename, "subfolder": subfolder, "type": folder_type})
        return self._send("GET", f"/view?{query}", max_bytes=self.limits.max_image_bytes)

    def queue_state(self) -> tuple[set[str], set[str]]:
        """(running prompt ids, pending prompt ids) from GET /queue; entries are [number, prompt_id, ...]."""
        answer = self.get_json("/queue")
        if not isinstance(answer, dict):
            return set(), set()

        def ids(key: str) -> set[str]:
            entries = answer.get(key)
            if not isinstance(entries, list):
                return set()
            return {str(e[1]) for e in entries if isinstance(e, list | tuple) and len(e) > 1}

        return ids("queue_running"), ids("queue_pending")

    def interrupt(self, prompt_id: str | None = None) -> None:
        # Servers that know per-prompt interrupts stop only this job; older ones stop whatever runs, which the
        # pool makes this job, since it runs one job per server.
        self.post_json("/interrupt", {"prompt_id": prompt_id} if prompt_id else {})

    def delete_queued(self, prompt_id: str) -> None:
        self.post_json("/queue", {"delete": [prompt_id]})

    # -- websocket -------------------------------------------------------------------------------------------
    def events(self, client_id: str) -> ServerEvents:
        return ServerEvents(self, client_id)


class ServerEvents:
    """The server's websocket for one client id: JSON messages as dicts, preview frames as `Preview`."""

    def __init__(self, client: ComfyUIClient, client_id: str) -> None:
        from websockets.exceptions import InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        self._client = client
        base = "ws" + client.url[4:]  # http -> ws, https -> wss
        uri = f"{base}/ws?{urllib.parse.urlencode({'clientId': client_id})}"
        try:
            self._ws = connect(uri, additional_headers=client._headers(), open_timeout=client.timeout,
                               max_size=client.limits.max_image_bytes, compression=None)
        except InvalidStatus as exc:
            status = exc.response.status_code
            if status in (401, 403):
                raise client._http_error(urllib.error.HTTPError(uri, status, "", None, None), "/ws") from None
            raise ServerUnavailable(f"ComfyUI server {client.name} refused its websocket (HTTP {status})",
                                    hint=f"check it with `studio engines test {client.name}`") from None
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise ServerUnavailable(
                f"ComfyUI server {client.name} at {client.url} cannot be reached ({type(exc).__name__})",
                hint=f"start it or fix its address; check with `studio engines test {client.name}`",
            ) from None

    def next(self, timeout: float) -> dict[str, Any] | Preview | None:
        """The next message, or None when none came within `timeout`; ServerUnavailable when the socket drops."""
        from websockets.exceptions import WebSocketException

        try:
            message = self._ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        except (WebSocketException, OSError):
            raise ServerUnavailable(f"ComfyUI server {self._client.name} dropped the connection during the job",
                                    hint=f"check it with `studio engines test {self._client.name}`") from None
        if isinstance(message, bytes):
            return _preview(message)
        try:
            data = bounded_json.loads(message)
        except (ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) else None

    def close(self) -> None:
        self._ws.close()

    def __enter__(self) -> ServerEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _socket_of(response: Any) -> Any:
    """The socket under an http.client response, to bound each receive; None where it cannot be reached."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    return getattr(raw, "_sock", None)


def _preview(frame: bytes) -> Preview | None:
    if len(frame) < 8:
        return None
    event, fmt = struct.unpack(">II", frame[:8])
    if event != PREVIEW_IMAGE:
        return None
    return Preview(frame[8:], "PNG" if fmt == 2 else "JPEG")


def _json(raw: bytes, name: str, path: str) -> Any:
    try:
        return bounded_json.loads(raw)
    except ValueError:  # not JSON, or nested thousands deep (refused before the decoder recurses)
        raise ComfyUIError(f"ComfyUI server {name} sent something that is not JSON on {path.split('?', 1)[0]}",
                           hint="check that the address points at ComfyUI and not another service") from None


def _node_errors(text: str) -> str:
    try:
        data = bounded_json.loads(text)
    except ValueError:
        return text[:200] or "no details"
    lines = []
    for node_id, info in (data.get("node_errors") or {}).items():
        for error in info.get("errors") or ():
            what = f"{error.get('message')} {error.get('details', '')}".strip()
            lines.append(f"{info.get('class_type', node_id)}: {what}")
    error = data.get("error")
    if not lines and isinstance(error, dict):
        lines.append(str(error.get("message")))
    return "; ".join(lines) or "no details"


def _form_field(boundary: str, name: str, value: bytes, *, filename: str | None = None,
                content_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + value + b"\r\n"
