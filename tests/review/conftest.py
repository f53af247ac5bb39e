"""Fixtures for review and export: a real library (on each engine), the report tests' lineage builder, and signing
keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.services.studio import Studio
from tests.helpers.engines import engine, library_address  # noqa: F401

# The lineage builder is shared with the report tests.
from tests.helpers.report_lineage import builder  # noqa: F401
from tests.helpers.signing_keys import keys_fixture  # noqa: F401


@pytest.fixture
def studio(library_address: Path | str) -> Iterator[Studio]:
    """Approvals and their voiding are rows of the library: the review tests run on SQLite and on PostgreSQL."""
    opened = Studio.open(library_address)
    yield opened
    opened.close()
