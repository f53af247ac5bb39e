"""Import and embedded metadata from hostile files: one clear line or a recipe with its bad fields dropped,
never a traceback, a hang or unbounded memory."""

from __future__ import annotations

import io
import json
import os
import struct
import threading
import zlib

import pytest
from PIL import Image

from studio.core.bounded_json import nesting_depth
from studio.metadata import read_png_recipe
from studio.metadata.checked import MAX_JSON_DEPTH
from tests.helpers.hostile_library import deflated, snapshot

DEEP = "[" * 10_000 + "]" * 10_000
DEEP_OBJECT = '{"a":' * 10_000 + "1" + "}" * 10_000


def _one_error_line(result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_text_chunk_that_decompresses_past_the_limit_is_refused_in_one_line(studio, write_png):
    bomb = write_png({"parameters": deflated("a" * 50_000_000)})  # 50 MB of text in a ~50 kB chunk
    line = _one_error_line(studio("import", str(bomb)))
    assert line.startswith("error: ") and bomb.name in line


@pytest.mark.parametrize("chunk", ["remix-studio", "prompt", "workflow", "invokeai_metadata", "parameters"])
@pytest.mark.parametrize("deep", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_json_nested_ten_thousand_deep_imports_without_a_recipe(studio, write_png, chunk, deep):
    text = f'a prompt\nSteps: 5, Extra: "{deep}"' if chunk == "parameters" else deep
    path = write_png({chunk: text})
    result = studio("import", str(path), "--json")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr
    work = json.loads(result.stdout)
    assert work["created"] is True
    if chunk == "parameters":
        assert work["recipe"]["steps"] == 5


def test_json_depth_is_measured_without_parsing():
    assert nesting_depth(DEEP.encode()) == 10_000
    assert nesting_depth(b'{"a": "[[[[[[", "b": [1, [2]]}') == 3
    assert nesting_depth(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH) == MAX_JSON_DEPTH


WRONG_TYPES = [
    {"remix-studio": json.dumps({"recipe": {"steps": "many", "seed": [1], "prompt": {"x": 1}, "loras": "ink",
                                            "guidance": "NaN", "extra": [1, 2], "width": -4}})},
    {"remix-studio": json.dumps({"recipe": {"loras": [{"weight": 1}, 5, {"id": "ink", "weight": "heavy"}]}})},
    {"remix-studio": json.dumps({"recipe": [1, 2, 3], "studio": "x"})},
    {"prompt": json.dumps({"3": {"class_type": "KSampler", "inputs": [1, 2]}})},
    {"prompt": json.dumps({"3": {"class_type": ["KSampler"], "inputs": {"seed": {"a": 1}}}})},
    {"prompt": json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": [[1], 0], "steps": [{"a": 1}, 0],
                                                                      "model": [["x"], 0], "positive": [None, 0]}}})},
    {"prompt": json.dumps({"²": {"class_type": "KSampler", "inputs": {"steps": 1e308, "cfg": "inf"}}})},
    {"workflow": json.dumps({"nodes": [{"id": [1], "type": {"x": 1}}, {"id": 2, "type": "KSampler",
                                                                        "widgets_values": {"a": 1},
                                                                        "inputs": [{"link": [1]}, {"link": {}}]}],
                             "links": [[[1], 2, 3], {"id": {}}, "x"]})},
    {"workflow": json.dumps({"nodes": "many", "links": 5})},
    {"invokeai_metadata": json.dumps({"loras": 5, "model": "x", "steps": -1, "cfg_scale": "NaN"})},
    {"invokeai_metadata": json.dumps({"loras": [{"model": "ink"}, {"lora": [1]}], "positive_prompt": ["a"],
                                      "width": 1e400 if False else "1e400", "scheduler": {"a": 1}})},
    {"invokeai_metadata": json.dumps([1, 2])},
    {"parameters": "a prompt <lora:ink:1.2.3>\nSteps: 1e9, Seed: -1, Size: 0x99999999999, CFG scale: inf"},
]


@pytest.mark.parametrize("chunks", WRONG_TYPES, ids=[f"case{i}" for i in range(len(WRONG_TYPES))])
def test_embedded_json_of_the_wrong_types_never_crashes_the_import(studio, write_png, chunks):
    result = studio("import", str(write_png(chunks)), "--json")
    assert result.exit_code == 0, result.output + result.stderr
    recipe = json.loads(result.stdout)["recipe"] or {}
    for name in ("steps", "seed", "width", "height"):
        assert name not in recipe or (isinstance(recipe[name], int) and recipe[name] >= 0)
    for name in ("prompt", "model", "scheduler"):
        assert name not in recipe or isinstance(recipe[name], str)


def test_invalid_a1111_fields_are_dropped_with_a_note_shown_to_the_user(studio, write_png):
    path = write_png({"parameters": "a harbour\nSteps: -5, Sampler: Euler, CFG scale: NaN, Seed: 7, Size: 16x16"})
    found = read_png_recipe(path)
    assert found is not None and found.source == "a1111"
    assert found.recipe.steps is None and found.recipe.guidance is None and found.recipe.seed == 7
    assert len(found.notes) == 2
    result = studio("import", str(path))
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if "note:" in line]
    assert len(notes) == 2 and "steps -5" in notes[0] and "guidance nan" in notes[1]
    work_id = result.stdout.split()[0]
    recipe = json.loads(studio.ok("show", work_id, "--json").stdout)["recipe"]
    assert "steps" not in recipe and "guidance" not in recipe and recipe["seed"] == 7


def _import_in_thread(studio, path):
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", studio("import", str(path))), daemon=True)
    thread.start()
    thread.join(20)
    assert not thread.is_alive(), f"importing {path} hangs"
    return box["result"]


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(studio, tmp_path, make_image):
    studio.ok("import", str(make_image()))  # a library with a work in it
    before = snapshot(studio.library)
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    line = _one_error_line(_import_in_thread(studio, fifo))
    assert "named pipe" in line
    assert snapshot(studio.library) == before


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused_before_reading(studio, tmp_path, device):
    link = tmp_path / "zero.png"
    link.symlink_to(device)
    line = _one_error_line(_import_in_thread(studio, link))
    assert "device" in line


def test_a_title_with_terminal_escapes_is_printed_escaped_and_stays_raw_in_json(studio, make_image):
    title = "\x1b]0;owned\x07\x1b[2J\x9b31mred\u202eevil"
    assert studio("import", str(make_image()), "--title", title).exit_code == 2  # typed titles hold no controls
    named = make_image().rename(make_image().parent / f"{title}.png")  # ... but a file name, like metadata, can
    studio.ok("import", str(named))
    listed = studio.ok("list").stdout
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in listed
    assert "\\x1b]0;owned\\x07" in listed and "\\x9b31mred\\u202eevil" in listed
    work_id = listed.splitlines()[-1].split()[0]
    assert "\x1b" not in studio.ok("show", work_id).stdout
    assert "\x1b" not in studio.ok("lineage", work_id).stdout
    as_json = studio.ok("show", work_id, "--json").stdout
    assert "\x1b" not in as_json and "\x9b" not in as_json and "\u202e" not in as_json
    assert json.loads(as_json)["title"] == title


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _adam7_png(image: Image.Image) -> bytes:
    """An interlaced (Adam7) RGB PNG written from the PNG specification (Pillow writes none), filter type 0."""
    width, height = image.size
    pixels = image.convert("RGB").load()
    raw = bytearray()
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                           (0, 1, 1, 2)):
        columns = range(x0, width, dx)
        if not columns:
            continue
        for y in range(y0, height, dy):
            raw += b"\0" + b"".join(bytes(pixels[x, y]) for x in columns)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(bytes(raw)))
            + _png_chunk(b"IEND", b""))


def _short_pixel_data(png: bytes, keep: int) -> bytes:
    """`png` rewritten whole (every chunk and CRC sound, IEND in place) with only its first `keep` bytes of
    filtered scanlines: cut where a row (or an Adam7 pass) ends, Pillow fills the rest with black."""
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack_from(">I", png, pos)
        chunks.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert keep < len(raw)
    short = zlib.compress(raw[:keep])
    out, written = b"\x89PNG\r\n\x1a\n", False
    for kind, body in chunks:
        if kind != b"IDAT":
            out += _png_chunk(kind, body)
        elif not written:
            out, written = out + _png_chunk(b"IDAT", short), True
    return out


def _row_bytes(width: int) -> int:  # one filter byte and 8-bit RGB pixels
    return 1 + 3 * width


# Cuts at the end of a row of a plain 200x100 PNG, or at the end of an Adam7 pass of a 64x64 one.
SHORT_PNGS = {
    "plain-half-the-rows": (False, 50 * _row_bytes(200)),
    "plain-all-rows-but-one": (False, 99 * _row_bytes(200)),
    "adam7-first-six-passes": (True, 8 * _row_bytes(8) + 8 * _row_bytes(8) + 8 * _row_bytes(16) + 16 * _row_bytes(16)
                               + 16 * _row_bytes(32) + 32 * _row_bytes(32)),
}


@pytest.mark.parametrize(("interlaced", "keep"), SHORT_PNGS.values(), ids=SHORT_PNGS)
def test_a_png_with_too_little_pixel_data_is_refused_and_nothing_is_written(studio, tmp_path, interlaced, keep):
    picture = Image.effect_noise((64, 64) if interlaced else (200, 100), 80).convert("RGB")
    whole = _adam7_png(picture) if interlaced else _encoded(picture)
    studio.ok("list")
    before = snapshot(studio.library)
    path = tmp_path / "short.png"
    path.write_bytes(_short_pixel_data(whole, keep))
    line = _one_error_line(studio("import", str(path)))
    assert line.startswith("error: short.png is truncated or corrupt") and "pixel data" in line
    assert snapshot(studio.library) == before


@pytest.mark.parametrize("size", [(1, 1), (3, 17), (13, 2), (37, 29), (64, 64)])
def test_complete_interlaced_pngs_import_with_the_pixels_pillow_decodes(studio, tmp_path, size):
    picture = Image.effect_noise(size, 80).convert("RGB")
    path = tmp_path / "interlaced.png"
    path.write_bytes(_adam7_png(picture))
    with Image.open(path) as decoded:
        assert decoded.info.get("interlace") == 1 and decoded.convert("RGB").tobytes() == picture.tobytes()
    studio.ok("import", str(path))


def _encoded(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()
