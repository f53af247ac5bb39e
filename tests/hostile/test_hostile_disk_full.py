"""A full disk under a real library: a small tmpfs holds the library, a filler file leaves a few hundred KB, a few
KB or nothing free, and the real `studio import`, `generate` and `list` run against it. Each says in one line
that the disk is full, where, and how much is needed; none advises restoring a backup (nothing is damaged); the
library is unchanged and opens again once there is room."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from studio.store.disk_space import DiskFull
from studio.store.library import Library
from tests.helpers.hostile_library import Studio, snapshot

DISK_SIZE = 4 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs, unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"these tests need to mount a small tmpfs (run them as root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def _free(folder: Path) -> int:
    stat = os.statvfs(folder)
    return stat.f_bavail * stat.f_frsize


def _fill(disk: Path, leave: int) -> Path:
    """A filler file that leaves about `leave` bytes free (tmpfs counts whole pages)."""
    filler = disk / "filler"
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, _free(disk) - leave))
    return filler


def _noise_png(path: Path, side: int, seed: int) -> Path:
    image = Image.effect_noise((side, side), 60 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def _disk_full_line(result, library: Path) -> str:
    output = result.output + result.stderr
    assert result.exit_code == DiskFull.exit_code, output
    assert result.stdout == "" and "Traceback" not in output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"error: the disk holding {library} is full (")
    assert " free, about " in line and " needed)" in line
    for wrong in ("restore", "backup", "not a usable", "fault", "unexpected", "OSError", "OperationalError"):
        assert wrong not in line, line
    return line


@pytest.fixture
def world(small_disk: Path, tmp_path: Path) -> tuple[Studio, Path]:
    """A library on the small disk holding an imported image and the built-in model."""
    library = small_disk / "lib"
    studio = Studio(library)
    studio.ok("import", str(_noise_png(tmp_path / "first.png", 24, 1)), "--license", "cc0-1.0")
    studio.ok("models", "list")  # registers the built-in model
    return studio, library


def _unchanged_and_usable(studio: Studio, library: Path, before, filler: Path, tmp_path: Path) -> None:
    filler.unlink()
    assert snapshot(library) == before
    assert "first" in studio.ok("list").stdout
    studio.ok("import", str(_noise_png(tmp_path / "after.png", 20, 9)))  # room again: it works


@pytest.mark.parametrize(
    ("leave", "side"),
    [(300 * 1024, 400), (60 * 1024, 400), (36 * 1024, 16), (24 * 1024, 16), (4096, 16), (0, 16)],
    ids=["300KB-free-big-image", "60KB-free-big-image", "36KB-free-small-image", "24KB-free-small-image",
         "4KB-free", "nothing-free"],
)
def test_import_on_a_full_disk_says_so_and_changes_nothing(world, tmp_path, leave, side):
    studio, library = world
    image = _noise_png(tmp_path / "new.png", side, 2)
    before = snapshot(library)
    filler = _fill(library.parent, leave)
    _disk_full_line(studio("import", str(image)), library)
    _unchanged_and_usable(studio, library, before, filler, tmp_path)


@dataclass
class _Ran:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout


def _run(library: Path, *args: str) -> _Ran:
    done = subprocess.run([sys.executable, "-m", "studio", "--library", str(library), *args],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    return _Ran(done.returncode, done.stdout, done.stderr)


def test_after_a_write_ran_out_of_room_every_command_says_the_disk_is_full(world, tmp_path):
    """Each command in a process of its own, as a user runs them. A write that ran out of room leaves SQLite's
    write-ahead log behind; with the disk then full, even opening the library fails (SQLite: "disk I/O error")."""
    studio, library = world
    before = snapshot(library)
    filler = _fill(library.parent, 60 * 1024)
    _disk_full_line(_run(library, "import", str(_noise_png(tmp_path / "big.png", 400, 3))), library)
    with (library.parent / "more").open("wb") as handle:  # and then the disk fills up entirely
        handle.write(b"\0" * _free(library))
    for args in (("list",), ("show", "abcd"), ("import", str(_noise_png(tmp_path / "small.png", 16, 4))),
                 ("generate", "a harbour", "--size", "64x64", "--steps", "2")):
        _disk_full_line(_run(library, *args), library)
    (library.parent / "more").unlink()
    _unchanged_and_usable(studio, library, before, filler, tmp_path)


def test_generate_on_a_full_disk_says_so_and_changes_nothing(world, tmp_path):
    studio, library = world
    studio.ok("generate", "a harbour", "--size", "64x64", "--steps", "2", "--seed", "1")
    before = snapshot(library)
    # Another process keeps the library open (as the window would), so this one needs no room to open it: the
    # disk runs out when the new image or its rows are written.
    held = Library.open(library)
    try:
        filler = _fill(library.parent, 4096)
        line = _disk_full_line(studio("generate", "a harbour", "--size", "64x64", "--steps", "2", "--seed", "2"),
                               library)
        assert "about 1." in line  # the image and the database's headroom, in MB
    finally:
        held.close()
    _unchanged_and_usable(studio, library, before, filler, tmp_path)
