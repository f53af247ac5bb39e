"""Team library commands: the bucket a team library keeps its files in, and pushing a local library into it."""

from __future__ import annotations

from pathlib import Path

import click

from studio.cli.params import TEXT, WholeNumber
from studio.errors import InvalidInput
from studio.secrets import Secret, SecretStore
from studio.store.disk_space import human_size
from studio.store.library import DB_NAME, Library
from studio.store.library_push import BATCH, LibraryPush, PushProgress, PushReport
from studio.store.s3_location import S3Location, keep_s3_credentials, s3_credentials
from studio.store.team_address import display_url, is_postgres_url


@click.group("library")
def library_group() -> None:
    """A team library's bucket, and copying a local library into a team library."""


@library_group.command("bucket")
@click.argument("team", type=TEXT)
@click.argument("endpoint", type=TEXT)
@click.argument("bucket", type=TEXT)
@click.option("--region", type=TEXT, default="us-east-1", show_default=True)
@click.option("--prefix", type=TEXT, help="A folder inside the bucket, e.g. studio-a/.")
@click.option("--new-key", is_flag=True, help="Ask for the access key even when the OS keyring holds one.")
def bucket_cmd(team: str, endpoint: str, bucket: str, region: str, prefix: str | None, new_key: bool) -> None:
    """Keep a team library's files in an S3-compatible bucket (the access key goes to the OS keyring)."""
    address = _team_address(team, "TEAM")
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
    address = _team_address(team, "TEAM")
    if not (Path(local) / DB_NAME).is_file():  # opening it would make an empty library there
        raise InvalidInput(f"{local} holds no library", hint="give the folder of a local library as LOCAL")
    with Library.open(local) as source, Library.open(address) as target:
        push = LibraryPush(source, target, batch_size=batch_size, progress=None if dry_run else _print_progress)
        report = push.run(dry_run=dry_run)
    _print_report(report, display_url(address))
    if not report.complete:
        raise SystemExit(1)


def _team_address(value: str, name: str) -> str:
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
