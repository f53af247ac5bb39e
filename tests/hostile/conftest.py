"""Hostile-input fixtures: a library folder driven through the real `studio` command, and PNGs with given chunks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.hostile_library import Studio, png_with_chunks


@pytest.fixture
def studio(tmp_path: Path) -> Studio:
    return Studio(tmp_path / "lib")


@pytest.fixture
def write_png(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def write(chunks: dict[str, str | bytes], name: str | None = None, **kwargs) -> Path:
        n = next(counter)
        path = tmp_path / (name or f"hostile{n}.png")
        path.write_bytes(png_with_chunks(chunks, seed=n, **kwargs))
        return path

    return write
