"""Settings (window and publishing), themes, remembered geometry, switching libraries, and `studio` with no
arguments opening the window without loading torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from ui_helpers import press

from studio.ui.launch import start
from studio.ui.main_window import MainWindow
from studio.ui.settings_dialog import SettingsDialog
from studio.ui.theme import apply_theme

REPO = Path(__file__).resolve().parents[2]


def test_settings_are_saved_and_the_theme_applies(qtbot, window, settings_store):
    app = QApplication.instance()
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog) and dialog.isVisible()
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    qtbot.keyClicks(dialog.creator, "Mira Okafor")
    dialog.network.setCurrentIndex(dialog.network.findData("aeneid"))
    qtbot.keyClicks(dialog.rpc, "https://rpc.example.org")
    qtbot.keyClicks(dialog.gateway, "https://gateway.example.org")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert not dialog.isVisible()
    try:
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 100
        saved = json.loads(settings_store.path.read_text())
        assert saved["theme"] == "dark" and saved["creator"] == "Mira Okafor"
        studio = window.session.studio
        assert studio.publish_setup.default_network() == "aeneid"
        assert studio.publish_setup.setting("rpc.aeneid") == "https://rpc.example.org"
        assert studio.publish_setup.setting("ipfs.gateway") == "https://gateway.example.org"
        assert window.settings.creator == "Mira Okafor"
    finally:
        apply_theme(app, "light")
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 150


def test_a_bad_address_keeps_the_dialog_open_and_saves_nothing(qtbot, window):
    studio = window.session.studio
    dialog = window.open_settings()
    dialog.network.setCurrentIndex(dialog.network.findData("aeneid"))
    qtbot.keyClicks(dialog.gateway, "https://gateway.example.org")
    qtbot.keyClicks(dialog.rpc, "not a url")
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert dialog.isVisible() and "not an http(s) RPC URL" in dialog.error.text()
    assert studio.publish_setup.default_network() == "devnet" and studio.publish_setup.setting("ipfs.gateway") is None


def test_a_pinning_token_goes_to_the_keyring_only(qtbot, window, settings_store, tmp_path, monkeypatch):
    keyring_file = tmp_path / "test-keyring.json"
    monkeypatch.setenv("STUDIO_KEYRING", f"plainfile:{keyring_file}")
    token = "pin-token-Ke7#d9"
    dialog = window.open_settings()
    qtbot.keyClicks(dialog.pinning, "https://pin.example.org/upload")
    qtbot.keyClicks(dialog.token, token)
    press(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    assert not dialog.isVisible()
    assert token in keyring_file.read_text()
    assert token not in settings_store.path.read_text()
    db = window.session.library_dir / "library.db"
    assert token.encode() not in db.read_bytes() and token.encode() not in Path(str(db) + "-wal").read_bytes()


def test_window_geometry_is_remembered(qtbot, open_window):
    first = open_window()
    # Within the offscreen screen (800x800), which restoring clamps to, and above the window's minimum.
    size = QSize(first.minimumSizeHint().width() + 10, 530)
    assert size.width() < 800
    first.resize(size)
    assert first.size() == size
    first.close()
    assert first.settings.window_geometry
    second = open_window()
    assert second.size() == size


def test_switching_libraries_and_refusing_an_unusable_one(qtbot, window, tmp_path, make_image):
    other = tmp_path / "other-library"
    assert window.open_library(other)
    assert str(other) in window.windowTitle() and window.session.library_dir == other
    assert window.settings.library_dir == str(other)
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    assert not window.open_library(not_a_folder)
    box = window.findChild(QMessageBox)
    assert box is not None and "is a file" in box.text()
    box.close()
    assert window.session.library_dir == other  # the open library is untouched


def test_studio_with_no_arguments_opens_the_window_without_torch(tmp_path):
    library = tmp_path / "lib"
    script = textwrap.dedent(f"""
        import sys, time
        from PySide6.QtWidgets import QApplication

        def shown(self):
            windows = [w for w in self.topLevelWidgets() if w.isVisible() and w.windowTitle().startswith("Remix")]
            window = windows[0]
            print("SHELL", window.session is None, "studio.services" in sys.modules)
            deadline = time.monotonic() + 60
            while window.session is None and time.monotonic() < deadline:
                self.processEvents()
                time.sleep(0.01)
            print("WINDOW", window.windowTitle())
            print("ROWS", window.library.model.rowCount())
            heavy = sorted(m for m in ("torch", "diffusers", "transformers") if m in sys.modules)
            print("HEAVY", heavy)
            window.close()
            return 0

        QApplication.exec = shown
        sys.argv = ["studio", "--library", {str(library)!r}]
        from studio.launcher import main
        main()
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_CONFIG_DIR": str(tmp_path / "cfg")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "SHELL True False" in done.stdout  # shown before the engines are even loaded
    assert f"WINDOW {library} — Remix Studio" in done.stdout and "ROWS 0" in done.stdout
    assert "HEAVY []" in done.stdout
    assert (tmp_path / "cfg" / "window.json").exists()  # closing saved the window's settings


def test_the_smoke_switch_quits_once_the_window_is_shown_with_its_library_open(tmp_path):
    library = tmp_path / "lib"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STUDIO_CONFIG_DIR": str(tmp_path / "cfg"),
           "STUDIO_SMOKE_QUIT_AFTER_SHOWN": "1"}
    done = subprocess.run([sys.executable, "-m", "studio", "--library", str(library)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "window shown, library open (STUDIO_SMOKE_QUIT_AFTER_SHOWN)" in done.stderr
    assert (library / "library.db").exists()  # the library was really opened


def test_a_library_that_cannot_open_leaves_the_window_usable(qtbot, tmp_path, settings_store):
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    window = start(not_a_folder, settings_store)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is not None, timeout=30_000)
    assert "is a file" in window.findChild(QMessageBox).text()
    assert window.session is None and "could not be opened" in window.note.text()
    assert window.actions_by_name["open_library"].isEnabled() and not window.actions_by_name["import"].isEnabled()
    window.shutdown()


def test_a_relaunched_window_gives_the_jobs_dock_the_height_it_had(qtbot, open_window, library_dir) -> None:
    first = open_window()
    qtbot.wait(50)
    height = first.jobs_dock.height()
    assert height < first.height() // 3
    first.close()  # saves the window's geometry and docks, as quitting does

    again = open_window(library_dir)
    qtbot.waitUntil(lambda: again._pending_state is None)
    qtbot.wait(50)
    assert abs(again.jobs_dock.height() - height) <= 4, (again.jobs_dock.height(), height, again.height())


def test_quitting_before_a_library_opened_keeps_the_docks_saved_last_time(qtbot, settings_store) -> None:
    saved = settings_store.load().with_changes(window_state="AAAA/wAAAAD9")
    settings_store.save(saved)
    window = MainWindow(None, settings_store)  # the shell only: no library's views yet
    qtbot.addWidget(window)
    window.show()
    window.close()
    assert settings_store.load().window_state == "AAAA/wAAAAD9"


def test_the_windows_views_load_without_the_chain_client_or_wallet_keys() -> None:
    """The worker that opens the first library imports the views on the way to the first gallery page: publishing's
    plans and dialogs come with them, but web3, the Story SDK and eth-account load with the first chain client or
    wallet key (each about half a second or more)."""
    code = textwrap.dedent("""
        import sys
        import studio.ui.workspace
        heavy = ("web3", "story_protocol_python_sdk", "eth_account", "studio.story.chain", "torch", "c2pa")
        print(sorted(m for m in heavy if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
