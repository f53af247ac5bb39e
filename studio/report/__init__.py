"""Lineage and compliance reports: the values (`model`), how they are built from library data (`build`), and
their renderings: a PNG of the ancestry (`graph_image`), JSON (`serialize`) and a self-contained HTML page (`html`).
"""

from __future__ import annotations

from studio.report.build import ReportInputs, build_report
from studio.report.graph_image import draw_lineage
from studio.report.html import FINGERPRINT_META, render_html
from studio.report.model import (
    CredentialsVerdict,
    Credit,
    Duty,
    LicenseSummary,
    LineageReport,
    Link,
    Node,
    Problem,
    Publication,
    ReviewNote,
    RoyaltyTable,
    Share,
)
from studio.report.serialize import fingerprint, report_dict, report_json

__all__ = [
    "FINGERPRINT_META",
    "CredentialsVerdict",
    "Credit",
    "Duty",
    "LicenseSummary",
    "LineageReport",
    "Link",
    "Node",
    "Problem",
    "Publication",
    "ReportInputs",
    "ReviewNote",
    "RoyaltyTable",
    "Share",
    "build_report",
    "draw_lineage",
    "fingerprint",
    "render_html",
    "report_dict",
    "report_json",
]
