"""Import and embedded metadata from hostile files: one clear line or a recipe with its bad fields dropped,
never a traceback, a hang or unbounded memory."""

from __future__ import annotations

import json
import os
import threading

import pytest

from studio.metadata import read_png_recipe
from studio.metadata.checked import MAX_JSON_DEPTH, json_depth
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
    assert json_depth(DEEP) == 10_000
    assert json_depth('{"a": "[[[[[[", "b": [1, [2]]}') == 3
    assert json_depth("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) == MAX_JSON_DEPTH


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
