"""The window's side of the generation engines: the ComfyUI servers of the library, their connection state, the
model files they offer, and which server of a pool runs what.

Adding and removing a server are quick writes (settings and keyring) made on the GUI thread. Everything that talks
to a server (test, list its models, link one) runs as a job on the session's queue, with a `Studio` of its own;
its answer comes back as a signal on the GUI thread. One `EnginesModel` serves a session (`EnginesModel.of`), so
the settings dialog and the create panel's engine chooser see the same servers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

from studio.app.session import StudioSession
from studio.app.workers import TaskContext
from studio.services import Studio

GIB = 1 << 30
Connection = Literal["untested", "testing", "ok", "error"]


@dataclass(frozen=True)
class ServerRow:
    name: str
    url: str
    has_token: bool
    connection: Connection = "untested"
    line: str = ""  # the last test's one-line answer


@dataclass(frozen=True)
class ModelRow:
    """A model file on a server and the registered model it is linked to (if any)."""

    kind: str  # "checkpoint" or "lora"
    filename: str
    model: str | None
    known_by: str | None  # "hash" or "name"
    license_id: str | None
    how: str = ""  # how the link is known, in words: "by name, unverified", "linked, file gone from the server"


@dataclass(frozen=True)
class LinkResult:
    server: str
    filename: str
    model: str
    license_id: str
    known_by: str


def describe_connection(version: str | None, stats: dict[str, Any]) -> str:
    """`ok: ComfyUI 0.3.60, NVIDIA H200 (139.8 GiB VRAM, 120.5 GiB free)` from /system_stats."""
    devices = []
    for device in stats.get("devices") or ():
        if not isinstance(device, dict):
            continue
        name = str(device.get("name") or device.get("type") or "device")
        total, free = device.get("vram_total"), device.get("vram_free")
        if isinstance(total, int | float) and total > 0:
            memory = f"{total / GIB:.1f} GiB VRAM"
            if isinstance(free, int | float):
                memory += f", {free / GIB:.1f} GiB free"
            name += f" ({memory})"
        devices.append(name)
    return f"ok: ComfyUI {version or '(version unknown)'}, {'; '.join(devices) or 'no device listed'}"


def name_warning(filename: str) -> str:
    return (f"{filename} is known by name only: its recipes record no file hash. Register a local copy of the file "
            "and link it to that model to record the hash.")


class EnginesModel(QObject):
    servers_changed = Signal()
    tested = Signal(str)  # server name; its row holds the answer
    models_listed = Signal(str, object)  # server name, list[ModelRow]
    linked = Signal(object)  # LinkResult
    failed = Signal(str, str)  # server name, one-line message

    def __init__(self, session: StudioSession) -> None:
        super().__init__(session)
        self.session = session
        self._connections: dict[str, tuple[Connection, str]] = {}
        self._jobs: dict[int, tuple[str, str]] = {}  # job id -> (what, server)
        session.jobs.job_finished.connect(self._finished)
        session.jobs.job_failed.connect(self._failed)
        session.jobs.job_cancelled.connect(lambda job_id: self._jobs.pop(job_id, None))

    @classmethod
    def of(cls, session: StudioSession) -> EnginesModel:
        """The session's model of its engines, made on first use."""
        found = session.findChild(EnginesModel)
        return found if isinstance(found, EnginesModel) else cls(session)

    # -- servers (GUI thread: settings and keyring) --------------------------------------------------------
    def servers(self) -> list[ServerRow]:
        rows = []
        for server in self.session.studio.engines.servers():
            connection, line = self._connections.get(server.name, ("untested", ""))
            rows.append(ServerRow(server.name, server.url, server.has_token, connection, line))
        return rows

    def add(self, name: str, url: str, token: str | None = None) -> ServerRow:
        """Add a server or change its address; a token goes to the OS keyring. Raises StudioError for bad input."""
        server, _new = self.session.studio.engines.add(name.strip(), url.strip(), token or None)
        self._connections.pop(server.name, None)
        self._servers_changed()
        return next(row for row in self.servers() if row.name == server.name)

    def remove(self, name: str) -> None:
        self.session.studio.engines.remove(name)
        self._connections.pop(name, None)
        self._servers_changed()

    # -- talking to servers (jobs) -------------------------------------------------------------------------
    def test(self, name: str) -> int:
        """Connect to the server off the GUI thread; `tested` says when its row has the answer."""

        def task(ctx: TaskContext, studio: Studio) -> str:
            info = studio.engines.test(name)
            return describe_connection(info.version, studio.engines.client(name).system_stats())

        self._connections[name] = ("testing", "testing the connection…")
        self.tested.emit(name)
        return self._submit("test", name, f"Test ComfyUI server {name}", task)

    def list_models(self, name: str) -> int:
        def task(ctx: TaskContext, studio: Studio) -> list[ModelRow]:
            # A file that only matches a registered model is not linked: its model shows in `how` alone.
            return [ModelRow(f.kind, f.filename, f.model.name if f.model and f.state != "matches" else None,
                             f.known_by, f.model.work.license_id if f.model and f.state != "matches" else None,
                             f.how)
                    for f in studio.engines.remote_models(name)]

        return self._submit("models", name, f"Models on {name}", task)

    def link(self, server: str, filename: str, *, model: str | None = None, license_id: str | None = None,
             as_name: str | None = None) -> int:
        """Link a server's file to a registered model, or register it by name with `license_id`."""

        def task(ctx: TaskContext, studio: Studio) -> LinkResult:
            registered, known_by = studio.engines.link(server, filename, model=model, license_id=license_id,
                                                       name=as_name)
            return LinkResult(server, filename, registered.name, registered.work.license_id, known_by)

        return self._submit("link", server, f"Link {filename} on {server}", task)

    def _submit(self, what: str, name: str, title: str, task: Callable[[TaskContext, Studio], Any]) -> int:
        job_id = self.session.submit("engine", title, task, lane="io")
        self._jobs[job_id] = (what, name)
        return job_id

    # -- answers (GUI thread) ------------------------------------------------------------------------------
    def _finished(self, job_id: int, result: Any) -> None:
        entry = self._jobs.pop(job_id, None)
        if entry is None:
            return
        what, name = entry
        if what == "test":
            self._connections[name] = ("ok", str(result))
            self.tested.emit(name)
        elif what == "models":
            self.models_listed.emit(name, result)
        else:
            self.session.models_changed.emit()  # a file registered by name is a new model
            self.session.library_changed.emit()
            self.linked.emit(result)

    def _failed(self, job_id: int, message: str) -> None:
        entry = self._jobs.pop(job_id, None)
        if entry is None:
            return
        what, name = entry
        if what == "test":
            self._connections[name] = ("error", message)
            self.tested.emit(name)
        else:
            self.failed.emit(name, message)

    def _servers_changed(self) -> None:
        # The next generation on a ComfyUI engine builds its pool from the servers as they are now.
        self.session.use_engine(self.session.engine_spec)
        self.servers_changed.emit()


class PoolWatcher(QObject):
    """Relays a server pool's changes (made on worker threads) to the GUI thread as `states_changed`."""

    states_changed = Signal(object)  # tuple[ServerState, ...], or () when no pool is in use

    def __init__(self, session: StudioSession) -> None:
        super().__init__(session)
        self.states: tuple[Any, ...] = ()
        self._unsubscribe: Callable[[], None] | None = None
        self._relay.connect(self._show)
        session.engine_pool.connect(self.watch)

    _relay = Signal(object)  # emitted from any thread; delivered queued to `_show` on the GUI thread

    def watch(self, pool: Any) -> None:
        """Follow `pool` (a `ServerPool`), or nothing when None."""
        self.stop()
        if pool is not None:
            self._unsubscribe = pool.subscribe(self._relay.emit)
            self._show(pool.states())
        else:
            self._show(())

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _show(self, states: Any) -> None:
        self.states = tuple(states)
        self.states_changed.emit(self.states)
