"""Fixtures: stand-in ComfyUI servers running the studio's diffusers engine on the built-in tiny model, and a
real library in which the servers' checkpoint file is registered too (a single .safetensors file with the same
header the servers read out), so linking it is proven."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from PIL import Image

from studio.generate import DiffusersGenerator, ModelRef, builtin_model_ref
from studio.services import Studio
from studio.store.library import Library
from tests.helpers.standin_nodes import LINKED_MODEL, TINY_HEADER, write_checkpoint
from tests.helpers.standin_server import StandInComfyUI, server_factory

CHECKPOINT = "studio-tiny.safetensors"
SIZE = 64
@pytest.fixture(scope="session")
def tiny_file(data_dir: Path) -> Path:
    """The servers' checkpoint as a local file: registered, its header proves the link."""
    return write_checkpoint(data_dir / CHECKPOINT, TINY_HEADER)


@pytest.fixture(scope="session")
def data_dir(generator_data_dir: Path) -> Path:
    return generator_data_dir


@pytest.fixture(scope="session")
def tiny(data_dir: Path) -> ModelRef:
    return builtin_model_ref(data_dir)


@pytest.fixture
def make_server(tmp_path: Path, generator: DiffusersGenerator, tiny: ModelRef,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., StandInComfyUI]]:
    # ComfyUI sends a preview at every step; the local engine behind the stand-in throttles its own by time.
    monkeypatch.setattr(generator, "preview_interval_s", 0.0)
    with server_factory(tmp_path, generator, {CHECKPOINT: tiny}, {CHECKPOINT: TINY_HEADER}) as make:
        yield make


@pytest.fixture
def studio(tmp_path: Path, data_dir: Path) -> Iterator[Studio]:
    s = Studio(Library.open(tmp_path / "lib"), data_folder=data_dir)
    yield s
    s.close()


@pytest.fixture
def linked(studio: Studio, tiny_file: Path) -> Callable[[StandInComfyUI], None]:
    """Register the servers' checkpoint file here and link it (the server's header is the file's: proven)."""

    def link(server: StandInComfyUI, name: str = "box") -> None:
        studio.models.add(tiny_file, name=LINKED_MODEL, license_id="cc0-1.0")
        _model, known_by = studio.engines.link(name, CHECKPOINT, model=LINKED_MODEL)
        assert known_by == "hash"

    return link


@pytest.fixture(scope="session")
def parent_images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parents")
    ramp = np.linspace(0, 255, SIZE, dtype=np.float64)
    paths = []
    for n, channel in enumerate((0, 1, 2)):
        pixels = np.zeros((SIZE, SIZE, 3))
        pixels[..., channel] = ramp[None, :]
        pixels[..., (channel + 1) % 3] = ramp[:, None]
        path = folder / f"parent{n}.png"
        Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def mask_image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mask") / "mask.png"
    mask = Image.new("L", (SIZE, SIZE), 0)
    mask.paste(255, (16, 16, 48, 48))
    mask.save(path)
    return path
