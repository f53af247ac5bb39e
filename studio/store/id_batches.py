"""Reading the rows of many ids: the ids in batches that stay under SQLite's limit on parameters per statement."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

BATCH = 500


def id_batches(ids: Iterable[str]) -> Iterator[tuple[list[str], str]]:
    """Each batch of at most BATCH ids (a repeated id only once, first order kept) with its placeholders, `?,?,?`."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), BATCH):
        batch = unique[start : start + BATCH]
        yield batch, ",".join("?" * len(batch))
