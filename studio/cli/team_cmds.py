"""`studio library`: set up a team library on a PostgreSQL server, manage its members, log in as a member, keep
its files in an S3-compatible bucket, and push a local library into it.

Passwords are read from a prompt (or stdin, where there is no terminal), never from the command line; they go to
the server as a SCRAM hash and to the OS keyring, nowhere else.
"""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path

import click

from studio.cli.output import emit_json, table
from studio.cli.params import TEXT, WholeNumber
from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore
from studio.store.disk_space import human_size
from studio.store.library import DB_NAME, Library
from studio.store.library_push import BATCH, LibraryPush, PushProgress, PushReport
from studio.store.postgres import PostgresDatabase
from studio.store.s3_location import S3Location, keep_s3_credentials, s3_credentials
from studio.store.team_address import check_url, display_url, is_postgres_url
from studio.store.team_login import save_password, with_member
from studio.store.team_members import TeamMembers
from studio.store.team_roles import ROLES, check_member_name, group_role

MAX_PASSWORD = 1000


def _team_address(value: str | None, ctx: click.Context) -> str:
    address = value or (ctx.obj.library_dir if ctx.obj is not None else None)
    if not isinstance(address, str) or not is_postgres_url(address):
        raise InvalidInput("this needs a team library's postgresql:// address",
                           hint="pass --team ADDRESS (or the global --library ADDRESS)")
    check_url(address)
    return address


def read_password(prompt: str, *, confirm: bool) -> Secret:
    """A password from the terminal (hidden, asked twice when `confirm`), or from stdin's lines without one."""
    stdin = sys.stdin
    if stdin is not None and stdin.isatty():
        try:
            value = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
        except click.Abort:
            raise InvalidInput("no password given", hint="type the password at the prompt") from None
    else:
        lines = [stdin.readline() if stdin is not None else "" for _ in range(2 if confirm else 1)]
        value = lines[0].rstrip("\r\n")
        if confirm and lines[1].rstrip("\r\n") != value:
            raise InvalidInput("the two passwords differ", hint="give the same password twice (a line each)")
    if not value or len(value) > MAX_PASSWORD or not value.isprintable():
        raise InvalidInput("invalid password", hint=f"use 1 to {MAX_PASSWORD} printable characters")
    return Secret(value)


@click.group("library")
def library_group() -> None:
    """Team libraries: set one up on a PostgreSQL server, its members, logging in as a member, its bucket, and
    copying a local library into it."""


@library_group.command("create")
@click.option("--team", "address", required=True, metavar="ADDRESS",
              help="The postgresql:// address of an empty database, connecting as the server account that will own "
                   "the library (it needs the right to create roles).")
def create_cmd(address: str) -> None:
    """Set up a team library: its schema, its artist/reviewer/publisher/admin groups, their rights and rules.

    Running it again changes nothing (or brings an older team library up to date)."""
    address = _required_team_address(address, "--team")  # a folder here would make a local library, not a team one
    check_url(address)
    with Library.open(address) as library:
        database = str(library.db.one("SELECT current_database()")[0])
        missing = [r for r in ROLES
                   if library.db.one("SELECT 1 FROM pg_roles WHERE rolname = ?", (group_role(database, r),)) is None]
        if missing:
            raise InvalidInput(f"the team library {display_url(address)} lacks its groups {', '.join(missing)}",
                               hint="a server admin dropped them; restore the database from its backup")
        groups = ", ".join(group_role(database, r) for r in ROLES)
    click.echo(f"team library {display_url(address)} is ready; its groups: {groups}")
    click.echo(f"next: studio library members add NAME --role {'|'.join(ROLES)} --team {display_url(address)}")


@library_group.group("members")
def members_group() -> None:
    """The members of a team library (only its owner adds and removes them)."""


@members_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the member may do.")
@click.option("--team", "address", metavar="ADDRESS", help="The team library (default: --library).")
@click.option("--save-password", is_flag=True,
              help="Also keep the initial password in this machine's OS keyring (for a member who works here).")
@click.pass_context
def members_add_cmd(ctx: click.Context, name: str, role: str, address: str | None, save_password: bool) -> None:
    """Add NAME as a member in ROLE; a new login's initial password is asked for (twice), never taken as an
    argument."""
    address = _team_address(address, ctx)
    problem = check_member_name(name)
    if problem is not None:
        raise InvalidInput(f"invalid member name {name!r}", hint=problem)
    with Library.open(address) as library:
        members = TeamMembers(library.db)
        password = None if members.login_exists(name) else read_password(f"Initial password for {name}",
                                                                         confirm=True)
        member = members.add(name, role, password.reveal() if password is not None else None)
    if password is None:
        click.echo(f"{name} already has a login on this server and keeps its password")
    elif save_password:
        save_password_for(address, name, password)
    click.echo(f"added {member.name} as {member.role} to {display_url(address)}")


def save_password_for(address: str, name: str, password: Secret) -> None:
    store = SecretStore()
    save_password(address, name, password, store)
    click.echo(f"stored {name}'s password for {display_url(address)} in the OS keyring ({store.backend_name})")


@members_group.command("remove")
@click.argument("name")
@click.option("--team", "address", metavar="ADDRESS", help="The team library (default: --library).")
@click.pass_context
def members_remove_cmd(ctx: click.Context, name: str, address: str | None) -> None:
    """Take NAME out of the team library (their login goes when no other team library on the server has them)."""
    address = _team_address(address, ctx)
    with Library.open(address) as library:
        dropped = TeamMembers(library.db).remove(name)
    click.echo(f"removed {name} from {display_url(address)}" + ("; their login was dropped" if dropped else ""))


@members_group.command("list")
@click.option("--team", "address", metavar="ADDRESS", help="The team library (default: --library).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def members_list_cmd(ctx: click.Context, address: str | None, as_json: bool) -> None:
    """The members: name, role, who added them and when."""
    address = _team_address(address, ctx)
    with Library.open(address) as library:
        members = TeamMembers(library.db).list()
    if as_json:
        emit_json([{"name": m.name, "role": m.role, "added_by": m.added_by, "added_at": m.added_at}
                   for m in members])
        return
    if not members:
        click.echo("no members yet")
        return
    click.echo(table([(m.name, m.role, m.added_by, m.added_at) for m in members],
                     ["name", "role", "added by", "added at"]))


@library_group.command("login")
@click.argument("address")
@click.option("--user", "member", required=True, help="Your member name in the team library.")
def login_cmd(address: str, member: str) -> None:
    """Check your password against the team library at ADDRESS and keep it in the OS keyring, so opening the library
    (`--library ADDRESS`) connects as you."""
    if not is_postgres_url(address):
        raise InvalidInput("this needs a team library's postgresql:// address", hint="give the library's address")
    check_url(address)
    problem = check_member_name(member)
    if problem is not None:
        raise InvalidInput(f"invalid member name {member!r}", hint=problem)
    url = with_member(address, member)
    password = read_password(f"Password of {member} for {display_url(address)}", confirm=False)
    with closing(PostgresDatabase(url, password=password.reveal(), pool_size=1)) as db:
        roles = db.member_roles
    save_password_for(url, member, password)
    joined = " and ".join(roles) if roles else "no role yet"
    click.echo(f"logged in as {member} ({joined}); open the library with --library {url}")


@library_group.command("bucket")
@click.argument("team", type=TEXT)
@click.argument("endpoint", type=TEXT)
@click.argument("bucket", type=TEXT)
@click.option("--region", type=TEXT, default="us-east-1", show_default=True)
@click.option("--prefix", type=TEXT, help="A folder inside the bucket, e.g. studio-a/.")
@click.option("--new-key", is_flag=True, help="Ask for the access key even when the OS keyring holds one.")
def bucket_cmd(team: str, endpoint: str, bucket: str, region: str, prefix: str | None, new_key: bool) -> None:
    """Keep a team library's files in an S3-compatible bucket (the access key goes to the OS keyring)."""
    address = _required_team_address(team, "TEAM")
    location = S3Location.parse(endpoint, bucket, region=region, prefix=prefix or "")
    secrets = SecretStore()
    try:
        s3_credentials(secrets, location)
        asked = new_key
    except InvalidInput:
        asked = True
    if asked:
        key_id = click.prompt("Access key id", err=True)
        secret = click.prompt("Secret access key (hidden)", hide_input=True, err=True)
        keep_s3_credentials(secrets, location, key_id, Secret(secret))
    with Library.open(address, secrets=secrets) as library:
        library.use_bucket(location)  # checked first: the bucket is there and the key opens it, or one line
    click.echo(f"{display_url(address)} keeps its files in {location.label}")


@library_group.command("push")
@click.argument("local", type=click.Path(file_okay=False, exists=True))
@click.argument("team", type=TEXT)
@click.option("--dry-run", is_flag=True, help="Say what would be copied; copy nothing.")
@click.option("--batch", "batch_size", type=WholeNumber(1, 10_000), default=BATCH, show_default=True,
              help="Works per batch (files, then rows in one transaction).")
def push_cmd(local: str, team: str, dry_run: bool, batch_size: int) -> None:
    """Copy a local library's works, lineage, reviews and files into a team library (again: only what is new)."""
    address = _required_team_address(team, "TEAM")
    if not (Path(local) / DB_NAME).is_file():  # opening it would make an empty library there
        raise InvalidInput(f"{local} holds no library", hint="give the folder of a local library as LOCAL")
    with Library.open(local) as source, Library.open(address) as target:
        push = LibraryPush(source, target, batch_size=batch_size, progress=None if dry_run else _print_progress)
        report = push.run(dry_run=dry_run)
    _print_report(report, display_url(address))
    if not report.complete:
        raise SystemExit(1)


def _required_team_address(value: str, name: str) -> str:
    """`value` if it is a team library's address; a folder or anything else is refused in one line."""
    if not is_postgres_url(value):
        raise InvalidInput(f"{name} must be a team library's postgresql:// address, not a folder",
                           hint="give e.g. postgresql://host/studio (the password goes to the OS keyring)")
    return value


def _print_progress(step: PushProgress) -> None:
    click.echo(f"batch {step.batch}/{step.batches}: {step.works_done}/{step.works_total} works, "
               f"{step.files_uploaded} files uploaded, {step.files_present} already in the bucket")


def _print_report(report: PushReport, team: str) -> None:
    rows = ", ".join(f"{count} {table}" for table, count in report.rows_added.items() if count) or "no other rows"
    if report.dry_run:
        click.echo(f"would copy into {team}: {report.works_added} of {report.works_total} works "
                   f"({report.works_present} already there), up to {report.files_uploaded} files "
                   f"({human_size(report.bytes_uploaded)}; those the bucket holds are skipped), {rows}")
    else:
        click.echo(f"pushed into {team}: {report.works_added} works added, {report.works_present} already there; "
                   f"{report.files_uploaded} files uploaded ({human_size(report.bytes_uploaded)}), "
                   f"{report.files_present} already in the bucket; {rows}")
    for conflict in report.conflicts:
        click.echo(f"not pushed: work {conflict.work_id}: {conflict.reason}", err=True)
    if report.blocked:
        shown = ", ".join(report.blocked[:10]) + (" ..." if len(report.blocked) > 10 else "")
        click.echo(f"not pushed: {len(report.blocked)} works that depend on those: {shown}", err=True)


COMMANDS = [library_group]
