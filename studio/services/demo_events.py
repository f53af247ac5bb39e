"""What the demo tells as it runs, as events: the CLI prints them as the demo's story, the window turns the stages
into a job's progress. The demo itself never prints, so both front ends run the very same steps."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from studio.core.types import Edge, Work
from studio.generate.request import Cancelled
from studio.licensing import Verdict
from studio.royalty import RoyaltySplit


@dataclass(frozen=True)
class Heading:
    """A new part of the story."""

    text: str


@dataclass(frozen=True)
class Line:
    """One line of the story (indented as it reads; empty for a blank line)."""

    text: str = ""


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    headers: tuple[str, ...]


@dataclass(frozen=True)
class VerdictShown:
    """A work's license verdict, as `studio license check` shows it."""

    verdict: Verdict
    work: Work


@dataclass(frozen=True)
class SplitShown:
    """A royalty split, as `studio royalty` shows it."""

    split: RoyaltySplit
    titles: Mapping[str, str]


@dataclass(frozen=True)
class LineageShown:
    """A work's ancestry, as `studio lineage` draws it."""

    root: str
    edges: tuple[Edge, ...]
    works: Mapping[str, Work]


@dataclass(frozen=True)
class Working:
    """A long stage starts (a generation, the devnet): a front end shows it as busy until `Worked`."""

    label: str


@dataclass(frozen=True)
class Stepped:
    done: int
    total: int
    unit: str = ""


@dataclass(frozen=True)
class Worked:
    pass


@dataclass(frozen=True)
class StepStarted:
    """The demo moves on to its `number`th step (1-based) of `total`: a job's progress."""

    number: int
    total: int


DemoEvent = Heading | Line | Table | VerdictShown | SplitShown | LineageShown | Working | Stepped | Worked | StepStarted
OnEvent = Callable[[DemoEvent], None]


class Narrator:
    """How the demo's steps tell what they do, and learn that they should stop."""

    def __init__(self, on_event: OnEvent, cancel: threading.Event | None = None) -> None:
        self._emit = on_event
        self.cancel = cancel

    def heading(self, text: str) -> None:
        self._emit(Heading(text))

    def line(self, text: str = "") -> None:
        self._emit(Line(text))

    def table(self, rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
        self._emit(Table(tuple(tuple(str(v) for v in row) for row in rows), tuple(headers)))

    def verdict(self, verdict: Verdict, work: Work) -> None:
        self._emit(VerdictShown(verdict, work))

    def split(self, split: RoyaltySplit, titles: Mapping[str, str]) -> None:
        self._emit(SplitShown(split, dict(titles)))

    def lineage(self, root: str, edges: Sequence[Edge], works: Mapping[str, Work]) -> None:
        self._emit(LineageShown(root, tuple(edges), dict(works)))

    def step(self, number: int, total: int) -> None:
        self._emit(StepStarted(number, total))

    @contextmanager
    def working(self, label: str) -> Iterator[Narrator]:
        self._emit(Working(label))
        try:
            yield self
        finally:
            self._emit(Worked())

    def stepped(self, done: int, total: int, unit: str = "") -> None:
        self._emit(Stepped(done, total, unit))

    def raise_if_cancelled(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("The demo was stopped; the demo library holds what it had built so far")


def silent(_event: DemoEvent) -> None:
    """For a run nobody watches."""
