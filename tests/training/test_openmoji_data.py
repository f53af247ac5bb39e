"""The built-in model's training data: rendered, hashed and credited from the pinned OpenMoji package."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from studio.errors import InvalidInput, NotFound
from studio.generate.training import openmoji_data


def test_every_emoji_is_rendered_in_hexcode_order_with_its_credits(openmoji_manifest: Path) -> None:
    images, manifest = openmoji_data.load_dataset(openmoji_manifest)
    assert images.shape == (4495, 64, 64, 3) and images.dtype == np.uint8
    hexcodes = [e["hexcode"] for e in manifest["emoji"]]
    assert hexcodes == sorted(hexcodes) and len(set(hexcodes)) == 4495
    grinning = manifest["emoji"][hexcodes.index("1F600")]
    assert grinning["annotation"] == "grinning face" and grinning["group"] == "smileys-emotion"
    assert grinning["author"] == "Emily Jäger" and grinning["license"] == "CC-BY-SA-4.0"
    svg = openmoji_data.default_package_dir() / "color" / "svg" / "1F600.svg"
    assert grinning["svg_sha256"] == hashlib.sha256(svg.read_bytes()).hexdigest()
    face = images[hexcodes.index("1F600")]
    assert (face[0, 0] == 255).all(), "background is white"
    assert face[32, 20].tolist() != [255, 255, 255], "the face is drawn"
    # The file that travels to a training machine stays small.
    assert openmoji_manifest.with_suffix(".npz").stat().st_size < 25_000_000


def test_rendering_twice_gives_the_same_bytes(openmoji_manifest: Path, tmp_path: Path) -> None:
    package = _mini_package(tmp_path / "openmoji", ["1F600", "1F436", "2600"])
    first = json.loads(openmoji_data.build_dataset(package, tmp_path / "a").read_text(encoding="utf-8"))
    second = json.loads(openmoji_data.build_dataset(package, tmp_path / "b").read_text(encoding="utf-8"))
    assert first == second
    full, _ = openmoji_data.load_dataset(openmoji_manifest)
    mini, manifest = openmoji_data.load_dataset(tmp_path / "a" / "openmoji-64.json")
    full_hex = [e["hexcode"] for e in json.loads(openmoji_manifest.read_text(encoding="utf-8"))["emoji"]]
    for image, emoji in zip(mini, manifest["emoji"], strict=True):
        assert np.array_equal(image, full[full_hex.index(emoji["hexcode"])])


def test_a_tampered_image_file_is_refused(tmp_path: Path) -> None:
    package = _mini_package(tmp_path / "openmoji", ["1F600"])
    manifest = openmoji_data.build_dataset(package, tmp_path / "data")
    images = np.zeros((1, 64, 64, 3), dtype=np.uint8)
    np.savez_compressed(manifest.with_suffix(".npz"), images=images)
    with pytest.raises(InvalidInput, match="do not match"):
        openmoji_data.load_dataset(manifest)


def test_another_openmoji_version_or_a_missing_package_is_refused(tmp_path: Path) -> None:
    package = _mini_package(tmp_path / "openmoji", ["1F600"])
    (package / "package.json").write_text('{"version": "15.0.0"}', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"15\.0\.0"):
        openmoji_data.read_emoji(package)
    with pytest.raises(NotFound, match="npm install"):
        openmoji_data.read_emoji(tmp_path / "nowhere")


def test_held_out_prompts_are_a_fixed_in_domain_choice(openmoji_manifest: Path) -> None:
    manifest = json.loads(openmoji_manifest.read_text(encoding="utf-8"))
    held = openmoji_data.holdout_indices(manifest)
    assert len(held) == 100 and held == openmoji_data.holdout_indices(manifest)
    rows = [manifest["emoji"][i] for i in held]
    assert all(r["group"] in openmoji_data.HOLDOUT_GROUPS and not r["skintone"] for r in rows)
    assert len({r["group"] for r in rows}) >= 6, "the held-out prompts span the domain"


def test_captions_name_the_subject_and_vary() -> None:
    emoji = {"annotation": "dog face", "group": "animals-nature", "subgroup": "animal-mammal",
             "tags": ["dog", "face", "pet"], "openmoji_tags": ["puppy"]}
    variants = openmoji_data.caption_variants(emoji)
    assert variants[0] == "dog face"
    assert "dog face, animals-nature, animal-mammal" in variants
    assert "dog face, puppy, pet" in variants, "tags already in the annotation are not repeated"
    assert all(v.startswith("dog face") for v in variants)


def _mini_package(folder: Path, hexcodes: list[str]) -> Path:
    """A copy of the real package holding only `hexcodes` (real SVGs and data rows)."""
    source = openmoji_data.default_package_dir()
    (folder / "color" / "svg").mkdir(parents=True)
    (folder / "data").mkdir()
    shutil.copy(source / "package.json", folder / "package.json")
    rows = json.loads((source / "data" / "openmoji.json").read_text(encoding="utf-8"))
    (folder / "data" / "openmoji.json").write_text(json.dumps([r for r in rows if r["hexcode"] in hexcodes]))
    for code in hexcodes:
        shutil.copy(source / "color" / "svg" / f"{code}.svg", folder / "color" / "svg" / f"{code}.svg")
    return folder
