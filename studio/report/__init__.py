"""Lineage and compliance reports: the values (`model`), how they are built from library data (`build`), and
their renderings: a PNG of the ancestry (`graph_image`), JSON (`serialize`) and a self-contained HTML page (`html`).
"""

from __future__ import annotations

from studio.report.build import ReportInputs, build_report
from studio.report.graph_image import draw_lineage
from studio.report.html import FINGERPRINT_META, render_html
from studio.report.model import LineageReport, ReviewNote
from studio.report.serialize import fingerprint, report_dict, report_json

# The report's parts (nodes, links, credits, duties, royalty tables...) are read from `studio.report.model`.
__all__ = [
    "FINGERPRINT_META",
    "LineageReport",
    "ReportInputs",
    "ReviewNote",
    "build_report",
    "draw_lineage",
    "fingerprint",
    "render_html",
    "report_dict",
    "report_json",
]
