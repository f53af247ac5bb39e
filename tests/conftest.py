"""Shared fixtures: a real library folder on disk, and small real images."""

from __future__ import annotations

import io
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image

from studio.store.library import Library

REPO = Path(__file__).resolve().parent.parent

# The session devnet with its per-test snapshot, the session diffusers engine, the session S3 server (weed) and
# the session PostgreSQL server: one of each for every folder.
pytest_plugins = ["tests.helpers.devnet", "tests.helpers.generation", "tests.helpers.s3", "tests.helpers.postgres"]


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user's library, data folder or settings."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("STUDIO_LIBRARY", str(base / "library"))
    monkeypatch.setenv("STUDIO_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("STUDIO_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("STUDIO_LOG_DIR", str(base / "logs"))
    # The untrained toy model generates about ten times faster than studio-emoji; tests of the emoji default
    # remove this.
    monkeypatch.setenv("STUDIO_BUILTIN_MODEL", "studio-tiny")


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "lib")
    yield lib
    lib.close()


def image_bytes(seed: int = 0, size: tuple[int, int] = (32, 24), fmt: str = "PNG") -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", size)
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(size[0] * size[1])])
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(10_000))

    def make(seed: int | None = None, *, fmt: str = "PNG", size: tuple[int, int] = (32, 24)) -> Path:
        n = next(counter)
        ext = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
        path = tmp_path / f"img{n}.{ext}"
        path.write_bytes(image_bytes(n if seed is None else seed, size, fmt))
        return path

    return make
