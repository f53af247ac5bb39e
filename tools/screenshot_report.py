"""Write docs/report-screenshot.png: the lineage report of the demo chain's last work, as headless Chromium shows it.

Usage: .venv/bin/python tools/screenshot_report.py [--output PNG]

It builds a fresh demo library in a temporary folder (`studio demo`, which ends by writing that report), then
opens the report in Chromium with networking, sync and updates turned off.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SIZE = (1280, 2000)


def chromium_screenshot(page: Path, png: Path, *, size: tuple[int, int] = SIZE, timeout: float = 120) -> None:
    """Render a local HTML file to a PNG with headless Chromium; raises RuntimeError when it cannot."""
    browser = shutil.which(CHROMIUM) or shutil.which("chromium")
    if browser is None:
        raise RuntimeError(f"Chromium is not installed at {CHROMIUM}; run `make system-deps`")
    png.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={size[0]},{size[1]}",
            page.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not png.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"Chromium did not write {png} (exit {done.returncode}): {' | '.join(tail)}")


def demo_report(folder: Path) -> Path:
    """Build the demo library in `folder` and return the report its last step wrote."""
    command = [sys.executable, "-m", "studio", "demo", "--library", str(folder)]
    subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    reports = sorted(folder.glob("report-*.html"))
    if len(reports) != 1:
        raise RuntimeError(f"the demo wrote {len(reports)} reports in {folder}, expected one")
    return reports[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "report-screenshot.png")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="demo-library-") as folder:
        report = demo_report(Path(folder) / "library")
        args.output.parent.mkdir(parents=True, exist_ok=True)
        chromium_screenshot(report, args.output)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
