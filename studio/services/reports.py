"""Lineage reports as files: rendered to HTML (ancestry drawn, thumbnails inlined) or JSON, and the fingerprint
read back from a saved one (what a reviewer's decision is bound to)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PIL import Image

from studio.core.types import Work, WorkKind
from studio.errors import InvalidInput
from studio.report import FINGERPRINT_META, LineageReport, draw_lineage, fingerprint, render_html, report_json
from studio.report.graph_image import COMPACT_ABOVE

GRAPH_THUMB = 160
TABLE_THUMB = 112
MAX_REPORT_FILE = 256 * 1024 * 1024

Format = Literal["html", "json"]
Thumbnail = Callable[[Work, int], "Path | None"]  # a work's thumbnail file of a size, if it has one
_FINGERPRINT = re.compile(rf'<meta name="{FINGERPRINT_META}" content="([0-9a-f]{{64}})"')


@dataclass(frozen=True)
class RenderedReport:
    report: LineageReport
    text: str
    format: Format
    fingerprint: str


def check_format(fmt: str) -> Format:
    if fmt not in ("html", "json"):
        raise InvalidInput(f"unknown report format {fmt!r}", hint="use html or json")
    return fmt  # type: ignore[return-value]


def render(report: LineageReport, fmt: Format, works: Mapping[str, Work], thumbnail: Thumbnail) -> RenderedReport:
    """The report as text; `works` holds the works it shows, `thumbnail` finds their pictures."""
    if fmt == "json":
        text = report_json(report)
    else:
        graph_thumbs = (
            {wid: img for wid, w in works.items() if (img := _thumbnail_image(thumbnail, w)) is not None}
            if len(report.nodes) <= COMPACT_ABOVE
            else {}
        )
        table_thumbs = {wid: png for wid, w in works.items() if (png := _thumbnail_png(thumbnail, w)) is not None}
        text = render_html(report, draw_lineage(report, graph_thumbs), table_thumbs)
    return RenderedReport(report, text, fmt, fingerprint(report))


def report_fingerprint_in(path: Path) -> str:
    """The fingerprint recorded in a saved report (HTML or JSON)."""
    try:
        if path.stat().st_size > MAX_REPORT_FILE:
            raise InvalidInput(f"{path} is too large to be a Remix Studio report")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(
            f"cannot read the report {path}", hint="give the HTML or JSON file `studio report` wrote"
        ) from None
    found: Any = None
    if text.lstrip().startswith("{"):
        try:
            found = json.loads(text).get("fingerprint")
        except (ValueError, AttributeError):
            found = None
    else:
        match = _FINGERPRINT.search(text)
        found = match.group(1) if match else None
    if not isinstance(found, str) or not re.fullmatch(r"[0-9a-f]{64}", found):
        raise InvalidInput(
            f"{path} is not a Remix Studio report", hint="write one with `studio report ID --output FILE`"
        )
    return found


def _thumbnail(thumbnail: Thumbnail, work: Work, size: int) -> Path | None:
    if work.kind is not WorkKind.image or not work.file_path:
        return None
    try:
        return thumbnail(work, size)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or damaged file shows as an empty box, not a failed report


def _thumbnail_image(thumbnail: Thumbnail, work: Work) -> Image.Image | None:
    path = _thumbnail(thumbnail, work, GRAPH_THUMB)
    if path is None:
        return None
    with Image.open(path) as image:
        image.load()
        return image.copy()


def _thumbnail_png(thumbnail: Thumbnail, work: Work) -> bytes | None:
    path = _thumbnail(thumbnail, work, TABLE_THUMB)
    return path.read_bytes() if path is not None else None
