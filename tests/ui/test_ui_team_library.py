"""File ▸ Open Team Library… on a real PostgreSQL server that checks passwords, with the real Secret Service as the
OS keyring (tools/run-tests.sh): a member opens the team library from the window, and every bad input is one line
in the dialog while the library open before stays open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from studio.secrets import Secret, SecretStore
from studio.store.library import Library
from studio.store.team_login import password_for, save_password, secret_name, with_member
from studio.store.team_members import TeamMembers
from tests.helpers.postgres import (
    SERVER_USER,
    PostgresServer,
    new_database,
    password_checking_postgres,
)
from tests.helpers.secret_service import secret_service_keyring

WAIT = 30_000
PASSWORD = "tide pool 7"


@pytest.fixture(scope="module")
def password_server() -> Iterator[PostgresServer]:
    """A server of its own that checks passwords (SCRAM) for everyone but its superuser."""
    with password_checking_postgres() as server:
        yield server


@pytest.fixture
def team(password_server: PostgresServer) -> Iterator[tuple[str, str]]:
    """A team library with one reviewer (password PASSWORD, none in the keyring yet): its address and the member."""
    store = SecretStore(secret_service_keyring())
    url = new_database(password_server)
    member = "lu_" + url.split("/")[3].split("?")[0][5:]
    with Library.open(url) as owner:
        TeamMembers(owner.db).add(member, "reviewer", PASSWORD)
    yield url, member
    store.delete(secret_name(with_member(url, member), member))
    password_server.drop(url)
    password_server.admin(f"DROP ROLE IF EXISTS {member}")


def try_open(qtbot, dialog, address: str, member: str, password: str = "") -> None:
    dialog.address.setText(address)
    dialog.member.setText(member)
    dialog.update_password_field()
    dialog.password.setText(password)
    dialog.open_button.click()


def one_line_problem(qtbot, dialog) -> str:
    qtbot.waitUntil(lambda: not dialog.problem.isHidden() and dialog.open_button.isEnabled(), timeout=WAIT)
    text = dialog.problem.text()
    assert "\n" not in text and "Traceback" not in text
    return text


def test_a_member_opens_the_team_library_and_the_keyring_keeps_the_password(team, window, qtbot,
                                                                            settings_store) -> None:
    url, member = team
    local = window.session
    dialog = window.open_team_dialog()
    assert dialog.asks_password and dialog.password.isVisible()  # the keyring holds nothing for this member yet
    with qtbot.waitSignal(window.library_opened, timeout=WAIT):
        try_open(qtbot, dialog, url, member, PASSWORD)
    assert window.session is not local
    library = window.session.studio.library
    assert library.db.member == member and library.db.member_roles == ["reviewer"]
    assert window.windowTitle().startswith(f"{member} at postgresql://")
    assert password_for(with_member(url, member)).reveal() == PASSWORD  # kept, as "remember" was ticked
    # Remembered by address and member only: the settings file never holds the password.
    assert window.settings.recent_team_libraries == (with_member(url, member),)
    assert PASSWORD not in settings_store.path.read_text()
    assert settings_store.load().recent_team_libraries == (with_member(url, member),)
    # Next time the dialog offers the library, and does not ask for the password the keyring now holds.
    again = window.open_team_dialog()
    assert again.recent.count() == 2 and member in again.recent.itemText(1)
    again.recent.activated.emit(1)
    assert again.member.text() == member and again.address.text().startswith("postgresql://")
    assert not again.asks_password and again.password.isHidden() and not again.saved_note.isHidden()
    again.reject()


def test_a_password_not_remembered_stays_out_of_the_keyring(team, window, qtbot) -> None:
    url, member = team
    dialog = window.open_team_dialog()
    dialog.remember.setChecked(False)
    with qtbot.waitSignal(window.library_opened, timeout=WAIT):
        try_open(qtbot, dialog, url, member, PASSWORD)
    assert window.session.studio.library.db.member == member
    assert password_for(with_member(url, member)) is None
    with qtbot.waitSignal(window.session.jobs.job_finished, timeout=WAIT) as finished:
        window.session.submit("check", "Who am I", lambda _ctx, studio: studio.library.db.member)
    assert finished.args[1] == member  # the typed password serves the session's jobs, from memory only


def test_bad_input_is_one_line_in_the_dialog_and_the_open_library_stays(team, window, qtbot, tmp_path,
                                                                        password_server) -> None:
    url, member = team
    local = window.session
    dialog = window.open_team_dialog()

    try_open(qtbot, dialog, url, member, "not the password")
    wrong = one_line_problem(qtbot, dialog)
    assert "password authentication failed" in wrong and member in wrong
    assert password_for(with_member(url, member)) is None  # a refused password is not kept

    try_open(qtbot, dialog, str(tmp_path), member, PASSWORD)
    assert "not a team library's address" in one_line_problem(qtbot, dialog)

    with_password = url.replace(f"{SERVER_USER}@", f"{member}:{PASSWORD.replace(' ', '%20')}@")
    try_open(qtbot, dialog, with_password, member)
    shown = one_line_problem(qtbot, dialog)
    assert "holds a password" in shown and "tide" not in shown

    try_open(qtbot, dialog, url, "Not A Name", PASSWORD)
    assert "invalid member name" in one_line_problem(qtbot, dialog)

    no_server = url.replace(f"port={password_server.port}", "port=1")
    try_open(qtbot, dialog, no_server, member, PASSWORD)
    assert "cannot reach the team library" in one_line_problem(qtbot, dialog)

    assert window.session is local and dialog.isVisible()
    assert window.settings.recent_team_libraries == ()
    with qtbot.waitSignal(window.library_opened, timeout=WAIT):  # and the next right answer opens it
        try_open(qtbot, dialog, url, member, PASSWORD)
    assert window.session.studio.library.db.member == member


def test_a_password_the_keyring_holds_but_the_server_refuses_can_be_typed_again(team, window, qtbot) -> None:
    url, member = team
    address = with_member(url, member)
    save_password(address, member, Secret("an old password"))
    dialog = window.open_team_dialog()
    dialog.address.setText(url)
    dialog.member.setText(member)
    dialog.update_password_field()
    assert not dialog.asks_password and dialog.password.isHidden()
    dialog.open_button.click()
    assert "password authentication failed" in one_line_problem(qtbot, dialog)
    assert dialog.asks_password and not dialog.password.isHidden()  # now asked, to replace the keyring's
    with qtbot.waitSignal(window.library_opened, timeout=WAIT):
        try_open(qtbot, dialog, url, member, PASSWORD)
    assert window.session.studio.library.db.member == member
    assert password_for(address).reveal() == PASSWORD
