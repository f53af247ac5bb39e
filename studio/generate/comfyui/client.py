"""One ComfyUI server over HTTP (urllib) and its websocket (`websockets`' sync client).

Every failure becomes one of the errors in `errors.py`; the access token goes only into the Authorization
header and never into a message.
"""

from __future__ import annotations

import json
import struct
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.core.urls import parse_http_url
from studio.generate.comfyui.errors import ComfyUIError, JobRejected, ServerUnavailable, TokenRefused

if TYPE_CHECKING:
    from studio.secrets import Secret

PREVIEW_IMAGE = 1  # binary websocket event: 4-byte type, 4-byte format (1 JPEG, 2 PNG), then the image
_RETRYABLE_STATUS = {502, 503, 504}
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
    def __init__(self, url: str, *, name: str | None = None, token: Secret | None = None, timeout: float = 10.0):
        self.url = normalise_url(url)
        self.name = name or self.url
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ComfyUIClient({self.name!r}, {self.url!r})"

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "remix-studio"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return headers

    def _send(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> bytes:
        headers = self._headers()
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(exc, path) from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServerUnavailable(
                f"ComfyUI server {self.name} at {self.url} cannot be reached ({reason})",
                hint=f"start it or fix its address; check with `studio engines test {self.name}`",
            ) from None

    def _http_error(self, exc: urllib.error.HTTPError, path: str) -> ComfyUIError:
        try:
            text = exc.read().decode("utf-8", "replace")
        except OSError:
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

    def object_info(self) -> dict[str, Any]:
        return self.get_json("/object_info")

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
        return self._send("GET", f"/view?{query}")

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
                               max_size=64 * 1024 * 1024, compression=None)
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
                                    hint="the job can run on another server") from None
        if isinstance(message, bytes):
            return _preview(message)
        try:
            data = json.loads(message)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def close(self) -> None:
        self._ws.close()

    def __enter__(self) -> ServerEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _preview(frame: bytes) -> Preview | None:
    if len(frame) < 8:
        return None
    event, fmt = struct.unpack(">II", frame[:8])
    if event != PREVIEW_IMAGE:
        return None
    return Preview(frame[8:], "PNG" if fmt == 2 else "JPEG")


def _json(raw: bytes, name: str, path: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ComfyUIError(f"ComfyUI server {name} sent something that is not JSON on {path}",
                           hint="check that the address points at ComfyUI and not another service") from None


def _node_errors(text: str) -> str:
    try:
        data = json.loads(text)
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
