"""People and roles of a team library, enforced by PostgreSQL itself: group roles, grants, row-level security
policies and triggers, so a member who bypasses the app (`psql`) is refused exactly as the app's member is.

Each team library has four group roles named for its database (`<db>_artist`, `<db>_reviewer`, `<db>_publisher`,
`<db>_admin`), so two team libraries on one server never share a group. A member is a LOGIN role in one group.
- artist: adds works and changes only the works, lineage, credentials and permissions of works they made;
- reviewer: approves or rejects works, never their own;
- publisher: records publications only of works whose latest decision is an approval the database has not voided,
  and keeps the publishing journal (SPG collections, group members);
- admin: the library's settings and models (and works, as an artist of every work).
Every member reads everything. The library's owner (who ran `studio library create --team`) keeps every right;
FORCE ROW LEVEL SECURITY holds the owner to its own policy too, so nothing but that policy lets the owner through.

Who made each change: `created_by`/`updated_by` are set by a trigger to the member's role (never taken from the
statement, so nobody can write in another's name). An approval is voided by the database when the lineage it was
bound to changes: an edge of the work or of any ancestor added, changed or removed, or the file, license or terms of
the work or an ancestor changed (the same changes that change the review service's lineage hash).

This module holds only SQL text and names: it imports no database driver.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

ROLES = ("artist", "reviewer", "publisher", "admin")
MAX_ROLE_NAME = 63  # PostgreSQL cuts longer names silently: two groups could end up with one name

# The tables members write, each with created_by and updated_by.
STAMPED_TABLES = (
    "works", "edges", "reviews", "publications", "spg_collections", "credentials", "settings", "models",
    "collection_members", "training_permissions", "group_members", "license_confirmations",
)
# Columns the database fills in for the member who writes a row (who made it, whose change voided an approval):
# never copied from elsewhere, so a push records the member who pushed.
STAMP_COLUMNS = ("created_by", "updated_by", "voided_at", "voided_by")
# Work-owned tables: an artist writes the rows of the works they made. Table -> the column naming the work.
_WORK_OWNED = {
    "edges": "child_id", "credentials": "work_id", "training_permissions": "work_id",
    "license_confirmations": "work_id",
}
_PUBLISHER_TABLES = ("publications", "spg_collections", "group_members")
_ADMIN_TABLES = ("settings", "models")
# Columns whose change changes a work's lineage hash (services/review.py): the approval of it and its descendants.
LINEAGE_COLUMNS = ("sha256", "license_id", "rev_share", "rev_share_override", "minting_fee", "royalty_policy")

_MEMBER_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def quoted(name: str) -> str:
    """A PostgreSQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A PostgreSQL string literal (for the few statements, such as DDL, that take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def group_role(database: str, role: str) -> str:
    """The group role of `role` in the team library whose database is `database`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    name = f"{database}_{role}"
    if len(name) <= MAX_ROLE_NAME:
        return name
    digest = f"{zlib.crc32(database.encode()):08x}"
    return f"{database[:MAX_ROLE_NAME - len(role) - 10]}_{digest}_{role}"


def check_member_name(name: str) -> str | None:
    """Why `name` cannot be a member's login name, or None. Plain lower-case names only: a login name is typed in
    `psql` and in addresses, and PostgreSQL folds unquoted names to lower case."""
    if not _MEMBER_NAME.match(name or ""):
        return "use 1 to 63 lower-case letters, digits or underscores, starting with a letter"
    if name.startswith("pg_"):
        return "names starting with pg_ belong to PostgreSQL"
    return None


@dataclass(frozen=True)
class TeamSetup:
    """The statements that make a library's database a team library, for the database `database` owned by
    `owner` (the role running the migration)."""

    database: str
    owner: str
    schema: str

    def group(self, role: str) -> str:
        return quoted(group_role(self.database, role))

    @property
    def everyone(self) -> str:
        return ", ".join(self.group(role) for role in ROLES)

    def grants(self) -> list[str]:
        artist, reviewer, publisher, admin = (self.group(r) for r in ROLES)
        schema = quoted(self.schema)
        db = quoted(self.database)
        statements = [
            # Only members (and the owner) connect: a member taken out of every group cannot log in at all.
            f"REVOKE CONNECT ON DATABASE {db} FROM PUBLIC",
            f"GRANT CONNECT ON DATABASE {db} TO {self.everyone}",
            f"GRANT USAGE ON SCHEMA {schema} TO {self.everyone}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {self.everyone}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {self.everyone}",
            # Tables later migrations add (run by the owner) are readable by every member; writing one needs the
            # migration's own grants and policies.
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {self.everyone}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {self.everyone}",
            f"GRANT INSERT, UPDATE, DELETE ON works, collection_members, {', '.join(_WORK_OWNED)} "
            f"TO {artist}, {admin}",
            f"GRANT INSERT ON reviews TO {reviewer}",
            f"GRANT INSERT, UPDATE ON {', '.join(_PUBLISHER_TABLES)} TO {publisher}",
            f"GRANT INSERT, UPDATE, DELETE ON {', '.join(_ADMIN_TABLES)} TO {admin}",
        ]
        return statements

    def policies(self) -> list[str]:
        artist, reviewer, publisher, admin = (self.group(r) for r in ROLES)
        owner = quoted(self.owner)
        out: list[str] = []
        for table in STAMPED_TABLES:
            out += [
                f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
                f"CREATE POLICY {table}_owner ON {table} TO {owner} USING (true) WITH CHECK (true)",
                f"CREATE POLICY {table}_read ON {table} FOR SELECT TO {self.everyone} USING (true)",
            ]
        mine = "created_by = current_user"
        # UPDATE sees every row but accepts only the member's own: changing another's work is refused with an
        # error (the trigger keeps created_by), not silently skipped.
        out += [
            f"CREATE POLICY works_add ON works FOR INSERT TO {artist}, {admin} WITH CHECK ({mine})",
            f"CREATE POLICY works_change ON works FOR UPDATE TO {artist} USING (true) WITH CHECK ({mine})",
            f"CREATE POLICY works_remove ON works FOR DELETE TO {artist} USING ({mine})",
            f"CREATE POLICY works_admin ON works FOR ALL TO {admin} USING (true) WITH CHECK (true)",
        ]
        for table, column in _WORK_OWNED.items():
            own_work = (f"EXISTS (SELECT 1 FROM works w WHERE w.id = {table}.{column} "
                        "AND w.created_by = current_user)")
            out += [
                f"CREATE POLICY {table}_add ON {table} FOR INSERT TO {artist} WITH CHECK ({own_work})",
                f"CREATE POLICY {table}_change ON {table} FOR UPDATE TO {artist} USING (true) "
                f"WITH CHECK ({own_work})",
                f"CREATE POLICY {table}_remove ON {table} FOR DELETE TO {artist} USING ({own_work})",
                f"CREATE POLICY {table}_admin ON {table} FOR ALL TO {admin} USING (true) WITH CHECK (true)",
            ]
        # A member adds their own works to anyone's training set; the set's maker arranges it.
        own_member = ("EXISTS (SELECT 1 FROM works w WHERE w.created_by = current_user "
                      "AND w.id IN (collection_members.work_id, collection_members.collection_id))")
        out += [
            f"CREATE POLICY collection_members_add ON collection_members FOR INSERT TO {artist} "
            f"WITH CHECK ({own_member})",
            f"CREATE POLICY collection_members_change ON collection_members FOR UPDATE TO {artist} USING (true) "
            f"WITH CHECK ({own_member})",
            f"CREATE POLICY collection_members_remove ON collection_members FOR DELETE TO {artist} "
            f"USING ({own_member})",
            f"CREATE POLICY collection_members_admin ON collection_members FOR ALL TO {admin} USING (true) "
            "WITH CHECK (true)",
        ]
        # A reviewer decides, never on a work they made; decisions are never edited (voiding is the database's).
        out.append(
            f"CREATE POLICY reviews_decide ON reviews FOR INSERT TO {reviewer} WITH CHECK ({mine} "
            "AND voided_at IS NULL AND NOT EXISTS (SELECT 1 FROM works w WHERE w.id = reviews.work_id "
            "AND w.created_by = current_user))"
        )
        approved = ("(SELECT r.decision = 'approved' AND r.voided_at IS NULL FROM reviews r "
                    "WHERE r.work_id = publications.work_id ORDER BY r.id DESC LIMIT 1) IS TRUE")
        out += [
            f"CREATE POLICY publications_record ON publications FOR INSERT TO {publisher} "
            f"WITH CHECK ({mine} AND {approved})",
            f"CREATE POLICY publications_settle ON publications FOR UPDATE TO {publisher} USING (true) "
            "WITH CHECK (true)",
        ]
        for table in ("spg_collections", "group_members"):
            out += [
                f"CREATE POLICY {table}_add ON {table} FOR INSERT TO {publisher} WITH CHECK ({mine})",
                f"CREATE POLICY {table}_settle ON {table} FOR UPDATE TO {publisher} USING (true) WITH CHECK (true)",
            ]
        for table in _ADMIN_TABLES:
            out.append(f"CREATE POLICY {table}_admin ON {table} FOR ALL TO {admin} USING (true) WITH CHECK (true)")
        return out

    def functions(self) -> list[str]:
        """The stamping and voiding triggers. The stamp runs as the member (current_user is who wrote); voiding
        runs as the owner (SECURITY DEFINER), since no member may change a decision, and records the login role
        whose change voided it. Only the triggers call the voiding function: no member may call it."""
        schema = quoted(self.schema)
        now = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        lineage_changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in LINEAGE_COLUMNS)
        statements = [
            f"""CREATE OR REPLACE FUNCTION {schema}.studio_stamp() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    NEW.created_by := current_user;
                ELSE
                    NEW.created_by := OLD.created_by;
                END IF;
                NEW.updated_by := current_user;
                RETURN NEW;
            END $body$""",
            f"""CREATE OR REPLACE FUNCTION {schema}.studio_void_approvals(changed TEXT) RETURNS void
            LANGUAGE sql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $body$
                WITH RECURSIVE below(id) AS (
                    SELECT changed
                    UNION SELECT e.child_id FROM edges e JOIN below b ON e.parent_id = b.id)
                UPDATE reviews SET voided_at = {now}, voided_by = session_user
                WHERE work_id IN (SELECT id FROM below) AND decision = 'approved' AND voided_at IS NULL
            $body$""",
            f"""CREATE OR REPLACE FUNCTION {schema}.studio_void_on_edge() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = {schema}, pg_temp AS $body$
            BEGIN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM {schema}.studio_void_approvals(OLD.child_id);
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    PERFORM {schema}.studio_void_approvals(NEW.child_id);
                END IF;
                RETURN NULL;
            END $body$""",
            f"""CREATE OR REPLACE FUNCTION {schema}.studio_void_on_work() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = {schema}, pg_temp AS $body$
            BEGIN
                IF {lineage_changed} THEN
                    PERFORM {schema}.studio_void_approvals(NEW.id);
                END IF;
                RETURN NULL;
            END $body$""",
            f"REVOKE ALL ON FUNCTION {schema}.studio_void_approvals(TEXT) FROM PUBLIC",
        ]
        for table in STAMPED_TABLES:
            statements.append(f"CREATE TRIGGER {table}_stamp BEFORE INSERT OR UPDATE ON {table} "
                              f"FOR EACH ROW EXECUTE FUNCTION {schema}.studio_stamp()")
        statements += [
            f"CREATE TRIGGER edges_void_approvals AFTER INSERT OR UPDATE OR DELETE ON edges "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.studio_void_on_edge()",
            f"CREATE TRIGGER works_void_approvals AFTER UPDATE ON works "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.studio_void_on_work()",
        ]
        return statements


def member_table_ddl() -> str:
    """Who is a member of the team library, in which role, added by whom and when (PostgreSQL's catalogs keep
    neither the adder nor the time). Written by the library's owner only."""
    return ("CREATE TABLE team_members (name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN "
            f"({', '.join(literal(r) for r in ROLES)})), added_by TEXT NOT NULL, added_at TEXT NOT NULL)")


# What each role may not do, by the table a refused statement wrote to: the one line a refused member reads.
_REFUSALS = {
    "works": "add or change this work (artists add works and change only their own)",
    "edges": "change the lineage of a work another member made",
    "credentials": "change the credentials of a work another member made",
    "training_permissions": "change the training permission of a work another member made",
    "license_confirmations": "confirm license conditions for a work another member made",
    "collection_members": "change a training set with works another member made",
    "reviews": "approve or reject this work (reviewers decide, and never on a work they made)",
    "publications": "record a publication of this work (publishers publish works whose approval holds)",
    "spg_collections": "record an SPG NFT collection (publishers do)",
    "group_members": "add members to a group on Story (publishers do)",
    "settings": "change the library's settings (admins do)",
    "models": "add or change models (admins do)",
    "team_members": "change the library's members (the library's owner does)",
}
_TABLE_IN_MESSAGE = re.compile(r'(?:for table|policy for table) "?([a-z_]+)"?')


def refusal_text(server_message: str, member: str, roles: list[str], *, writing: bool = True) -> str:
    """The one line for a statement the server refused for lack of a right. The server's text is not trusted
    beyond picking the table it names among the library's own. Every member reads every table: a refused read
    means the member's rights were taken away while they had the library open."""
    match = _TABLE_IN_MESSAGE.search(server_message)
    action = _REFUSALS.get(match.group(1)) if match else None
    who = f"{member} ({' and '.join(roles)})" if roles else member
    if not writing and match:
        return f"{member} may no longer read the team library: they are no longer one of its members"
    if action is None:
        said = "".join(c if c.isprintable() else "?" for c in " ".join(server_message.split())[:200])
        return f"the team library's server refused this to {who}: {said}"
    return f"{who} may not {action}"
