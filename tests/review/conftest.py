"""Fixtures for review and export: a real library, the report tests' lineage builder, and signing keys."""

from __future__ import annotations

# The lineage builder is shared with the report tests.
from tests.helpers.report_lineage import builder, studio  # noqa: F401
from tests.helpers.signing_keys import keys_fixture  # noqa: F401
