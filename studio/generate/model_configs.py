"""Configs-only diffusers folders, one per supported architecture, for loading single-file checkpoints offline.

A single `.safetensors` checkpoint holds weights but no configs; diffusers would fetch those from the hub. The
studio ships them in `configs/<arch>/` (model_index, scheduler, unet, vae, text encoder configs, tokenizer
settings) with the published values. The CLIP tokenizer's BPE merges are stored once, compressed
(`clip-bpe-merges.txt.gz`: the first 48,894 merges of CLIP's MIT-licensed `bpe_simple_vocab_16e6` list, the
part CLIP's 49,408-token vocabulary uses), and `config_folder()` writes the full tokenizer files into a cached
copy of the folder, which is what `from_single_file(config=...)` reads. No torch here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from studio.errors import InvalidInput

CONFIGS = Path(__file__).resolve().parent / "configs"
ARCHS: tuple[str, ...] = ("sd1", "sd2", "sdxl", "studio-tiny", "studio-emoji")
MERGES_FILE = CONFIGS / "clip-bpe-merges.txt.gz"
# CLIP's vocabulary: 256 byte tokens + 256 word-final byte tokens + 48,894 merges + 2 special tokens.
VOCAB_SIZE = 49408


@cache
def clip_bpe() -> tuple[dict[str, int], tuple[str, ...]]:
    """The CLIP tokenizer's vocabulary (token -> id) and merge rules, in the order CLIP assigns ids."""
    merges = tuple(line for line in gzip.decompress(MERGES_FILE.read_bytes()).decode("utf-8").split("\n") if line)
    byte_chars = list(_bytes_to_unicode().values())
    tokens = byte_chars + [c + "</w>" for c in byte_chars] + ["".join(m.split(" ")) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    vocab = {token: i for i, token in enumerate(tokens)}
    assert len(vocab) == VOCAB_SIZE, len(vocab)
    return vocab, merges


def write_clip_tokenizer_files(folder: Path) -> None:
    """vocab.json and merges.txt in the format `CLIPTokenizer.from_pretrained` reads."""
    vocab, merges = clip_bpe()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")


def config_folder(arch: str, cache_root: Path) -> Path:
    """A complete configs-only diffusers folder for `arch`, made once under `cache_root` (atomically)."""
    if arch not in ARCHS:
        raise InvalidInput(f"No bundled configuration for architecture {arch!r}",
                           hint=f"supported: {', '.join(ARCHS)}")
    source = CONFIGS / arch
    target = cache_root / "configs" / f"{arch}-{_tree_digest(source)}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{arch}-", dir=target.parent))
    try:
        shutil.copytree(source, staging, dirs_exist_ok=True)
        for tokenizer in staging.glob("tokenizer*"):
            write_clip_tokenizer_files(tokenizer)
        try:
            os.replace(staging, target)
        except OSError:
            if not target.is_dir():  # another process won the race with an identical folder
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def read_config(arch: str, component: str) -> dict:
    """One bundled config.json (or scheduler_config.json), e.g. ('sd1', 'unet')."""
    folder = CONFIGS / arch / component
    name = "scheduler_config.json" if component == "scheduler" else "config.json"
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(MERGES_FILE.read_bytes())
    return digest.hexdigest()[:12]


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP byte-level BPE's reversible map from bytes to printable characters."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars = list(printable)
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in chars), strict=True))
