"""The window at scale: cold start, scrolling a 10,000-work gallery, and memory at rest.

Run: `.venv/bin/python -m bench.ui_bench [--works 10000 --runs 5]` (offscreen Qt; no display needed).

Measures, in one run:
- cold start to the window shown on the 10k library, each in a fresh process, against a baseline process that
  shows a bare QMainWindow (same Python, same Qt), runs interleaved;
- scrolling the gallery from top to bottom a page at a time: the time to paint each page (what a frame costs),
  how many pages of works were read from SQLite, and how many thumbnails arrived meanwhile;
- resident memory of both processes once idle.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PIL import Image

from studio.core.types import Origin, Terms, WorkKind
from studio.store.files import sha256_bytes
from studio.store.library import Library
from studio.store.works import NewWork

OUT = Path(__file__).resolve().parent / "out"
WINDOW = (1280, 800)

CHILD_WINDOW = """
import sys, time
from studio.ui.launch import application, start
from studio.app.settings import WindowSettings, SettingsStore
app = application()
store = SettingsStore()
store.save(WindowSettings(welcomed=True))  # a returning artist: the first-run questions are not part of start-up
window = start(sys.argv[1], store)
window.resize(1280, 800)
app.processEvents()
print("shown", flush=True)

def filled():
    window.library.gallery.viewport().repaint()
    print("filled", flush=True)
    app.quit()

window.library_opened.connect(filled)
app.exec()  # waits as the real window does, leaving the interpreter to the thread that opens the library
"""

CHILD_BASELINE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
print("shown", flush=True)
print("filled", flush=True)
"""

CHILD_IDLE = """
end = time.monotonic() + 2.0
while time.monotonic() < end:
    app.processEvents()
    time.sleep(0.01)
rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
print("rss", rss, flush=True)
"""


def image_bytes(n: int) -> bytes:
    image = Image.new("RGB", (64, 48), ((n * 37) % 256, (n * 91) % 256, (n * 13) % 256))
    image.putpixel((n % 64, (n // 64) % 48), (255 - (n % 256), n % 7, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_library(root: Path, works: int) -> Path:
    """A library of `works` small images with real files (reused between runs when it already has them)."""
    library = Library.open(root)
    try:
        have = library.works.count(kind=WorkKind.image)
        if have == works:
            return root
        if have:
            raise SystemExit(f"{root} holds {have} works, not {works}: remove it to rebuild")
        licenses = ["cc-by-4.0", "cc0-1.0", "pil-commercial-remix", "cc-by-nc-4.0"]
        with library.db.atomic():
            for n in range(works):
                data = image_bytes(n)
                sha = sha256_bytes(data)
                relative = library.files.put(data, sha, "png")
                library.works.insert(
                    NewWork(
                        kind=WorkKind.image,
                        sha256=sha,
                        title=f"Study {n:05d}",
                        creator="Bench",
                        origin=Origin.generated if n % 3 else Origin.imported,
                        terms=Terms(licenses[n % 4]),
                        file_path=relative,
                        format="PNG",
                        width=64,
                        height=48,
                        size_bytes=len(data),
                        created_at=f"2026-01-01T00:00:00.{n:06d}Z",
                    )
                )
    finally:
        library.close()
    return root


def run_child(code: str, library: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Seconds from spawning the process to its window being shown and to the gallery's first page painted,
    and its idle RSS in KiB."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code + CHILD_IDLE, str(library)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    marks: dict[str, float] = {}
    rss = 0
    for line in child.stdout:
        word = line.split()[0] if line.strip() else ""
        if word in ("shown", "filled"):
            marks.setdefault(word, time.perf_counter() - start)
        elif word == "rss":
            rss = int(line.split()[1])
    if child.wait() != 0 or len(marks) != 2:
        raise SystemExit("a benchmark process failed")
    return marks["shown"], marks["filled"], rss


def cold_start(library: Path, runs: int, tmp: Path) -> dict[str, list[float]]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "STUDIO_CONFIG_DIR": str(tmp / "config"),
        "STUDIO_DATA_DIR": str(tmp / "data"),
    }
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, code in (("baseline", CHILD_BASELINE), ("window", CHILD_WINDOW)):
            shown, filled, rss = run_child(code, library, env)
            found.setdefault(name, []).append(shown)
            found.setdefault(f"{name}_filled", []).append(filled)
            found.setdefault(f"{name}_rss", []).append(rss / 1024)
    return found


def scroll(library: Path, tmp: Path) -> dict[str, float]:
    os.environ["STUDIO_CONFIG_DIR"] = str(tmp / "config-scroll")
    from PySide6.QtWidgets import QApplication

    from studio.app.settings import SettingsStore
    from studio.ui.launch import application, open_window

    app = application()
    window = open_window(library, SettingsStore())
    window.resize(*WINDOW)
    window.show()
    session = window.session
    reads = []
    original = session.page_of_works
    session.page_of_works = lambda f, o, n: reads.append(n) or original(f, o, n)  # type: ignore[method-assign]
    arrived = []
    window.thumbnails.ready.connect(arrived.append)
    gallery = window.library.gallery
    bar = gallery.verticalScrollBar()
    deadline = time.monotonic() + 30
    last = -1
    while time.monotonic() < deadline:  # the batched layout places 10k cards over a few event-loop turns
        app.processEvents()
        if bar.maximum() == last and last > 0:
            break
        last = bar.maximum()
        time.sleep(0.02)
    per_page = []
    start = time.perf_counter()
    while bar.value() < bar.maximum():
        bar.setValue(min(bar.maximum(), bar.value() + bar.pageStep()))
        t = time.perf_counter()
        gallery.viewport().repaint()
        per_page.append(time.perf_counter() - t)
        app.processEvents()  # thumbnails arrive and queued signals run, as between real frames
    total = time.perf_counter() - start
    cards = window.library.model.rowCount()
    window.shutdown()
    window.close()
    QApplication.processEvents()
    ordered = sorted(per_page)
    return {
        "cards": cards,
        "pages": len(per_page),
        "median_ms": statistics.median(per_page) * 1000,
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000,
        "max_ms": ordered[-1] * 1000,
        "total_s": total,
        "rows_read": sum(reads),
        "thumbnails": len(arrived),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--works", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    library = build_library(OUT / f"ui-library-{args.works}", args.works)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp_name:
        tmp = Path(tmp_name)
        starts = cold_start(library, args.runs, tmp)
        scrolled = scroll(library, tmp)
    window, baseline = statistics.median(starts["window"]), statistics.median(starts["baseline"])
    filled = statistics.median(starts["window_filled"])
    window_rss, baseline_rss = statistics.median(starts["window_rss"]), statistics.median(starts["baseline_rss"])
    print(
        f"# Window benchmark ({args.works:,} works; {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, offscreen; library ready in {built:.1f} s)\n"
    )
    rows = [
        [
            f"cold start to window shown (median of {args.runs})",
            f"{window:.2f} s",
            f"{baseline:.2f} s",
            f"{window / baseline:.1f}×",
            "goal ≤ 1.0 s: " + ("met" if window <= 1.0 else "not met"),
        ],
        [
            "cold start to library open, first gallery page painted",
            f"{filled:.2f} s",
            f"{baseline:.2f} s",
            f"{filled / baseline:.1f}×",
            "the engines load behind the shown window",
        ],
        [
            "idle resident memory",
            f"{window_rss:.0f} MiB",
            f"{baseline_rss:.0f} MiB",
            f"{window_rss / baseline_rss:.1f}×",
            "2 s after showing, thumbnails loading",
        ],
        [
            f"scroll {scrolled['cards']:,} cards, {scrolled['pages']:.0f} pages: paint per page (median)",
            f"{scrolled['median_ms']:.1f} ms",
            "",
            "",
            f"p95 {scrolled['p95_ms']:.1f} ms, max {scrolled['max_ms']:.1f} ms",
        ],
        [
            "scroll top to bottom, whole pass",
            f"{scrolled['total_s']:.2f} s",
            "",
            "",
            f"{scrolled['pages'] / scrolled['total_s']:.0f} pages/s with event processing",
        ],
        [
            "works read from SQLite during the pass",
            f"{scrolled['rows_read']:,.0f}",
            "",
            "",
            f"{scrolled['thumbnails']:.0f} thumbnails decoded meanwhile (newest requests first)",
        ],
    ]
    headers = ["measure", "window", "bare QMainWindow", "ratio", "note"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
