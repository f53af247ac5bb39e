"""For the hostile-input tests: a real library on disk, the real `studio` command in-process, and a snapshot of
everything the library holds (every row of every table and the hash of every file) to prove nothing changed."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from PIL import Image, PngImagePlugin

from studio.cli.main import cli

# An RPC URL that refuses connections at once: chain commands fail fast without a devnet.
DEAD_RPC = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Snapshot:
    integrity: str
    rows: dict[str, list[tuple]]
    files: dict[str, str]


def snapshot(library: Path) -> Snapshot:
    """Every row of every table, and the sha256 of every file under the library folder (the lock file's
    content aside, which only records who holds it)."""
    with sqlite3.connect(f"file:{library / 'library.db'}?mode=ro", uri=True) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    files = {
        str(p.relative_to(library)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(library.rglob("*"))
        if p.is_file() and p.name not in ("library.lock",) and not p.name.endswith(("-wal", "-shm", "-journal"))
    }
    return Snapshot(integrity, rows, files)


class Studio:
    """`studio --library L ...` run in-process, stderr kept apart from stdout."""

    def __init__(self, library: Path) -> None:
        self.library = library

    def __call__(self, *args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--library", str(self.library), *args], input=stdin, prog_name="studio")

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, result.output + result.stderr
        return result


def png_with_chunks(chunks: dict[str, str | bytes], *, size: tuple[int, int] = (16, 16), seed: int = 1) -> bytes:
    """A real PNG carrying the given text chunks: str as iTXt, bytes as a raw zTXt payload (already deflated)."""
    image = Image.new("RGB", size, (seed % 256, 40, 90))
    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        if isinstance(value, bytes):
            info.add(b"zTXt", key.encode("latin-1") + b"\0\0" + value)
        else:
            info.add_itxt(key, value)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def deflated(text: str) -> bytes:
    return zlib.compress(text.encode("latin-1"), 9)
