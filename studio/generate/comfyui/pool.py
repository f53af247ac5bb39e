"""Several ComfyUI servers as one engine: each job goes to an idle server, one job per server at a time.

A server that cannot be reached or drops mid-job is marked down and the job is run again on another server;
the failed attempt produced nothing, so the job still yields exactly one result. A server that lacks the job's
model or nodes passes it on too. `subscribe` lets a window show which server runs what.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.errors import ComfyUIError, MissingModel, MissingNodes, ServerUnavailable
from studio.generate.request import Cancelled

T = TypeVar("T")
Status = Literal["idle", "busy", "down"]
_WAIT_S = 0.1


@dataclass(frozen=True)
class ServerState:
    name: str
    url: str
    status: Status
    job: str | None = None  # what it runs now, when busy
    detail: str | None = None  # why it is down


Listener = Callable[[tuple[ServerState, ...]], None]


class ServerPool:
    def __init__(self, clients: Sequence[ComfyUIClient]) -> None:
        if not clients:
            raise ComfyUIError("no ComfyUI server is set up", hint="add one with `studio engines add NAME URL`")
        names = [c.name for c in clients]
        if len(set(names)) != len(names):
            raise ComfyUIError("two ComfyUI servers share a name", hint="give each server its own name")
        self.clients = {c.name: c for c in clients}
        self._states = {c.name: ServerState(c.name, c.url, "idle") for c in clients}
        self._cond = threading.Condition()
        self._listeners: list[Listener] = []

    def states(self) -> tuple[ServerState, ...]:
        with self._cond:
            return tuple(self._states.values())

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` with every server's state after each change (from the thread that changed it)."""
        with self._cond:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._cond:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def run(self, label: str, job: Callable[[ComfyUIClient], T],
            cancel: threading.Event | None = None) -> tuple[T, ComfyUIClient]:
        """Run `job` on an idle server; on a server that fails as a server, again on the next one."""
        tried: set[str] = set()
        errors: list[ComfyUIError] = []
        while True:
            client = self._acquire(tried, label, cancel)
            if client is None:
                raise self._no_server_left(errors)
            tried.add(client.name)
            try:
                result = job(client)
            except ServerUnavailable as exc:
                self._set(client.name, "down", detail=exc.message)
                errors.append(exc)
                continue
            except (MissingModel, MissingNodes) as exc:
                self._set(client.name, "idle")
                errors.append(exc)
                continue
            except BaseException:
                self._set(client.name, "idle")
                raise
            self._set(client.name, "idle")
            return result, client

    def _no_server_left(self, errors: list[ComfyUIError]) -> ComfyUIError:
        """The error to show once every server was tried: one server's own, or one line naming each server."""
        if len(errors) == 1:
            return errors[0]
        # Each server's message already names it; the first error's kind says what the user meets first.
        reasons = "; ".join(e.message for e in errors)
        kind = type(errors[0]) if all(type(e) is type(errors[0]) for e in errors) else ComfyUIError
        return kind(f"none of the {len(errors)} ComfyUI servers could take the job: {reasons}",
                    hint="check them with `studio engines test NAME`")

    def _acquire(self, tried: set[str], label: str, cancel: threading.Event | None) -> ComfyUIClient | None:
        with self._cond:
            while True:
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                untried = [s for s in self._states.values() if s.name not in tried]
                if not untried:
                    return None
                # Idle servers first; a server that was down is tried again only when nothing else is left.
                pick = next((s for s in untried if s.status == "idle"), None)
                if pick is None and not any(s.status == "busy" for s in untried):
                    pick = untried[0]
                if pick is not None:
                    self._states[pick.name] = replace(pick, status="busy", job=label, detail=None)
                    break
                self._cond.wait(_WAIT_S)
        self._notify()
        return self.clients[pick.name]

    def _set(self, name: str, status: Status, detail: str | None = None) -> None:
        with self._cond:
            self._states[name] = replace(self._states[name], status=status, job=None, detail=detail)
            self._cond.notify_all()
        self._notify()

    def _notify(self) -> None:
        with self._cond:
            listeners, snapshot = list(self._listeners), tuple(self._states.values())
        for listener in listeners:
            listener(snapshot)
