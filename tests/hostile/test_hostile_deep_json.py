"""JSON nested hundreds of thousands deep, from a ComfyUI server or an IPFS node, is refused as bad JSON: never a
segmentation fault, even when something in the process has raised Python's recursion limit (test tools and some
libraries do, and the C decoder then overflows the stack instead of raising RecursionError)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studio.core import bounded_json

DEEP = b"[" * 200_000 + b"]" * 200_000


def test_the_depth_is_counted_without_parsing_and_brackets_inside_strings_do_not_count():
    assert bounded_json.nesting_depth(b'{"a": [1, {"b": "[[[[{{{{"}], "c": "\\"]]"}') == 3
    assert bounded_json.nesting_depth(b"[]") == 1 and bounded_json.nesting_depth(b'"x"') == 0
    assert bounded_json.loads('{"a": [1, 2]}') == {"a": [1, 2]}


def test_a_deep_body_is_a_value_error_before_the_decoder_sees_it():
    with pytest.raises(ValueError, match="nested more than 256 deep"):
        bounded_json.loads(DEEP)


@pytest.mark.parametrize("reader", ["comfyui", "bounded"])
def test_a_deep_server_answer_is_refused_in_a_process_whose_recursion_limit_was_raised(reader):
    # A fresh process: a crash there is a failed assertion here, not the end of the test run.
    code = f"""
import sys
sys.setrecursionlimit(1_000_000)
deep = b"[" * 200_000 + b"]" * 200_000
if {reader!r} == "comfyui":
    from studio.generate.comfyui.client import _json
    from studio.generate.comfyui.errors import ComfyUIError
    try:
        _json(deep, "box", "/history/x")
    except ComfyUIError as exc:
        print("refused:", exc)
else:
    from studio.core import bounded_json
    try:
        bounded_json.loads(deep)
    except ValueError as exc:
        print("refused:", exc)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.startswith("refused:")
