"""The one local diffusers engine of a test run, shared by the engine's own tests and by the stand-in ComfyUI
servers, so the built-in tiny model is built and its pipelines loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.generate import DiffusersGenerator


@pytest.fixture(scope="session")
def generator_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generator-data")


@pytest.fixture(scope="session")
def generator(generator_data_dir: Path) -> DiffusersGenerator:
    import torch

    torch.set_num_threads(1)  # the tests share two cores; more threads only contend
    return DiffusersGenerator(generator_data_dir, max_cached_models=4)
