"""A stand-in ComfyUI server for the tests: ComfyUI's HTTP routes and websocket protocol on aiohttp, executing
workflows with the studio's diffusers engine on the built-in tiny model.

It is a neighbour of the unit under test (the studio's ComfyUI client), written from ComfyUI's documented
protocol: /system_stats, /object_info, /upload/image, /prompt, /queue, /interrupt, /history, /view and /ws
(also under /api/), JSON messages and binary preview frames. Faults for the tests: a required access token,
missing nodes, a node that fails, and `die_at_step` (the whole server goes away in the middle of a job).

Hostile answers, as a broken or malicious server could send them: `view` = "endless" (a body without end),
"trickle" (a byte now and then), "bomb" (a PNG whose header claims 20000x20000 pixels), "huge" (10000x10000),
"wrong_size" (the result at another size than asked); `history` = "strings" (`images: ["x"]`), "no_filename",
"bad_type", "deep" (JSON nested 200,000 lists deep); `silent_end` (the websocket never reports the end of the
job), `hang` (a job that never ends), `hold` (jobs stay queued until `release()`); `object_info` (settable on a
running server, e.g. after linking) = "files_not_lists" (the loaders' file inputs are strings), "files_junk" (file
lists of numbers, records, 100 kB names and names with terminal escapes), "no_flux_type" (DualCLIPLoader without
its "flux" type). /view_metadata answers the headers in `files.headers`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import queue
import socket
import struct
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from aiohttp import web
from PIL import Image, PngImagePlugin

from studio.generate import Cancelled, Progress
from tests.helpers.standin_nodes import Files, node_catalogue, real_catalogue, to_request, validate


class StandInComfyUI:
    def __init__(self, root: Path, engine: Any, files: Files, *, token: str | None = None,
                 missing_nodes: tuple[str, ...] = (), fail_node: str | None = None, die_at_step: int | None = None,
                 step_delay: float = 0.0, view: str | None = None, history: str | None = None,
                 silent_end: bool = False, hang: bool = False, hold: bool = False, real_nodes: bool = False,
                 object_info: str | None = None) -> None:
        self.root = root
        self.engine = engine
        self.files = files
        self.token = token
        self.missing_nodes = missing_nodes
        self.fail_node = fail_node
        self.die_at_step = die_at_step
        self.step_delay = step_delay
        self.view_mode = view
        self.history_mode = history
        self.silent_end = silent_end
        self.hang = hang
        self.real_nodes = real_nodes  # serve the node specs captured from a real ComfyUI server
        self.object_info_mode = object_info
        self._release = threading.Event()
        if not hold:
            self._release.set()
        self.queued: list[str] = []  # pending prompt ids, in order
        self.view_bytes_sent = 0
        self.output_dir = root / "output"
        self.output_dir.mkdir(parents=True, exist_ok=True)
        files.input_dir.mkdir(parents=True, exist_ok=True)
        # What happened, for the tests to assert on.
        self.prompts: list[dict[str, Any]] = []
        self.executed: list[str] = []
        self.interrupts: list[Any] = []
        self.deleted: list[str] = []
        self.uploads: list[str] = []
        self.requests_seen: list[tuple[str, str]] = []
        self._history: dict[str, Any] = {}
        self._pending: queue.Queue[tuple[str, dict[str, Any], str] | None] = queue.Queue()
        self._deleted_ids: set[str] = set()
        self._running: str | None = None
        self._cancel = threading.Event()
        self._sockets: dict[str, web.WebSocketResponse] = {}
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._alive = True
        self.url = ""
        self._exec_thread: threading.Thread | None = None

    # -- life ----------------------------------------------------------------------------------------------
    def start(self) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._runner = web.AppRunner(self._app(), handle_signals=False)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.SockSite(self._runner, sock).start())
            ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, daemon=True, name="standin-http").start()
        self._exec_thread = threading.Thread(target=self._worker, daemon=True, name="standin-exec")
        self._exec_thread.start()
        ready.wait(10)
        return self.url

    def stop(self) -> None:
        """Go away at once: sockets dropped, the port closed, the running job abandoned."""
        if not self._alive:
            return
        self._alive = False
        self._cancel.set()
        self._pending.put(None)
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if threading.current_thread() is not self._exec_thread:
            self._exec_thread.join(30)  # the running job ends at its next step

    async def _shutdown(self) -> None:
        for ws in list(self._sockets.values()):
            transport = ws._req.transport if ws._req else None  # drop, as a crashed server would, no close frame
            if transport is not None:
                transport.abort()
        assert self._runner is not None
        await self._runner.cleanup()

    # -- HTTP ----------------------------------------------------------------------------------------------
    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024 * 1024)
        routes = [
            ("GET", "/ws", self._ws), ("GET", "/system_stats", self._system_stats),
            ("GET", "/object_info", self._object_info), ("POST", "/upload/image", self._upload),
            ("POST", "/prompt", self._prompt), ("GET", "/queue", self._get_queue), ("POST", "/queue", self._queue),
            ("POST", "/interrupt", self._interrupt), ("GET", "/history/{prompt_id}", self._history_one),
            ("GET", "/view", self._view), ("GET", "/view_metadata/{folder}", self._view_metadata),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
            app.router.add_route(method, "/api" + path, handler)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests_seen.append((request.method, request.path))
        if self.token is not None and request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        origin = request.headers.get("Origin")
        if origin and origin.split("://", 1)[-1] != request.host:
            return web.Response(status=403)  # ComfyUI's default: refuse a foreign Origin
        return await handler(request)

    async def _system_stats(self, request: web.Request) -> web.Response:
        return web.json_response({
            "system": {"os": "posix", "comfyui_version": "0.3.60", "python_version": "3.11", "embedded_python": False,
                       "ram_total": 0, "ram_free": 0},
            "devices": [{"name": "cpu", "type": "cpu", "index": None, "vram_total": 0, "vram_free": 0}],
        })

    def _catalogue(self) -> dict[str, Any]:
        inputs = sorted(str(p.relative_to(self.files.input_dir)) for p in self.files.input_dir.rglob("*.png"))
        parts = self.files.parts
        checkpoints = sorted(set(self.files.checkpoints) - set(parts.get("unet", ())))
        if self.real_nodes:
            nodes = real_catalogue(checkpoints=checkpoints, loras=sorted(self.files.loras), inputs=inputs,
                                   unets=sorted(parts.get("unet", ())), clips=sorted(parts.get("clip", ())),
                                   vaes=sorted(parts.get("vae", ())))
        else:
            nodes = node_catalogue(checkpoints, sorted(self.files.loras), inputs)
        nodes = {k: v for k, v in nodes.items() if k not in self.missing_nodes}
        return _hostile_info(nodes, self.object_info_mode) if self.object_info_mode else nodes

    async def _object_info(self, request: web.Request) -> web.Response:
        return web.json_response(self._catalogue())

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        image = form.get("image")
        if not isinstance(image, web.FileField):
            return web.Response(status=400)
        subfolder = str(form.get("subfolder") or "")
        folder = self.files.input_dir / subfolder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / image.filename).write_bytes(image.file.read())
        self.uploads.append(f"{subfolder}/{image.filename}" if subfolder else image.filename)
        return web.json_response({"name": image.filename, "subfolder": subfolder, "type": "input"})

    async def _prompt(self, request: web.Request) -> web.Response:
        body = await request.json()
        graph = body.get("prompt")
        errors = validate(graph, self._catalogue())
        if errors:
            return web.json_response({"error": {"type": "prompt_outputs_failed_validation",
                                                "message": "Prompt outputs failed validation"},
                                      "node_errors": errors}, status=400)
        prompt_id = str(body.get("prompt_id") or uuid.uuid4())
        self.prompts.append(body)
        self.queued.append(prompt_id)
        self._pending.put((prompt_id, graph, str(body.get("client_id") or "")))
        return web.json_response({"prompt_id": prompt_id, "number": len(self.prompts), "node_errors": {}})

    async def _get_queue(self, request: web.Request) -> web.Response:
        running = [[0, self._running, {}, {}, []]] if self._running else []
        pending = [[n + 1, prompt_id, {}, {}, []] for n, prompt_id in enumerate(self.queued)]
        return web.json_response({"queue_running": running, "queue_pending": pending})

    def queue_empty(self) -> bool:
        return self._running is None and not self.queued

    def release(self) -> None:
        self._release.set()

    async def _queue(self, request: web.Request) -> web.Response:
        body = await request.json()
        for prompt_id in body.get("delete") or ():
            self.deleted.append(prompt_id)
            self._deleted_ids.add(prompt_id)
            if prompt_id in self.queued:
                self.queued.remove(prompt_id)
        return web.Response(status=200)

    async def _interrupt(self, request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        self.interrupts.append(body.get("prompt_id"))
        if body.get("prompt_id") in (None, self._running):
            self._cancel.set()
        return web.Response(status=200)

    async def _history_one(self, request: web.Request) -> web.Response:
        prompt_id = request.match_info["prompt_id"]
        entry = self._history.get(prompt_id)
        if entry and self.history_mode == "deep":
            return web.Response(text="[" * 200_000 + "]" * 200_000, content_type="application/json")
        return web.json_response({prompt_id: entry} if entry else {})

    async def _view(self, request: web.Request) -> web.StreamResponse:
        base = self.output_dir if request.query.get("type", "output") == "output" else self.files.input_dir
        path = (base / request.query.get("subfolder", "") / request.query["filename"]).resolve()
        if not path.is_relative_to(base.resolve()) or not path.is_file():
            return web.Response(status=404)
        if self.view_mode in ("endless", "trickle"):
            return await self._hostile_body(request)
        data = path.read_bytes()
        if self.view_mode in ("bomb", "huge"):
            side = 20000 if self.view_mode == "bomb" else 10000
            data = png_claiming(side, side)
        elif self.view_mode == "wrong_size":
            with Image.open(path) as image:
                buffer = io.BytesIO()
                image.resize((image.width + 8, image.height)).save(buffer, format="PNG")
                data = buffer.getvalue()
        return web.Response(body=data, content_type="image/png")

    async def _hostile_body(self, request: web.Request) -> web.StreamResponse:
        """A body that never ends: megabytes as fast as the client takes them, or one byte every 0.3 s."""
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        await response.prepare(request)
        chunk = b"\x89PNG" + b"\0" * (1024 * 1024 - 4)
        with contextlib.suppress(ConnectionError, asyncio.CancelledError, RuntimeError):
            while self._alive:
                if self.view_mode == "endless":
                    await response.write(chunk)
                    self.view_bytes_sent += len(chunk)
                else:
                    await response.write(b"\0")
                    self.view_bytes_sent += 1
                    await asyncio.sleep(0.3)
        return response

    async def _view_metadata(self, request: web.Request) -> web.Response:
        # As ComfyUI: only .safetensors files with a __metadata__ header; 404 otherwise.
        header = self.files.headers.get(request.query.get("filename", ""))
        folders = ("checkpoints", "loras", "diffusion_models", "text_encoders", "vae")
        if request.match_info["folder"] not in folders or header is None:
            return web.Response(status=404)
        return web.json_response(header)

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        client_id = request.query.get("clientId") or uuid.uuid4().hex
        self._sockets[client_id] = ws
        await ws.send_str(json.dumps({"type": "status", "data": {
            "status": {"exec_info": {"queue_remaining": self._pending.qsize()}}, "sid": client_id}}))
        async for _ in ws:
            pass
        self._sockets.pop(client_id, None)
        return ws

    # -- execution -----------------------------------------------------------------------------------------
    def _send(self, client_id: str, kind: str, data: dict[str, Any] | bytes) -> None:
        ws = self._sockets.get(client_id)
        if ws is None or not self._alive:
            return
        coro = ws.send_bytes(data) if isinstance(data, bytes) else ws.send_str(json.dumps({"type": kind, "data": data}))
        with contextlib.suppress(Exception):  # the client went away; ComfyUI carries on too
            asyncio.run_coroutine_threadsafe(coro, self._loop).result(10)

    def _worker(self) -> None:
        while True:
            item = self._pending.get()
            if item is None or not self._alive:
                return
            prompt_id, graph, client_id = item
            while not self._release.wait(0.05):
                if not self._alive:
                    return
            if prompt_id in self._deleted_ids:
                continue
            if prompt_id in self.queued:
                self.queued.remove(prompt_id)
            self._running, _ = prompt_id, self._cancel.clear()
            try:
                self._execute(prompt_id, graph, client_id)
            finally:
                self._running = None

    def _execute(self, prompt_id: str, graph: dict[str, Any], client_id: str) -> None:
        send = lambda kind, data: self._send(client_id, kind, data)  # noqa: E731
        send("execution_start", {"prompt_id": prompt_id, "timestamp": int(time.time() * 1000)})
        send("execution_cached", {"nodes": [], "prompt_id": prompt_id})
        with tempfile.TemporaryDirectory() as work:
            request, sampler_id = to_request(graph, self.files, Path(work))
            for node_id, node in graph.items():
                if node["class_type"] == self.fail_node:
                    send("execution_error", {"prompt_id": prompt_id, "node_id": node_id, "node_type": self.fail_node,
                                             "executed": [], "exception_message": "Out of memory on the device\n",
                                             "exception_type": "RuntimeError", "traceback": []})
                    return
            send("executing", {"node": sampler_id, "display_node": sampler_id, "prompt_id": prompt_id})
            if self.hang:  # runs until interrupted, and says nothing more
                while not self._cancel.wait(0.05):
                    pass
                send("execution_interrupted", {"prompt_id": prompt_id, "node_id": sampler_id,
                                               "node_type": "KSampler", "executed": []})
                return

            def progress(p: Progress) -> None:
                if self.die_at_step is not None and p.step >= self.die_at_step:
                    self.stop()
                    raise Cancelled("the stand-in server died")
                send("progress", {"value": p.step, "max": p.total, "prompt_id": prompt_id, "node": sampler_id})
                if p.preview is not None:
                    buffer = io.BytesIO()
                    p.preview.save(buffer, format="JPEG")
                    send("", struct.pack(">II", 1, 1) + buffer.getvalue())
                time.sleep(self.step_delay)

            try:
                result = self.engine.run(request, on_progress=progress, cancel=self._cancel)
            except Cancelled:
                if self._alive:
                    send("execution_interrupted", {"prompt_id": prompt_id, "node_id": sampler_id,
                                                   "node_type": "KSampler", "executed": []})
                return
        filename = f"remix-studio_{len(self.executed) + 1:05d}_.png"
        # As ComfyUI's SaveImage does: the executed graph goes into the PNG as a `prompt` text chunk.
        info = PngImagePlugin.PngInfo()
        info.add_text("prompt", json.dumps(graph))
        result.image.save(self.output_dir / filename, pnginfo=info)
        self.executed.append(prompt_id)
        images: list[Any] = [{"filename": filename, "subfolder": "", "type": "output"}]
        if self.history_mode == "strings":
            images = ["x"]
        elif self.history_mode == "no_filename":
            images = [{"subfolder": "", "type": "output"}]
        elif self.history_mode == "bad_type":
            images = [{"filename": filename, "subfolder": "", "type": {"nested": ["/etc/passwd"]}}]
        self._history[prompt_id] = {"prompt": [0, prompt_id, graph, {}, ["save"]], "outputs": {"save": {"images":
                                    images}}, "status": {"status_str": "success", "completed": True, "messages": []}}
        if self.silent_end:
            return
        send("executed", {"node": "save", "display_node": "save", "output": {"images": images},
                          "prompt_id": prompt_id})
        send("execution_success", {"prompt_id": prompt_id, "timestamp": int(time.time() * 1000)})
        send("executing", {"node": None, "prompt_id": prompt_id})


def _hostile_info(nodes: dict[str, Any], mode: str) -> dict[str, Any]:
    loaders = ("CheckpointLoaderSimple", "UNETLoader", "DualCLIPLoader", "TripleCLIPLoader", "CLIPLoader",
               "VAELoader", "LoraLoader", "LoraLoaderModelOnly")
    junk: list[Any] = [7, None, {"name": "flux1-dev.safetensors"}, ["ae.safetensors"], "x" * 100_000,
                       "evil\x1b]0;owned\x07\n.safetensors", "../../../etc/passwd"]
    for name in loaders:
        required = nodes.get(name, {}).get("input", {}).get("required", {})
        for field_name, spec in required.items():
            if not field_name.endswith("_name") and not field_name.startswith("clip_name"):
                continue
            if mode == "files_not_lists":
                required[field_name] = "flux1-dev.safetensors"
            elif mode == "files_junk":
                required[field_name] = ["COMBO", {"options": junk}] if spec and spec[0] == "COMBO" else [junk]
    if mode == "no_flux_type" and "DualCLIPLoader" in nodes:
        nodes["DualCLIPLoader"]["input"]["required"]["type"] = [["sdxl", "sd3"]]
    return nodes


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels and whose data is a few bytes: what a decompression
    bomb looks like before it is decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(
        b"IEND", b"")


@contextlib.contextmanager
def server_factory(
    folder: Path, engine: Any, checkpoints: Mapping[str, Any], headers: Mapping[str, dict[str, str]] | None = None,
) -> Iterator[Callable[..., StandInComfyUI]]:
    """Starts stand-in servers on demand, each in its own folder under `folder` with `checkpoints` (name to model),
    and stops every one at the end."""
    servers: list[StandInComfyUI] = []

    def make(*, extra_files: Mapping[str, dict[str, str] | None] | None = None,
             parts: Mapping[str, list[str]] | None = None, **options: Any) -> StandInComfyUI:
        """`extra_files`: more checkpoint names (run as the first checkpoint), each with its header or None;
        `parts`: split model files by kind (a unet must also be among `checkpoints`, as the model it runs)."""
        root = folder / f"comfy{len(servers)}"
        files = Files(checkpoints=dict(checkpoints), loras={}, input_dir=root / "input", headers=dict(headers or {}),
                      parts={k: list(v) for k, v in (parts or {}).items()})
        first = next(iter(checkpoints.values()))
        for name, header in (extra_files or {}).items():
            files.checkpoints[name] = first
            if header is not None:
                files.headers[name] = header
        server = StandInComfyUI(root, engine, files, **options)
        server.start()
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()
