"""Default titles of generated works: a few words of the prompt that made them, never a chain of "Remix of"."""

from __future__ import annotations

import re

from studio.core.modes import Mode

MAX_WORDS = 6
MAX_CHARS = 40
# Prompt syntax that is not words: (word:1.2) weights, [word], <lora:name:0.8>, BREAK.
_WEIGHT = re.compile(r"\(([^():]*)(?::[\d.]+)?\)")
_DANGLING = {"a", "an", "the", "of", "at", "in", "on", "under", "over", "with", "and", "or", "by", "for", "to", "from"}
_NOISE = re.compile(r"<[^>]*>|[\[\]{}()]|\bBREAK\b")


def short_title(prompt: str, mode: Mode = Mode.txt2img) -> str:
    """The first words of the prompt (at most six, about 40 characters), tidied, or "Untitled …"."""
    text = _NOISE.sub(" ", _WEIGHT.sub(r"\1", prompt))
    # The first clause says what the picture is; the rest is usually style.
    clauses = [c for c in re.split(r"[,.;:|\n]", text) if re.search(r"\w", c)]
    words = clauses[0].split() if clauses else []
    kept: list[str] = []
    for word in words[:MAX_WORDS]:
        if kept and len(" ".join([*kept, word])) > MAX_CHARS:
            break
        kept.append(word[:MAX_CHARS])
    while len(kept) > 1 and kept[-1].lower() in _DANGLING:
        kept.pop()
    title = " ".join(kept).strip(" -–—_'\"")
    if not title:
        return f"Untitled {Mode(mode).noun.lower()}"
    return title[0].upper() + title[1:]
