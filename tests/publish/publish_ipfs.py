"""A tiny IPFS service for tests, on a real local HTTP server: Kubo's RPC endpoints `/api/v0/add` and
`/api/v0/cat`, a gateway (`GET /ipfs/<cid>`) and a pinning upload (`POST /pinning/pinFileToIPFS`) that needs a
bearer token. Files are kept in memory by CIDv1 (raw, sha2-256), as `ipfs add --cid-version 1 --raw-leaves`
names a small file."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from studio.story.storage import cid_v1_raw


@dataclass
class FakeIpfs:
    url: str
    token: str = "pin-token-123"
    files: dict[str, bytes] = field(default_factory=dict)
    tampered: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)


def _file_part(headers, body: bytes) -> bytes:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + headers["Content-Type"].encode() + b"\r\n\r\n" + body
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True)
    raise ValueError("no file part")


@contextmanager
def fake_ipfs() -> Iterator[FakeIpfs]:
    state = FakeIpfs(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output quiet
            pass

        def _reply(self, code: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def _serve(self, cid: str) -> None:
            if cid not in state.files:
                self._reply(404, b"not found", "text/plain")
            else:
                self._reply(200, state.tampered.get(cid, state.files[cid]), "application/octet-stream")

        def do_POST(self) -> None:
            parsed = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(parsed.query)
            state.requests.append(("POST", parsed.path, self.headers.get("Authorization")))
            body = self._body()
            if parsed.path == "/api/v0/add":
                assert query.get("cid-version") == ["1"] and query.get("raw-leaves") == ["true"]
                data = _file_part(self.headers, body)
                cid = cid_v1_raw(data)
                state.files[cid] = data
                self._reply(200, json.dumps({"Name": "file", "Hash": cid, "Size": str(len(data))}).encode() + b"\n")
            elif parsed.path == "/api/v0/cat":
                self._serve(query["arg"][0])
            elif parsed.path == "/pinning/pinFileToIPFS":
                if self.headers.get("Authorization") != f"Bearer {state.token}":
                    self._reply(401, b'{"error":"unauthorized"}')
                    return
                data = _file_part(self.headers, body)
                cid = cid_v1_raw(data)
                state.files[cid] = data
                self._reply(200, json.dumps({"IpfsHash": cid, "PinSize": len(data)}).encode())
            else:
                self._reply(404, b"{}")

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path, None))
            if self.path.startswith("/ipfs/"):
                self._serve(self.path[len("/ipfs/"):])
            else:
                self._reply(404, b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
