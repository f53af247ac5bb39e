"""Which process runs a long job: an exclusive `flock` on a file in the job's folder, held for the whole run.

The kernel drops the lock the moment its process ends, however it ends (a crash, SIGKILL, a power cut), so "can
the lock be taken?" answers "is the job's process gone?" without trusting a process id that may since have been
given to another process. The holder's pid and the start time the kernel gives that process are written into the
file, to name a process that ended; they are never what liveness is judged by.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

LEASE_NAME = "run.lock"
_TRIES = 5


class RunLease:
    """The lock a running job holds on its folder; `release()` (or the process ending) lets it go."""

    def __init__(self, fd: int, path: Path, previous: dict[str, Any]) -> None:
        self._fd = fd
        self.path = path
        self.previous = previous  # what the last holder wrote about itself ({} when unknown)

    @classmethod
    def take(cls, folder: Path, *, runner: bool = True) -> RunLease | None:
        """The lease of `folder`, or None while another process (or another run in this one) holds it. A runner
        writes itself into the file; a process that only settles or cancels leaves the last runner's name there."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LEASE_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            for attempt in range(_TRIES):
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if attempt == _TRIES - 1:
                        os.close(fd)
                        return None
                    time.sleep(0.05)  # another process may hold it for an instant, to settle or cancel the job
        except BaseException:
            os.close(fd)
            raise
        previous = _parse(os.pread(fd, 4096, 0))
        if runner:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder()).encode(), 0)
        return cls(fd, path, previous)

    def release(self) -> None:
        if self._fd >= 0:
            fd, self._fd = self._fd, -1
            os.close(fd)  # closing the descriptor drops the lock

    def __enter__(self) -> RunLease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _parse(data: bytes) -> dict[str, Any]:
    try:
        value = json.loads(data or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def holder() -> dict[str, Any]:
    """This process: its pid and, where the kernel says, its start time in clock ticks since boot."""
    return {"pid": os.getpid(), "started": _start_ticks(os.getpid())}


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    # Field 22 (starttime) counts from the field after the command name, which may itself hold spaces.
    fields = stat.rsplit(")", 1)[-1].split()
    return int(fields[19]) if len(fields) > 19 else None
