"""Hostile input to File ▸ Open Team Library…: addresses that are folders, hold passwords, are malformed, huge or
carry markup and control characters; member names that are not logins; a server that is not there. Each is one
plain line in the dialog, no traceback, and the library open in the window stays open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from studio.app.session import StudioSession
from studio.app.settings import SettingsStore
from studio.services import Studio
from studio.ui.main_window import MainWindow

WAIT = 30_000
SERVER = "postgresql://127.0.0.1:1/team"

CASES = [
    ("{folder}", "ada", "is not a team library's address"),
    ("", "ada", "an empty address is not a team library's address"),
    ("<img src=x onerror=alert(1)>", "ada", "is not a team library's address"),
    ("postgresql://ada:hunter2@127.0.0.1:1/team", "ada", "holds a password"),
    (f"{SERVER}?sslmode=disable&PassWord=hunter2", "ada", "holds a password"),
    ("postgresql://[::1/team", "ada", "is not a valid address"),
    ("postgresql://127.0.0.1:99999/team", "ada", "is not a valid address"),
    ("postgresql://127.0.0.1:1/" + "x" * 100_000, "ada", "the address is too long"),
    ("postgresql://127.0.0.1:1/te\x1b[31mam\x07", "ada", "holds control characters"),
    ("postgresql://127.0.0.1:1/team\nother", "ada", "holds control characters"),
    (SERVER, 'bo"; DROP TABLE works; --', "invalid member name"),
    (SERVER, "<b>ada</b>", "invalid member name"),
    (SERVER, "x" * 10_000, "invalid member name"),
    (SERVER, "", "give the member name"),
    (SERVER, "ada", "cannot reach the team library"),
]


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    window = MainWindow(StudioSession(Studio.open(tmp_path / "library")), SettingsStore(tmp_path / "window.json"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.shutdown()


@pytest.mark.parametrize(("address", "member", "words"), CASES)
def test_hostile_input_to_the_team_dialog_is_one_plain_line(window, qtbot, tmp_path, address, member, words):
    local = window.session
    dialog = window.open_team_dialog()
    dialog.address.setText(address.format(folder=tmp_path))
    dialog.member.setText(member)
    dialog.update_password_field()
    dialog.password.setText("hunter2")
    dialog.open_button.click()
    qtbot.waitUntil(lambda: not dialog.problem.isHidden() and dialog.open_button.isEnabled(), timeout=WAIT)
    line = dialog.problem.text()
    assert words in line and "\n" not in line and "Traceback" not in line
    assert "hunter2" not in line and "\x1b" not in line and len(line) < 400
    assert dialog.problem.textFormat().name == "PlainText"
    assert window.session is local and window.settings.recent_team_libraries == ()
