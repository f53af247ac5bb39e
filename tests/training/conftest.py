"""The OpenMoji dataset, rendered once per test session from the pinned npm package (about 10 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.generate.training import openmoji_data


@pytest.fixture(scope="session")
def openmoji_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return openmoji_data.build_dataset(openmoji_data.default_package_dir(), tmp_path_factory.mktemp("openmoji"))
