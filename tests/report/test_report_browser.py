"""The HTML report in a real browser: headless Chromium renders it to a screenshot that shows the report."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PIL import Image

from tests.helpers.report_lineage import MixedLineage

REPO = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("screenshot_report", REPO / "tools" / "screenshot_report.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _near(pixel: tuple[int, int, int], color: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, color, strict=True))


def test_chromium_renders_the_report(studio, mixed: MixedLineage, tmp_path: Path):
    page = tmp_path / "report.html"
    studio.review.write_report(mixed.final.id, page)
    shot = tmp_path / "shot.png"
    _tool().chromium_screenshot(page, shot)

    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2000)
    small = image.resize((320, 500))
    colors = small.getcolors(320 * 500)
    assert colors is not None and len(colors) > 200, "the screenshot is blank or nearly so"
    background = max(colors)[1]
    assert _near(background, (246, 246, 243))  # the page's own background: the stylesheet was applied
    inked = sum(n for n, rgb in colors if not _near(rgb, background, 6))
    assert inked > 0.15 * 320 * 500
    # The verdict pills and the subject's blue outline in the lineage picture are on screen.
    assert any(_near(rgb, (248, 220, 220), 4) for _, rgb in colors)  # "may be published: no"
    assert any(_near(rgb, (31, 95, 191), 20) for _, rgb in colors)
