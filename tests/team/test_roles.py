"""Each member connects as their own PostgreSQL role and is allowed or refused the same way through the app (the
record classes and services a window or the CLI drives) and through raw SQL, as with `psql`."""

from __future__ import annotations

from contextlib import closing

import psycopg
import pytest

from studio.core.types import Origin, Relation, Terms, WorkKind
from studio.errors import LibraryError
from studio.services.studio import Studio
from studio.store.library import Library
from studio.store.team_members import TeamMembers
from studio.store.works import NewWork
from tests.helpers.postgres import new_database
from tests.team.conftest import Team

NETWORK = "devnet"


def _work(library, n: int, title: str | None = None):
    return library.works.insert(NewWork(kind=WorkKind.image, sha256=f"sha{n}", title=title or f"work {n}",
                                        origin=Origin.imported, terms=Terms("cc0-1.0")))


def test_each_change_records_who_made_it(team: Team) -> None:
    with team.open("ada") as ada:
        parent = _work(ada, 1)
        child = _work(ada, 2)
        ada.edges.insert(child.id, parent.id, Relation.remix_of, 0, None)
        ada.works.update(child.id, title="renamed")
    with team.open("rex") as rex:
        rex.reviews.add(child.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
    with team.sql("max") as conn:
        works = dict(conn.execute("SELECT id, created_by || '/' || updated_by FROM works").fetchall())
        assert works == {parent.id: f"{team.name('ada')}/{team.name('ada')}",
                         child.id: f"{team.name('ada')}/{team.name('ada')}"}
        assert conn.execute("SELECT created_by FROM edges").fetchone()[0] == team.name("ada")
        assert conn.execute("SELECT created_by FROM reviews").fetchone()[0] == team.name("rex")


def test_nobody_writes_in_another_members_name(team: Team) -> None:
    with team.sql("ada") as conn:
        conn.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at, "
                     "created_by) VALUES ('w1', 'image', 's1', 't', 'imported', 'cc0-1.0', 'x', 'x', %s)",
                     (team.name("cy"),))
        assert conn.execute("SELECT created_by FROM works WHERE id = 'w1'").fetchone()[0] == team.name("ada")


def test_an_artist_may_not_change_another_artists_work(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1, "Ada's harbour")
    with team.open("cy") as cy:
        with pytest.raises(LibraryError, match="may not add or change this work") as refused:
            cy.works.update(work.id, title="taken over")
        assert "\n" not in str(refused.value) and team.name("cy") in str(refused.value)
        assert cy.works.get(work.id).title == "Ada's harbour"
        own = _work(cy, 2)
        with pytest.raises(LibraryError, match="may not change the lineage"):
            cy.edges.insert(work.id, own.id, Relation.remix_of, 0, None)
        cy.edges.insert(own.id, work.id, Relation.remix_of, 0, None)  # remixing another's work is the point
    with team.sql("cy") as conn:  # the same through psql
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE works SET title = 'taken over' WHERE id = %s", (work.id,))
        assert conn.execute("DELETE FROM works WHERE id = %s", (work.id,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO edges (child_id, parent_id, relation) VALUES (%s, %s, 'remix_of')",
                         (work.id, own.id))
        assert conn.execute("SELECT title FROM works WHERE id = %s", (work.id,)).fetchone()[0] == "Ada's harbour"


def test_a_reviewer_may_not_decide_on_their_own_work_nor_an_artist_at_all(team: Team) -> None:
    with team.open("ada") as ada:
        ada_work = _work(ada, 1)
    with team.sql("rex") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # reviewers add no works
        conn.execute("INSERT INTO works (id, kind, sha256, title, origin, license_id, created_at, updated_at) "
                     "VALUES ('r1', 'image', 'sr', 't', 'imported', 'cc0-1.0', 'x', 'x')")
    with team.open("ada") as ada, pytest.raises(LibraryError, match="may not approve or reject this work"):
        ada.reviews.add(ada_work.id, "approved", "Ada", None, report_sha256="r", lineage_sha256="l")
    with team.sql("ada") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, decided_at) "
                     "VALUES (%s, 'approved', 'Ada', 'r', 'l', 'x')", (ada_work.id,))


def test_self_approval_is_refused_through_the_app_and_raw_sql(team: Team, postgres_server) -> None:
    # A member who is both artist and reviewer (two groups) still never approves a work they made.
    postgres_server.admin(f"GRANT {team.owner_url.split('/')[3].split('?')[0]}_artist TO {team.name('rex')}")
    with team.open("rex") as rex:
        own = _work(rex, 7, "Rex's own")
        with pytest.raises(LibraryError, match="may not approve or reject this work") as refused:
            rex.reviews.add(own.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
        assert "\n" not in str(refused.value)
        assert rex.reviews.of_work(own.id) == []
    with team.sql("rex") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO reviews (work_id, decision, reviewer, report_sha256, lineage_sha256, "
                         "decided_at) VALUES (%s, 'approved', 'Rex', 'r', 'l', 'x')", (own.id,))
        assert conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == 0


def test_self_approval_through_the_review_service_is_refused_in_one_line(team: Team, postgres_server) -> None:
    postgres_server.admin(f"GRANT {team.owner_url.split('/')[3].split('?')[0]}_artist TO {team.name('rex')}")
    with team.open("rex") as rex:
        own = _work(rex, 8, "Rex's own")
    with closing(Studio.open(team.url("rex"))) as studio:
        with pytest.raises(LibraryError, match="may not approve or reject this work"):
            studio.review.record_decision(own.id, "approved", "Rex")
        assert studio.review.approval_status(own.id).state == "none"


def test_a_reviewer_approves_another_members_work_through_the_review_service(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1)
    with closing(Studio.open(team.url("rex"))) as studio:
        assert studio.review.record_decision(work.id, "approved", "Rex").state == "approved"
    with team.sql("pia") as conn:
        row = conn.execute("SELECT decision, created_by, voided_at FROM reviews WHERE work_id = %s",
                           (work.id,)).fetchone()
        assert row == ("approved", team.name("rex"), None)


def test_a_publisher_records_publications_only_of_approved_works(team: Team) -> None:
    with team.open("ada") as ada:
        unapproved = _work(ada, 1)
        approved = _work(ada, 2)
    with team.open("rex") as rex:
        rex.reviews.add(approved.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
    with team.open("pia") as pia:
        with pytest.raises(LibraryError, match="may not record a publication of this work") as refused:
            pia.publications.insert_draft(unapproved.id, NETWORK, 1315, "0xabc", {})
        assert "publisher" in str(refused.value) and "\n" not in str(refused.value)
        assert pia.publications.list(work_id=unapproved.id) == []
        draft = pia.publications.insert_draft(approved.id, NETWORK, 1315, "0xabc", {})
        assert pia.publications.update_from(draft.id, ("draft",), state="sent", tx_hash="0x1")
    with team.sql("pia") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
                     "VALUES (%s, 'other', 1315, 'draft', 'x', 'x')", (unapproved.id,))
    with team.sql("ada") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):  # artists do not publish
        conn.execute("INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
                     "VALUES (%s, 'other', 1315, 'draft', 'x', 'x')", (approved.id,))


def test_a_rejection_is_no_approval_for_the_publisher(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1)
    with team.open("rex") as rex:
        rex.reviews.add(work.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
        rex.reviews.add(work.id, "rejected", "Rex", "no", report_sha256="r", lineage_sha256="l")
    with team.sql("pia") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
                     "VALUES (%s, 'devnet', 1315, 'draft', 'x', 'x')", (work.id,))


@pytest.mark.parametrize("change", ["new parent", "parent removed", "ancestor's license", "ancestor's new parent"])
def test_the_database_voids_an_approval_when_the_lineage_changes(team: Team, change: str) -> None:
    with team.open("ada") as ada:
        grand = _work(ada, 1)
        parent = _work(ada, 2)
        child = _work(ada, 3)
        other = _work(ada, 4)
        ada.edges.insert(parent.id, grand.id, Relation.remix_of, 0, None)
        ada.edges.insert(child.id, parent.id, Relation.remix_of, 0, None)
    with closing(Studio.open(team.url("rex"))) as studio:
        studio.review.record_decision(child.id, "approved", "Rex")
    with team.open("ada") as ada:
        if change == "new parent":
            ada.edges.insert(child.id, other.id, Relation.composite_of, 1, None)
        elif change == "parent removed":
            ada.db.execute("DELETE FROM edges WHERE child_id = ?", (child.id,))
        elif change == "ancestor's license":
            ada.works.update(grand.id, terms=Terms("cc-by-4.0"))
        else:
            ada.edges.insert(grand.id, other.id, Relation.remix_of, 0, None)
    with team.sql("pia") as conn:  # voided in the database itself, by whom it says
        row = conn.execute("SELECT voided_at IS NOT NULL, voided_by FROM reviews WHERE work_id = %s",
                           (child.id,)).fetchone()
        assert row == (True, team.name("ada"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # and the publisher may not publish it
            conn.execute("INSERT INTO publications (work_id, network, chain_id, state, created_at, updated_at) "
                         "VALUES (%s, 'devnet', 1315, 'draft', 'x', 'x')", (child.id,))
    with closing(Studio.open(team.url("rex"))) as studio:  # the app says voided, as for a local library
        assert studio.review.approval_status(child.id).state == "voided"


def test_a_title_change_keeps_the_approval(team: Team) -> None:
    """Only what the lineage hash covers voids: a new title is no new lineage."""
    with team.open("ada") as ada:
        work = _work(ada, 1)
    with team.open("rex") as rex:
        rex.reviews.add(work.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
    with team.open("ada") as ada:
        ada.works.update(work.id, title="better title")
    with team.sql("rex") as conn:
        assert conn.execute("SELECT voided_at FROM reviews").fetchone()[0] is None


def test_nobody_but_the_database_voids_or_edits_a_decision(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1)
    with team.open("rex") as rex:
        rex.reviews.add(work.id, "approved", "Rex", None, report_sha256="r", lineage_sha256="l")
    for member in ("rex", "ada", "pia", "max"):
        with team.sql(member) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("UPDATE reviews SET decision = 'rejected'")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("DELETE FROM reviews")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT studio_void_approvals(%s)", (work.id,))


def test_settings_and_models_are_the_admins(team: Team) -> None:
    with team.open("ada") as ada, pytest.raises(LibraryError, match="may not change the library's settings"):
        ada.settings.set_bool("review.required", True)
    with team.open("max") as admin:
        admin.settings.set_bool("review.required", True)
        assert admin.settings.get_bool("review.required")
    with team.sql("pia") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO settings (key, value) VALUES ('x', 'y')")


def test_the_app_connects_as_a_member_who_owns_nothing(team: Team) -> None:
    """Row-level security binds every member: none owns a table (an owner would pass its policies by default)."""
    with team.sql("max") as conn:
        owners = {row[0] for row in conn.execute("SELECT DISTINCT tableowner FROM pg_tables "
                                                 "WHERE schemaname = current_schema()")}
        assert not owners & {team.name(m) for m in ("ada", "cy", "rex", "pia", "max")}
        forced = conn.execute("SELECT count(*) FROM pg_class WHERE relname IN ('works', 'edges', 'reviews', "
                              "'publications', 'settings') AND relrowsecurity AND relforcerowsecurity").fetchone()[0]
        assert forced == 5


def test_a_removed_member_is_refused_in_one_line(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1)
    with closing(Studio.open(team.owner_url)) as owner:
        assert TeamMembers(owner.library.db).remove(team.name("cy")) is True
    with pytest.raises(LibraryError, match="refused the member") as refused:
        team.open("cy")
    assert "\n" not in str(refused.value)
    with pytest.raises(psycopg.OperationalError):
        team.sql("cy")
    with team.sql("ada") as conn:
        assert conn.execute("SELECT title FROM works WHERE id = %s", (work.id,)).fetchone()[0] == "work 1"


def test_a_member_made_nologin_is_refused_in_one_line(team: Team, postgres_server) -> None:
    postgres_server.admin(f"ALTER ROLE {team.name('cy')} NOLOGIN")
    with pytest.raises(LibraryError, match=f"refused the member {team.name('cy')}.*not permitted to log in"):
        team.open("cy")


def test_a_member_taken_out_of_every_group_cannot_connect(team: Team, postgres_server) -> None:
    database = team.owner_url.split("/")[3].split("?")[0]
    postgres_server.admin(f"REVOKE {database}_artist FROM {team.name('cy')}")
    with pytest.raises(LibraryError, match=r"refused the member .*permission denied for database"):
        team.open("cy")


def test_a_refused_change_leaves_nothing_half_written(team: Team) -> None:
    """A new work and its edge to another's work in one transaction: the refused edge takes the work back with it."""
    with team.open("ada") as ada:
        theirs = _work(ada, 1)
    with team.open("cy") as cy:
        with pytest.raises(LibraryError), cy.db.atomic():
            mine = _work(cy, 2)
            cy.edges.insert(theirs.id, mine.id, Relation.remix_of, 0, None)
        assert cy.works.by_sha256("sha2") is None


def test_two_team_libraries_on_one_server_keep_their_own_groups(team: Team, postgres_server) -> None:
    other = new_database(postgres_server)
    try:
        with Library.open(other) as lib:
            groups = [row[0] for row in lib.db.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'test%%' "
                                                     "ORDER BY rolname")]
        mine = team.owner_url.split("/")[3].split("?")[0]
        theirs = other.split("/")[3].split("?")[0]
        assert {f"{mine}_artist", f"{theirs}_artist", f"{theirs}_admin"} <= set(groups)
        # a member of one library cannot even connect to the other
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(other.replace("postgresql://postgres@", f"postgresql://{team.name('ada')}@"))
    finally:
        postgres_server.drop(other)


def test_a_member_removed_while_the_library_is_open_is_told_in_one_line(team: Team) -> None:
    with team.open("ada") as ada:
        work = _work(ada, 1)
    cy = team.open("cy")
    try:
        with closing(Studio.open(team.owner_url)) as owner:
            TeamMembers(owner.library.db).remove(team.name("cy"))
        with pytest.raises(LibraryError, match="may no longer read the team library") as refused:
            cy.works.list()
        assert "\n" not in str(refused.value)
        with pytest.raises(LibraryError):
            _work(cy, 2)
    finally:
        cy.close()
    with team.sql("ada") as conn:
        assert [row[0] for row in conn.execute("SELECT id FROM works")] == [work.id]
