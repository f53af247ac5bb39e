"""The Review tab on a team library (a real PostgreSQL server, each member connecting as their own role): the queue
lists every member's works with who made each, a reviewer's own works are marked as not theirs to decide before
they try, and the work under review says who made it and who approved it, or whose change voided the approval."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import pytest

from studio.app.review_model import OWN_WORK, WorkIdRole, waiting_works, work_credit
from studio.app.session import StudioSession
from studio.core.types import Relation
from studio.services import Studio
from studio.store.library import Library
from studio.store.team_members import TeamMembers
from studio.ui.main_window import MainWindow
from tests.helpers import qt_fixtures
from tests.helpers.postgres import PostgresServer

WAIT = 20_000


class Team:
    def __init__(self, owner_url: str) -> None:
        self.owner_url = owner_url
        self.prefix = "m" + owner_url.split("/")[3].split("?")[0].removeprefix("test_") + "_"

    def name(self, member: str) -> str:
        return f"{self.prefix}{member}"

    def url(self, member: str) -> str:
        return self.owner_url.replace("postgresql://postgres@", f"postgresql://{self.name(member)}@", 1)


@pytest.fixture
def team(postgres_url: str, postgres_server: PostgresServer) -> Iterator[Team]:
    """An artist (ada) and a reviewer who is an artist too (rex): the reviewer's own works are in the queue."""
    team = Team(postgres_url)
    with Library.open(postgres_url) as owner:
        members = TeamMembers(owner.db)
        members.add(team.name("ada"), "artist", "initial-ada")
        members.add(team.name("rex"), "reviewer", "initial-rex")
    database = postgres_url.split("/")[3].split("?")[0]
    postgres_server.admin(f"GRANT {database}_artist TO {team.name('rex')}")
    yield team
    for member in ("ada", "rex"):  # the logins are the server's, not the database's
        postgres_server.admin(f"DROP ROLE IF EXISTS {team.name(member)}")


@pytest.fixture
def works(team: Team, make_image) -> dict[str, str]:
    with closing(Studio.open(team.url("ada"))) as ada:
        tidepool = qt_fixtures.import_image(ada, make_image, title="Tidepool")
        approved = qt_fixtures.import_image(ada, make_image, title="Approved dunes")
    with closing(Studio.open(team.url("rex"))) as rex:
        own = qt_fixtures.import_image(rex, make_image, title="Rex's own")
        rex.review.record_decision(approved, "approved", "Rex")
    return {"tidepool": tidepool, "approved": approved, "own": own}


@pytest.fixture
def rex_window(team: Team, works, qtbot, settings_store) -> Iterator[MainWindow]:
    window = MainWindow(StudioSession(Studio.open(team.url("rex"))), settings_store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.shutdown()


def test_the_reviewers_queue_lists_every_members_works_and_marks_their_own(rex_window, team, works, qtbot) -> None:
    panel = rex_window.review_panel
    with qtbot.waitSignal(panel.model.listed, timeout=WAIT):
        rex_window.actions_by_name["show_review"].trigger()
    rows = {row.work_id: row for row in panel.model.rows}
    assert set(rows) == {works["tidepool"], works["own"]}  # the approved work no longer waits
    assert rows[works["tidepool"]].made_by == team.name("ada") and not rows[works["tidepool"]].own
    assert rows[works["own"]].made_by == team.name("rex") and rows[works["own"]].own
    shown = {panel.model.index(n).data(WorkIdRole): panel.model.index(n).data() for n in range(len(rows))}
    assert f"made by {team.name('ada')}" in shown[works["tidepool"]]
    assert "made by you: not yours to review" in shown[works["own"]]

    panel.reviewer.setText("Rex")
    with qtbot.waitSignal(panel.model.report_changed, timeout=WAIT,
                          check_params_cb=lambda: panel.model.report is not None):
        panel.model.show(works["own"])
    assert not panel.approve.isEnabled() and not panel.reject.isEnabled()
    assert panel.approve.toolTip() == OWN_WORK and "another reviewer" in panel.message.text()
    assert panel.credit.text() == f"made by {team.name('rex')} · not reviewed yet" and not panel.credit.isHidden()

    with qtbot.waitSignal(panel.model.report_changed, timeout=WAIT,
                          check_params_cb=lambda: panel.model.report is not None):
        panel.model.show(works["tidepool"])
    assert panel.approve.isEnabled() and panel.approve.toolTip() == ""
    assert panel.credit.text() == f"made by {team.name('ada')} · not reviewed yet"
    with qtbot.waitSignal(panel.model.decided, timeout=WAIT):
        panel.approve.click()
    assert panel.credit.text().startswith(f"made by {team.name('ada')} · approved by {team.name('rex')} at 20")


def test_the_credit_says_who_approved_and_whose_change_voided_it(team, works) -> None:
    with closing(Studio.open(team.url("rex"))) as rex:
        credit = work_credit(rex, works["approved"])
        assert credit.startswith(f"made by {team.name('ada')} · approved by {team.name('rex')} at 20")
    with closing(Studio.open(team.url("ada"))) as ada:  # the artist gives the approved work a new parent
        ada.library.edges.insert(works["approved"], works["tidepool"], Relation.remix_of, 0, None)
        voided = work_credit(ada, works["approved"])
    assert voided.startswith(f"made by {team.name('ada')} · approval by {team.name('rex')} voided by "
                             f"{team.name('ada')}'s change at 20")


def test_a_local_library_shows_no_member_credit(window, add_image) -> None:
    work_id = add_image(title="Alone")
    assert work_credit(window.session.studio, work_id) == ""
    [row] = waiting_works(window.session.studio).works
    assert row.work_id == work_id and row.made_by is None and not row.own and "made by" not in row.state_text
