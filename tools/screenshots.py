"""Screenshots of the window's main views on the demo library, for the README (run by tools/screenshots.sh).

Usage: screenshots.py OUT_DIR [--library DIR]. Without --library, the demo library is built in a temporary
folder first (`studio demo`). Publishing is shown against the library's own devnet with a throwaway wallet, and
the devnet is stopped again at the end.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from studio.app.settings import SettingsStore, WindowSettings
from studio.errors import StudioError
from studio.ui.launch import application, open_window
from studio.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    app = QApplication.instance()
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.instance().processEvents()
        time.sleep(0.01)


def save(widget: QWidget, out: Path, name: str) -> None:
    settle()
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"  {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


def by_title(window: MainWindow, title: str) -> str:
    found = [w for w in window.session.studio.works(kind=None) if w.title == title]
    if not found:
        raise SystemExit(f"the demo library has no work titled {title!r}")
    return found[0].id


def thumbnails_ready(window: MainWindow) -> bool:
    model = window.library.model
    works = [model.work_at(r) for r in range(min(model.rowCount(), 12))]
    return all(window.thumbnails.pixmap(w) is not None for w in works if w is not None and w.file_path)


def shoot(window: MainWindow, out: Path) -> None:
    window.resize(*SIZE)
    window.jobs_dock.hide()
    wait_until(lambda: thumbnails_ready(window))

    night = by_title(window, "Tidepool at Night")
    window.session.select([night])
    window.tabs.setCurrentWidget(window.license_panel)
    save(window, out, "library")

    # The viewer: the work large, fitted to its window, with next/previous through the gallery.
    viewer = window.work_actions.open(night)
    viewer.resize(900, 700)
    wait_until(viewer.isVisible)
    viewer.view.fit()
    save(viewer, out, "viewer")
    viewer.close()

    # A published work: the last of the demo's chain on Story, with its IP id in the license panel.
    published = [w for w in window.session.studio.works() if w.id in window.session.published_ids()]
    if published:
        window.session.select([published[-1].id])
        window.tabs.setCurrentWidget(window.license_panel)
        wait_until(lambda: thumbnails_ready(window))
        save(window, out, "published")

    window.tabs.setCurrentWidget(window.lineage)
    generated = [w for w in window.session.studio.works() if w.origin.value == "generated"]
    window.session.select([generated[-1].id if generated else night])
    wait_until(lambda: thumbnails_ready(window))
    save(window, out, "lineage")

    window.session.select([night])
    window.tabs.setCurrentWidget(window.license_panel)
    window.license_panel.lrp.setChecked(True)
    save(window, out, "license-royalty")
    window.license_panel.lap.setChecked(True)

    # The Review tab follows the gallery to the selected work and shows its lineage & compliance report.
    review = window.review_panel
    review.set_default_reviewer("Mira Okafor")
    window.tabs.setCurrentWidget(review)
    wait_until(lambda: review.model.rowCount() > 0 and review.model.report is not None)
    save(window, out, "review")

    noon = by_title(window, "Tidepool at Noon")
    window.session.select([noon])
    panel = window.create_panel
    window.tabs.setCurrentWidget(panel)
    panel.prompt.setPlainText("the same tidepool under a violet storm, long exposure")
    settle()
    canvas = panel.mask
    centre = canvas.rect().center()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    for dx in range(0, 60, 6):
        QTest.mouseMove(canvas, centre + QPoint(dx, dx // 3))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre + QPoint(60, 20))
    save(window, out, "create")

    window.session.select([by_title(window, "Quiet Grid")])
    save(window, out, "create-refused")

    dialog = window.open_settings()
    save(dialog, out, "settings")
    dialog.reject()

    studio = window.session.studio
    try:
        try:
            studio.publish_setup.wallet()
        except StudioError:  # `studio demo` may already have made one
            studio.publish_setup.create_wallet()
        # A remix whose parent is on chain: the dialog shows its inherited terms, fees and split.
        dawn = by_title(window, "Tidepool at Dawn")
        if not studio.publish_runner.on_chain(dawn, "devnet"):
            studio.publish(dawn)
        window.session.select([noon])
        dialog = window.open_publish()
        wait_until(lambda: dialog.check is not None, timeout=120)
        dialog.adjustSize()
        save(dialog, out, "publish")
        dialog.close()

        # The built-in model's page: its training set, its data's creators and, on the devnet where the demo
        # published it, what the contributors' emoji earned from the demo's tip.
        emoji = window.session.studio.models.builtin("studio-emoji").work
        window.session.select([emoji.id])
        window.tabs.setCurrentWidget(window.model_page)
        wait_until(lambda: window.model_page.earnings_read is not None, timeout=120)
        settle()
        bar = window.model_page.verticalScrollBar()
        bar.setValue(bar.maximum())  # down to what the data's creators earned
        settle()
        save(window, out, "model")
    finally:
        window.shutdown()
        studio.publish_setup.devnet_stop()

    store = SettingsStore(window.settings_store.path)
    store.save(store.load().with_changes(theme="dark"))
    dark = open_window(window.session.library_dir, store)
    dark.resize(*SIZE)
    dark.show()
    dark.jobs_dock.hide()
    dark.session.select([night])
    dark.tabs.setCurrentWidget(dark.lineage)
    wait_until(lambda: thumbnails_ready(dark))
    save(dark, out, "library-dark")
    dark.shutdown()
    dark.close()


def shoot_empty(out: Path, folder: Path, store: SettingsStore) -> None:
    """A library with nothing in it yet: what the window suggests doing first."""
    store.save(store.load().with_changes(theme="light", window_geometry="", window_state=""))
    empty = open_window(folder, store)
    empty.resize(*SIZE)
    empty.show()
    empty.jobs_dock.hide()
    wait_until(empty.isVisible)
    save(empty, out, "empty")
    empty.shutdown()
    empty.close()


def build_demo(folder: Path) -> None:
    print(f"building the demo library in {folder} …")
    subprocess.run(
        [sys.executable, "-m", "studio", "demo", "--library", str(folder)],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--library", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="studio-shots-") as tmp:
        library = args.library or Path(tmp) / "demo-library"
        if args.library is None:
            build_demo(library)
        store = SettingsStore(Path(tmp) / "config" / "window.json")
        store.save(WindowSettings(theme="light", welcomed=True))
        application()
        window = open_window(library, store)
        window.show()
        wait_until(window.isVisible)
        print("writing screenshots:")
        shoot(window, args.out)
        window.close()
        shoot_empty(args.out, Path(tmp) / "empty-library", store)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
