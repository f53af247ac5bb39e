"""The ancestry drawn as a PNG with Pillow: thumbnails as nodes, one band per generation, labelled edges.

Parents sit above their children (a work's generation is its longest path to the reported work), so every edge
points down. Within a band, works are ordered by where their children are, which keeps most edges uncrossed.
Large ancestries switch to small text-only boxes and wrap long bands, so the picture stays a sane size.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from studio.report.model import LineageReport, Node

MARGIN = 24
GAP_X, GAP_Y = 28, 84
FULL = (176, 212)
COMPACT = (150, 66)
THUMB = (156, 112)
COMPACT_ABOVE = 40  # works; beyond this the boxes lose their thumbnails
MAX_WIDTH = 3600
LEGEND_H = 34

BACKGROUND = (250, 250, 247)
EDGE = (128, 134, 144)
TEXT = (33, 37, 41)
MUTED = (95, 101, 110)
FILL = {"image": (255, 255, 255), "model": (240, 232, 252), "lora": (226, 244, 240)}
BORDER = (120, 124, 130)
SUBJECT = (31, 95, 191)
FLAGGED = (198, 40, 40)
ON_STORY = (27, 122, 62)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def center_x(self) -> int:
        return self.x + self.w // 2


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw_lineage(report: LineageReport, thumbnails: Mapping[str, Image.Image]) -> bytes:
    """The report's ancestry as PNG bytes; `thumbnails` holds an image per work id where one exists."""
    compact = len(report.nodes) > COMPACT_ABOVE
    boxes, width, height = layout(report, compact)
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    _legend(draw)
    ends = _edge_ends(report, boxes)
    for start, end in ends.values():
        _edge(draw, start, end)
    fan_in = Counter(link.child_id for link in report.links)
    fan_out = Counter(link.parent_id for link in report.links)
    for link in report.links:
        label = link.relation + (f" {link.weight:g}" if link.weight is not None else "")
        # Labels sit where their edges are furthest apart: near the parents when edges converge on a child.
        near_parent = fan_in[link.child_id] > fan_out[link.parent_id]
        start, end = ends[(link.parent_id, link.child_id)]
        _edge_label(draw, start, end, label, 0.3 if near_parent else 0.7)
    for node in report.nodes:
        _node(canvas, draw, node, boxes[node.id], None if compact else thumbnails.get(node.id), node is report.subject)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def layout(report: LineageReport, compact: bool) -> tuple[dict[str, Box], int, int]:
    node_w, node_h = COMPACT if compact else FULL
    per_row = max(1, (MAX_WIDTH - 2 * MARGIN + GAP_X) // (node_w + GAP_X))
    bands = _ordered_bands(report)
    rows = [band[i : i + per_row] for band in reversed(bands) for i in range(0, len(band), per_row)]
    widest = max(len(row) for row in rows)
    width = max(640, 2 * MARGIN + widest * node_w + (widest - 1) * GAP_X)
    height = 2 * MARGIN + LEGEND_H + len(rows) * node_h + (len(rows) - 1) * GAP_Y
    boxes: dict[str, Box] = {}
    y = MARGIN + LEGEND_H
    for row in rows:
        row_width = len(row) * node_w + (len(row) - 1) * GAP_X
        x = (width - row_width) // 2
        for work_id in row:
            boxes[work_id] = Box(x, y, node_w, node_h)
            x += node_w + GAP_X
        y += node_h + GAP_Y
    return boxes, width, height


def _ordered_bands(report: LineageReport) -> list[list[str]]:
    """Works per generation (0 = the reported work), each band ordered by the mean position of its children."""
    deepest = max(n.generation for n in report.nodes)
    bands: list[list[Node]] = [[] for _ in range(deepest + 1)]
    for node in report.nodes:
        bands[node.generation].append(node)
    children: dict[str, list[str]] = {}
    for link in report.links:
        children.setdefault(link.parent_id, []).append(link.child_id)
    position: dict[str, float] = {}
    ordered: list[list[str]] = []
    for band in bands:

        def key(node: Node) -> tuple[float, str, str]:
            placed = [position[c] for c in children.get(node.id, ()) if c in position]
            return (sum(placed) / len(placed) if placed else 0.5, node.title.lower(), node.id)

        ids = [n.id for n in sorted(band, key=key)]
        for index, work_id in enumerate(ids):
            position[work_id] = (index + 0.5) / len(ids)
        ordered.append(ids)
    return ordered


def _legend(draw: ImageDraw.ImageDraw) -> None:
    x = MARGIN
    entries = [
        ("this work", FILL["image"], SUBJECT),
        ("flagged", FILL["image"], FLAGGED),
        ("model", FILL["model"], BORDER),
        ("LoRA", FILL["lora"], BORDER),
    ]
    for label, fill, outline in entries:
        draw.rectangle((x, MARGIN - 8, x + 18, MARGIN + 6), fill=fill, outline=outline, width=3)
        draw.text((x + 24, MARGIN - 8), label, fill=MUTED, font=_font(13))
        x += 34 + int(draw.textlength(label, font=_font(13))) + 16


Point = tuple[float, float]


def _edge_ends(report: LineageReport, boxes: Mapping[str, Box]) -> dict[tuple[str, str], tuple[Point, Point]]:
    """Where each edge leaves its parent's bottom and enters its child's top, spread so arrows stay apart."""
    leaving: dict[str, list[str]] = {}
    entering: dict[str, list[str]] = {}
    for link in report.links:
        leaving.setdefault(link.parent_id, []).append(link.child_id)
        entering.setdefault(link.child_id, []).append(link.parent_id)

    def spread(box: Box, others: list[str], other: str) -> float:
        ordered = sorted(others, key=lambda o: (boxes[o].center_x, o))
        return box.x + box.w * (ordered.index(other) + 1) / (len(ordered) + 1)

    ends = {}
    for link in report.links:
        parent, child = boxes[link.parent_id], boxes[link.child_id]
        start = (spread(parent, leaving[link.parent_id], link.child_id), parent.y + parent.h)
        end = (spread(child, entering[link.child_id], link.parent_id), child.y)
        ends[(link.parent_id, link.child_id)] = (start, end)
    return ends


def _edge(draw: ImageDraw.ImageDraw, start: Point, end: Point) -> None:
    draw.line((start, end), fill=EDGE, width=2)
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = max(1.0, (dx * dx + dy * dy) ** 0.5)
    ux, uy = dx / length, dy / length
    tip = end
    base = (end[0] - 12 * ux, end[1] - 12 * uy)
    left = (base[0] - 6 * uy, base[1] + 6 * ux)
    right = (base[0] + 6 * uy, base[1] - 6 * ux)
    draw.polygon((tip, left, right), fill=EDGE)


def _edge_label(draw: ImageDraw.ImageDraw, start: Point, end: Point, label: str, at: float) -> None:
    font = _font(12)
    cx = start[0] + (end[0] - start[0]) * at
    cy = start[1] + (end[1] - start[1]) * at
    width = draw.textlength(label, font=font)
    box = (cx - width / 2 - 5, cy - 9, cx + width / 2 + 5, cy + 9)
    draw.rounded_rectangle(box, radius=6, fill=(255, 255, 255), outline=EDGE)
    draw.text((cx, cy), label, fill=TEXT, font=font, anchor="mm")


def _node(
    canvas: Image.Image,
    draw: ImageDraw.ImageDraw,
    node: Node,
    box: Box,
    thumbnail: Image.Image | None,
    is_subject: bool,
) -> None:
    flagged = bool(node.flags)
    outline = FLAGGED if flagged else SUBJECT if is_subject else BORDER
    width = 4 if flagged or is_subject else 2
    draw.rounded_rectangle(
        (box.x, box.y, box.x + box.w, box.y + box.h),
        radius=8,
        fill=FILL.get(node.kind, FILL["image"]),
        outline=outline,
        width=width,
    )
    y = box.y + 10
    if box.h >= FULL[1]:
        _thumbnail_area(canvas, draw, node, box, thumbnail)
        y = box.y + 10 + THUMB[1] + 8
    lines: list[tuple[str, tuple[int, int, int], int]] = [(node.title, TEXT, 14)]
    if box.h >= FULL[1]:
        lines.append((f"by {node.creator}" if node.creator else "creator unknown", MUTED, 12))
    lines.append((node.license.id, MUTED, 12))
    if box.h >= FULL[1]:
        lines.append(("on Story" if node.ip_id else "not on Story", ON_STORY if node.ip_id else MUTED, 12))
    for text, color, size in lines:
        font = _font(size)
        draw.text((box.x + 10, y), _fit(draw, text, font, box.w - 20), fill=color, font=font)
        y += size + 5
    badges = (["THIS WORK"] if is_subject else []) + (["FLAGGED"] if flagged else [])
    _badges(draw, box, badges)


def _thumbnail_area(
    canvas: Image.Image, draw: ImageDraw.ImageDraw, node: Node, box: Box, thumbnail: Image.Image | None
) -> None:
    area = (box.x + 10, box.y + 10, box.x + 10 + THUMB[0], box.y + 10 + THUMB[1])
    if thumbnail is None:
        draw.rectangle(area, fill=(236, 237, 240))
        label = {"model": "MODEL", "lora": "LoRA"}.get(node.kind, "no image")
        draw.text(((area[0] + area[2]) / 2, (area[1] + area[3]) / 2), label, fill=MUTED, font=_font(16), anchor="mm")
        return
    image = thumbnail.copy()
    image.thumbnail(THUMB, Image.Resampling.LANCZOS)
    image = image.convert("RGBA")
    x = area[0] + (THUMB[0] - image.width) // 2
    y = area[1] + (THUMB[1] - image.height) // 2
    canvas.paste(image, (x, y), image)


def _badges(draw: ImageDraw.ImageDraw, box: Box, badges: Sequence[str]) -> None:
    font = _font(11)
    x = box.x + box.w - 6
    for text in badges:
        width = draw.textlength(text, font=font)
        color = FLAGGED if text == "FLAGGED" else SUBJECT
        draw.rounded_rectangle((x - width - 10, box.y - 9, x, box.y + 9), radius=5, fill=color)
        draw.text((x - width / 2 - 5, box.y), text, fill=(255, 255, 255), font=font, anchor="mm")
        x -= width + 16


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont, room: int) -> str:
    text = " ".join(text.split())
    if draw.textlength(text, font=font) <= room:
        return text
    while text and draw.textlength(text + "…", font=font) > room:
        text = text[:-1]
    return text + "…"
