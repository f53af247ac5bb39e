"""The report as JSON, and its fingerprint: the sha256 a reviewer's decision is bound to.

The fingerprint covers everything the report states about the lineage and its compliance, but not when it was
written nor the approval state shown in it (approving must not change what was approved).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from studio.report.model import LineageReport

FORMAT_VERSION = 1
_VOLATILE = ("generated_at", "review")


def report_dict(report: LineageReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    for node, raw in zip(report.nodes, data["nodes"], strict=True):
        raw["ip_id"] = node.ip_id
    return {"format": "remix-studio.lineage-report", "version": FORMAT_VERSION, **data}


def fingerprint(report: LineageReport) -> str:
    data = {k: v for k, v in report_dict(report).items() if k not in _VOLATILE}
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_json(report: LineageReport) -> str:
    return json.dumps({**report_dict(report), "fingerprint": fingerprint(report)}, indent=2, ensure_ascii=False) + "\n"
