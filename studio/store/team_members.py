"""The members of a team library: a LOGIN role each, in one of the library's group roles (studio.store.team_roles),
with a row in `team_members` saying who added them and when. Only the library's owner (who set it up) changes them:
members own nothing and hold no right to create roles."""

from __future__ import annotations

from dataclasses import dataclass

from studio.errors import InvalidInput, LibraryError, NotFound
from studio.store.db import POSTGRESQL, Database
from studio.store.team_roles import ROLES, check_member_name, group_role, quoted
from studio.store.works import now_iso


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: str
    added_by: str
    added_at: str


class TeamMembers:
    def __init__(self, db: Database) -> None:
        if db.engine != POSTGRESQL:
            raise InvalidInput("a local library has no members", hint="give a team library's postgresql:// address")
        self.db = db
        self.database = str(db.one("SELECT current_database()")[0])

    def list(self) -> list[TeamMember]:
        rows = self.db.query("SELECT name, role, added_by, added_at FROM team_members ORDER BY name")
        return [TeamMember(row[0], row[1], row[2], row[3]) for row in rows]

    def login_exists(self, name: str) -> bool:
        return self.db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (name,)) is not None

    def add(self, name: str, role: str, password: str | None) -> TeamMember:
        """Make `name` a member in `role`. A new login role needs `password`; a login the server already has (a
        member of another team library there) keeps its own password and joins this library's group."""
        _check(name, role)
        self._require_owner()
        if self.db.one("SELECT role FROM team_members WHERE name = ?", (name,)) is not None:
            raise InvalidInput(f"{name} is already a member of this team library",
                               hint=f"remove them first (`studio library members remove {name}`) to change the role")
        existing = self.login_exists(name)
        if not existing and not password:
            raise InvalidInput(f"{name} needs an initial password", hint="type it at the prompt")
        if existing and self._is_privileged(name):
            raise InvalidInput(f"{name} is a server administrator, not a member",
                               hint="give the member a login name of their own")
        with self.db.atomic():
            if not existing:
                self.db.execute(f"CREATE ROLE {quoted(name)} LOGIN")
            self.db.execute(f"GRANT {quoted(group_role(self.database, role))} TO {quoted(name)}")
            added_by = str(self.db.one("SELECT current_user")[0])
            member = TeamMember(name, role, added_by, now_iso())
            self.db.execute("INSERT INTO team_members (name, role, added_by, added_at) VALUES (?, ?, ?, ?)",
                            (member.name, member.role, member.added_by, member.added_at))
            if not existing and password:
                self.db.set_login_password(name, password)  # type: ignore[attr-defined]
        return member

    def remove(self, name: str) -> bool:
        """Take `name` out of the library: out of its group, and their login dropped when no other team library on
        the server has them. Returns whether the login was dropped."""
        self._require_owner()
        row = self.db.one("SELECT role FROM team_members WHERE name = ?", (name,))
        if row is None:
            raise NotFound(f"{name} is not a member of this team library", hint="see `studio library members list`")
        with self.db.atomic():
            self.db.execute(f"REVOKE {quoted(group_role(self.database, row[0]))} FROM {quoted(name)}")
            self.db.execute("DELETE FROM team_members WHERE name = ?", (name,))
            other = self.db.one("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                                "WHERE r.rolname = ?", (name,))
            if other is None:
                self.db.execute(f"DROP ROLE {quoted(name)}")
                return True
        return False

    def _is_privileged(self, name: str) -> bool:
        row = self.db.one("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = ?", (name,))
        return bool(row and row[0])

    def _require_owner(self) -> None:
        if not self.db.may_change_schema():  # type: ignore[attr-defined]
            raise LibraryError("only the team library's owner adds and removes members",
                               hint="connect as the server account that ran `studio library create --team`")


def _check(name: str, role: str) -> None:
    problem = check_member_name(name)
    if problem is not None:
        raise InvalidInput(f"invalid member name {name!r}", hint=problem)
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", hint=f"choose one of {', '.join(ROLES)}")
