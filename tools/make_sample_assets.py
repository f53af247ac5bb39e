"""Draws the sample works in assets/samples/ (deterministic; run once, the outputs are committed).

The images are the project's own: procedural drawings made here, so the demo needs no downloads.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps

OUT = Path(__file__).resolve().parent.parent / "assets" / "samples"
SIZE = 256


def gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE))
    draw = ImageDraw.Draw(image)
    for y in range(SIZE):
        t = y / (SIZE - 1)
        draw.line([(0, y), (SIZE, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return image


def tidepool_dawn() -> Image.Image:
    image = gradient((255, 196, 140), (40, 90, 150))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse([88, 40, 168, 120], fill=(255, 236, 180, 230))
    for band in range(9):
        y = 140 + band * 13
        points = [(x, y + 6 * math.sin(x / 18 + band)) for x in range(0, SIZE + 8, 8)]
        draw.line(points, fill=(230, 240, 255, 120 - band * 8), width=3)
    rng = random.Random(7)
    for _ in range(40):
        x, y, r = rng.randrange(SIZE), rng.randrange(150, SIZE), rng.randrange(2, 6)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 255, 255, 90))
    return image.filter(ImageFilter.SMOOTH)


def noon_from(parent: Image.Image) -> Image.Image:
    bright = ImageEnhance.Color(ImageEnhance.Brightness(parent).enhance(1.25)).enhance(1.4)
    overlay = Image.new("RGB", bright.size, (60, 180, 220))
    image = Image.blend(bright, overlay, 0.25)
    draw = ImageDraw.Draw(image, "RGBA")
    for i in range(6):
        draw.polygon([(20 + i * 40, 250), (40 + i * 40, 150 - i * 5), (60 + i * 40, 250)], fill=(30, 120, 90, 140))
    return image


def night_from(parent: Image.Image) -> Image.Image:
    dark = ImageEnhance.Brightness(ImageOps.invert(parent)).enhance(0.55)
    tint = Image.new("RGB", dark.size, (20, 20, 80))
    image = ImageChops.add(dark, tint)
    draw = ImageDraw.Draw(image, "RGBA")
    rng = random.Random(11)
    for _ in range(70):
        x, y = rng.randrange(SIZE), rng.randrange(110)
        draw.point((x, y), fill=(255, 255, 230, 255))
    draw.ellipse([180, 24, 220, 64], fill=(250, 250, 210, 255))
    return image


def lantern_study() -> Image.Image:
    image = gradient((25, 20, 40), (70, 40, 60))
    draw = ImageDraw.Draw(image, "RGBA")
    for i, (x, y) in enumerate([(60, 90), (128, 70), (196, 100), (95, 170), (165, 180)]):
        for r in range(46, 0, -6):
            draw.ellipse([x - r, y - r, x + r, y + r], fill=(255, 170 + i * 12, 60, 18))
        draw.rounded_rectangle([x - 12, y - 18, x + 12, y + 18], radius=6, fill=(255, 200, 90, 255))
    return image


def quiet_grid() -> Image.Image:
    image = Image.new("RGB", (SIZE, SIZE), (236, 232, 222))
    draw = ImageDraw.Draw(image)
    rng = random.Random(3)
    palette = [(200, 60, 50), (40, 70, 140), (230, 190, 60), (30, 30, 30)]
    for gx in range(0, SIZE, 32):
        for gy in range(0, SIZE, 32):
            if rng.random() < 0.35:
                draw.rectangle([gx + 3, gy + 3, gx + 29, gy + 29], fill=rng.choice(palette))
            draw.rectangle([gx, gy, gx + 32, gy + 32], outline=(20, 20, 20), width=2)
    return image


def street_poster() -> Image.Image:
    image = gradient((250, 80, 90), (250, 200, 60))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.line([(0, i * 24), (SIZE, i * 24 + 60)], fill=(255, 255, 255), width=4)
    draw.ellipse([68, 68, 188, 188], fill=(20, 20, 20))
    draw.ellipse([98, 98, 158, 158], fill=(250, 240, 220))
    return image


def moss_pattern() -> Image.Image:
    rng = random.Random(5)
    image = Image.new("RGB", (SIZE, SIZE), (40, 70, 40))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(900):
        x, y, r = rng.randrange(SIZE), rng.randrange(SIZE), rng.randrange(2, 9)
        g = rng.randrange(110, 220)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(g // 2, g, g // 3, 120))
    return image.filter(ImageFilter.GaussianBlur(0.8))


def brass_portrait() -> Image.Image:
    image = gradient((60, 40, 20), (140, 100, 40))
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse([78, 40, 178, 160], fill=(210, 170, 90, 255))
    draw.rectangle([98, 150, 158, 256], fill=(180, 140, 70, 255))
    draw.arc([100, 80, 156, 130], 20, 160, fill=(90, 60, 20), width=4)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    dawn = tidepool_dawn()
    noon = noon_from(dawn)
    night = night_from(noon)
    dawn.save(OUT / "tidepool-dawn.png", optimize=True)
    noon.save(OUT / "tidepool-noon.png", optimize=True)
    night.save(OUT / "tidepool-night.webp", quality=90, method=6)
    lantern_study().save(OUT / "lantern-study.jpg", quality=88)
    quiet_grid().save(OUT / "quiet-grid.png", optimize=True)
    street_poster().save(OUT / "street-poster.jpg", quality=88)
    moss_pattern().save(OUT / "moss-pattern.webp", quality=85, method=6)
    brass_portrait().save(OUT / "brass-portrait.png", optimize=True)


if __name__ == "__main__":
    main()
