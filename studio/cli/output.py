"""How the CLI prints: JSON when asked (percentages as percent numbers), short human text otherwise, and a
progress line on a terminal while a long command works."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

import click

from studio.core.amounts import percent_text

_NON_JSON_CONTROLS = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def emit_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    # json escapes C0 controls only; the others (DEL, C1, bidi overrides) can occur only inside strings, where a
    # \u escape keeps the document valid and the terminal safe.
    click.echo(_NON_JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


percent = percent_text  # the CLI's name for it


class ProgressPrinter:
    """One self-rewriting line on stderr while a long command works, shown only when stderr is a terminal (so
    JSON and piped output never carry it). `step(done, total)` draws a bar; without a total, a ticker shows the
    seconds spent, so a silent wait still looks alive."""

    def __init__(self, label: str, *, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.label = label
        self._detail = ""
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._width = 0
        self._paused = False

    def __enter__(self) -> ProgressPrinter:
        if self.enabled:
            self._draw()
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stage(self, label: str) -> None:
        """A new phase of the work (e.g. "loading the model", "denoising")."""
        with self._lock:
            self.label, self._detail = label, ""
        self._draw()

    def pause(self) -> None:
        """Clear the line while the command asks or prints something (a prompt, a plan)."""
        self._clear()
        self._paused = True

    def resume(self, label: str) -> None:
        self._paused = False
        self.stage(label)

    def step(self, done: int, total: int, detail: str = "") -> None:
        filled = round(20 * done / max(1, total))
        with self._lock:
            self._detail = f"[{'#' * filled}{'.' * (20 - filled)}] {done}/{total}" + (f" {detail}" if detail else "")
        self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
            self._ticker = None
        self._clear()

    def _clear(self) -> None:
        if self.enabled and self._width:
            with self._lock:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
                self._width = 0

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._draw()

    def _draw(self) -> None:
        if not self.enabled or self._paused:
            return
        with self._lock:
            seconds = time.monotonic() - self._started
            text = f"{self.label}… {self._detail} {seconds:.0f}s".replace("  ", " ")
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
            self._width = len(text)


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress(label: str, *, quiet: bool = False) -> ProgressPrinter:
    """The progress line for a command; `quiet` (e.g. --json) turns it off whatever stderr is."""
    return ProgressPrinter(label, enabled=False if quiet else None)
