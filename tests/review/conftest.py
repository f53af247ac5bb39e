"""Fixtures for review and export: a real library, the report tests' lineage builder, and signing keys."""

from __future__ import annotations

import sys
from pathlib import Path

# The lineage builder is shared with the report tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))

from report_lineage import builder, studio  # noqa: F401
from signing_keys import keys_fixture  # noqa: F401
