"""The built-in model's training data: OpenMoji 17's colour emoji, rendered once into a small, hashed dataset.

The npm package `openmoji@17.0.0` holds 4,495 colour SVGs and `data/openmoji.json` (annotation, tags, group,
subgroups, author per emoji; all CC BY-SA 4.0). `build_dataset` renders every SVG with resvg-py (a self-contained
wheel: no system Cairo, identical pixels on every machine with the same wheel) to 64×64 RGB on white, in hexcode
order, and writes two files: `openmoji-64.npz` (the uint8 images, compressed) and `openmoji-64.json` (the
manifest: per emoji its hexcode, the sha256 of its SVG bytes, annotation, tags, group, subgroup, author and
license, plus the images' sha256). 64 px keeps every emoji recognisable while a whole training run fits in
minutes; the file stays about 10 MB. No torch here.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from studio.errors import InvalidInput, NotFound

OPENMOJI_VERSION = "17.0.0"
OPENMOJI_LICENSE = "CC-BY-SA-4.0"
IMAGE_SIZE = 64
DATASET_STEM = f"openmoji-{IMAGE_SIZE}"
HOLDOUT_COUNT = 100
# Held-out prompts come from the model's domain; flags, brand logos and Unicode extras are outside it, and
# skin-tone variants would make the held-out set mostly copies of one hand.
HOLDOUT_GROUPS = frozenset({
    "smileys-emotion", "people-body", "animals-nature", "food-drink", "travel-places", "activities", "objects",
    "symbols",
})
REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Emoji:
    hexcode: str
    svg_sha256: str
    annotation: str
    group: str
    subgroup: str
    tags: tuple[str, ...]
    openmoji_tags: tuple[str, ...]
    author: str
    skintone: str
    license: str = OPENMOJI_LICENSE


def default_package_dir() -> Path:
    return REPO_ROOT / "node_modules" / "openmoji"


def check_package(package_dir: Path) -> Path:
    """The openmoji package folder, refusing anything but version 17.0.0 with its data and SVGs."""
    meta = package_dir / "package.json"
    if not meta.is_file():
        raise NotFound(f"No OpenMoji package at {package_dir}", hint="run `make node` (npm install) first")
    version = json.loads(meta.read_text(encoding="utf-8")).get("version")
    if version != OPENMOJI_VERSION:
        raise InvalidInput(f"OpenMoji {version} found at {package_dir}; the built-in model is trained on "
                           f"{OPENMOJI_VERSION}", hint="run `make node` to install the pinned version")
    return package_dir


def read_emoji(package_dir: Path) -> list[Emoji]:
    """Every colour emoji of the package, sorted by hexcode, with the sha256 of its SVG file."""
    package_dir = check_package(package_dir)
    rows = json.loads((package_dir / "data" / "openmoji.json").read_text(encoding="utf-8"))
    emoji = []
    for row in sorted(rows, key=lambda r: r["hexcode"]):
        svg = package_dir / "color" / "svg" / f"{row['hexcode']}.svg"
        emoji.append(Emoji(
            hexcode=row["hexcode"],
            svg_sha256=hashlib.sha256(svg.read_bytes()).hexdigest(),
            annotation=row["annotation"].strip(),
            group=row["group"],
            subgroup=row["subgroups"],
            tags=_split_tags(row.get("tags", "")),
            openmoji_tags=_split_tags(row.get("openmoji_tags", "")),
            author=row.get("openmoji_author") or "OpenMoji",
            skintone=row.get("skintone") or "",
        ))
    return emoji


def render_svg(svg_text: str, size: int = IMAGE_SIZE) -> np.ndarray:
    """One SVG as a size×size×3 uint8 array on white."""
    import resvg_py

    png = resvg_py.svg_to_bytes(svg_string=svg_text, width=size, height=size, background="#ffffff",
                                skip_system_fonts=True)
    with Image.open(io.BytesIO(bytes(png))) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def build_dataset(package_dir: Path, out_dir: Path, size: int = IMAGE_SIZE) -> Path:
    """Render the package into `out_dir` (npz + manifest json); returns the manifest's path."""
    emoji = read_emoji(package_dir)
    svg_dir = package_dir / "color" / "svg"
    images = np.stack([render_svg((svg_dir / f"{e.hexcode}.svg").read_text(encoding="utf-8"), size) for e in emoji])
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"openmoji-{size}"
    np.savez_compressed(out_dir / f"{stem}.npz", images=images)
    manifest = {
        "source": f"npm:openmoji@{OPENMOJI_VERSION}",
        "license": OPENMOJI_LICENSE,
        "renderer": f"resvg-py {version('resvg-py')}",
        "image_size": size,
        "count": len(emoji),
        "images_sha256": hashlib.sha256(images.tobytes()).hexdigest(),
        "emoji": [asdict(e) for e in emoji],
    }
    path = out_dir / f"{stem}.json"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_dataset(manifest_path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """The images (N×H×W×3 uint8) and manifest, checked against the manifest's hash."""
    if not manifest_path.is_file():
        raise NotFound(f"No dataset manifest at {manifest_path}", hint="run `studio train builtin --render-only`")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    with np.load(manifest_path.with_suffix(".npz")) as archive:
        images = archive["images"]
    if hashlib.sha256(images.tobytes()).hexdigest() != manifest["images_sha256"]:
        raise InvalidInput(f"The images beside {manifest_path.name} do not match its hash", hint="render them again")
    return images, manifest


def manifest_sha256(manifest_path: Path) -> str:
    return hashlib.sha256(manifest_path.read_bytes()).hexdigest()


def holdout_indices(manifest: dict[str, Any], count: int = HOLDOUT_COUNT) -> list[int]:
    """`count` emoji kept out of training for the adherence benchmark: a fixed, seed-free choice by hash."""
    candidates = [i for i, e in enumerate(manifest["emoji"]) if e["group"] in HOLDOUT_GROUPS and not e["skintone"]]
    candidates.sort(key=lambda i: hashlib.sha256(f"holdout:{manifest['emoji'][i]['hexcode']}".encode()).digest())
    return sorted(candidates[:count])


def caption_variants(emoji: dict[str, Any]) -> list[str]:
    """The captions one emoji is trained with; each step picks one at random, so short prompts and long ones work."""
    annotation = emoji["annotation"]
    tags = [t for t in (*emoji["openmoji_tags"], *emoji["tags"]) if t.lower() not in annotation.lower()]
    variants = [
        annotation,
        f"{annotation}, {emoji['group']}, {emoji['subgroup']}",
        f"{annotation}, {emoji['subgroup']}",
    ]
    if tags:
        variants.append(", ".join([annotation, *tags[:3]]))
    return list(dict.fromkeys(variants))


def _split_tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(",") if t.strip())
