"""JSON from a server or a file the studio does not trust, parsed only once its nesting is known to be shallow.

Python's C JSON decoder recurses once per nested array or object. When something in the process has raised the
recursion limit (test tools, some libraries do), a body of a few hundred thousand `[` overflows the C stack and
the whole process dies with a segmentation fault instead of a RecursionError. Counting the brackets first,
without recursion, makes such a body an ordinary ValueError whatever the recursion limit is.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 256  # far deeper than any answer of ComfyUI, an IPFS node or Story metadata
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


def nesting_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b"", data)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, refusing (ValueError) a text nested deeper than `max_depth` before the decoder sees it."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if nesting_depth(raw) > max_depth:
        raise ValueError(f"JSON nested more than {max_depth} deep")
    try:
        return json.loads(raw)
    except RecursionError as exc:  # a lower recursion limit than the depth allowed: still one ValueError
        raise ValueError("JSON nested too deeply") from exc
