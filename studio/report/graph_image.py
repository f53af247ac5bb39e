"""The ancestry drawn as a PNG with Pillow: thumbnails as nodes, one band per generation, labelled edges.

Parents sit above their children (a work's generation is its longest path to the reported work), so every edge
points down. Within a band, works are ordered by where their children are, which keeps most edges uncrossed.
Large ancestries switch to small text-only boxes and wrap long bands; a very deep one is drawn from the reported
work up to as many generations as fit MAX_HEIGHT, and the picture says how many older works it leaves out.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
MAX_HEIGHT = 8000
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
    left_out = len(report.nodes)
    report = _nearest_generations(report, compact)
    left_out -= len(report.nodes)
    boxes, rows, width, height = layout(report, compact)
    routes, width = _routes(report, boxes, rows, width)
    canvas = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    _legend(draw)
    if left_out:
        note = f"{left_out} older works are not drawn: see the table"
        draw.text((MARGIN, MARGIN + 12), note, fill=FLAGGED, font=_font(13))
    for route in routes.values():
        _edge(draw, route.points)
    for link in report.links:
        route = routes[(link.parent_id, link.child_id)]
        label = link.relation + (f" {link.weight:g}" if link.weight is not None else "")
        _edge_label(draw, route.label_at, label, route.label_anchor)
    for node in report.nodes:
        _node(canvas, draw, node, boxes[node.id], None if compact else thumbnails.get(node.id), node is report.subject)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return out.getvalue()


def _per_row(compact: bool) -> int:
    node_w = (COMPACT if compact else FULL)[0]
    return max(1, (MAX_WIDTH - 2 * MARGIN + GAP_X) // (node_w + GAP_X))


def _nearest_generations(report: LineageReport, compact: bool) -> LineageReport:
    """The report cut to the generations nearest the reported work that fit MAX_HEIGHT."""
    node_h = (COMPACT if compact else FULL)[1]
    sizes = Counter(n.generation for n in report.nodes)
    height = 2 * MARGIN + LEGEND_H - GAP_Y
    deepest = -1
    for generation in range(max(sizes) + 1):
        height += math.ceil(sizes[generation] / _per_row(compact)) * (node_h + GAP_Y)
        if height > MAX_HEIGHT and deepest >= 0:
            break
        deepest = generation
    kept = {n.id for n in report.nodes if n.generation <= deepest}
    if len(kept) == len(report.nodes):
        return report
    return replace(
        report,
        nodes=tuple(n for n in report.nodes if n.id in kept),
        links=tuple(link for link in report.links if link.parent_id in kept and link.child_id in kept),
    )


def layout(report: LineageReport, compact: bool) -> tuple[dict[str, Box], list[list[str]], int, int]:
    """Boxes per work, the rows from top to bottom, and the size of the picture before edge lanes."""
    node_w, node_h = COMPACT if compact else FULL
    per_row = _per_row(compact)
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
    return boxes, rows, width, height


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
LANE_GAP = 16


@dataclass(frozen=True)
class Route:
    points: tuple[Point, ...]
    label_at: Point
    label_anchor: str  # Pillow text anchor: "mm" centred on the edge, "lm" to the right of a lane


def _routes(
    report: LineageReport, boxes: Mapping[str, Box], rows: Sequence[Sequence[str]], width: int
) -> tuple[dict[tuple[str, str], Route], int]:
    """Each edge's path, and the picture's width with room for lanes.

    An edge to the next row is straight. An edge that skips rows (a model used by every generation of a chain)
    would cross the boxes between, so it runs down a lane of its own to the right of those rows.
    """
    row_of = {work_id: index for index, row in enumerate(rows) for work_id in row}
    right = [max(boxes[w].x + boxes[w].w for w in row) for row in rows]
    lanes: dict[tuple[str, str], float] = {}
    long_links = sorted(
        (link for link in report.links if row_of[link.child_id] - row_of[link.parent_id] > 1),
        key=lambda link: (row_of[link.child_id] - row_of[link.parent_id], link.parent_id, link.child_id),
    )
    for count, link in enumerate(long_links):
        between = right[row_of[link.parent_id] + 1 : row_of[link.child_id]]
        lanes[(link.parent_id, link.child_id)] = max(between) + 2 * LANE_GAP + count * LANE_GAP
    toward_child = {
        (link.parent_id, link.child_id): lanes.get((link.parent_id, link.child_id), boxes[link.child_id].center_x)
        for link in report.links
    }
    toward_parent = {
        (link.parent_id, link.child_id): lanes.get((link.parent_id, link.child_id), boxes[link.parent_id].center_x)
        for link in report.links
    }
    starts = _spread(report, boxes, toward_child, by_parent=True)
    ends = _spread(report, boxes, toward_parent, by_parent=False)
    fan_in = Counter(link.child_id for link in report.links)
    fan_out = Counter(link.parent_id for link in report.links)
    routes: dict[tuple[str, str], Route] = {}
    needed = width
    for link in report.links:
        key = (link.parent_id, link.child_id)
        start, end = starts[key], ends[key]
        lane = lanes.get(key)
        if lane is None:
            # Labels sit where their edges are furthest apart: near the parents when edges converge on a child.
            at = 0.3 if fan_in[link.child_id] > fan_out[link.parent_id] else 0.7
            middle = (start[0] + (end[0] - start[0]) * at, start[1] + (end[1] - start[1]) * at)
            routes[key] = Route((start, end), middle, "mm")
            continue
        top, bottom = (lane, start[1] + GAP_Y * 0.45), (lane, end[1] - GAP_Y * 0.45)
        label_at = (lane + 6, (top[1] + bottom[1]) / 2)
        routes[key] = Route((start, top, bottom, end), label_at, "lm")
        needed = max(needed, int(lane) + 150 + MARGIN)
    return routes, needed


def _spread(
    report: LineageReport, boxes: Mapping[str, Box], heading: Mapping[tuple[str, str], float], *, by_parent: bool
) -> dict[tuple[str, str], Point]:
    """Where edges leave a parent's bottom (or enter a child's top), ordered by where they head, kept apart."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for link in report.links:
        key = (link.parent_id, link.child_id)
        groups.setdefault(link.parent_id if by_parent else link.child_id, []).append(key)
    points = {}
    for work_id, keys in groups.items():
        box = boxes[work_id]
        y = box.y + box.h if by_parent else box.y
        for index, key in enumerate(sorted(keys, key=lambda k: (heading[k], k))):
            points[key] = (box.x + box.w * (index + 1) / (len(keys) + 1), y)
    return points


def _edge(draw: ImageDraw.ImageDraw, points: Sequence[Point]) -> None:
    draw.line(points, fill=EDGE, width=2, joint="curve")
    (x0, y0), end = points[-2], points[-1]
    dx, dy = end[0] - x0, end[1] - y0
    length = max(1.0, (dx * dx + dy * dy) ** 0.5)
    ux, uy = dx / length, dy / length
    base = (end[0] - 12 * ux, end[1] - 12 * uy)
    left = (base[0] - 6 * uy, base[1] + 6 * ux)
    right = (base[0] + 6 * uy, base[1] - 6 * ux)
    draw.polygon((end, left, right), fill=EDGE)


def _edge_label(draw: ImageDraw.ImageDraw, at: Point, label: str, anchor: str) -> None:
    font = _font(12)
    width = draw.textlength(label, font=font)
    left = at[0] - width / 2 if anchor == "mm" else at[0]
    box = (left - 5, at[1] - 9, left + width + 5, at[1] + 9)
    draw.rounded_rectangle(box, radius=6, fill=(255, 255, 255), outline=EDGE)
    draw.text((left + width / 2, at[1]), label, fill=TEXT, font=font, anchor="mm")


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
