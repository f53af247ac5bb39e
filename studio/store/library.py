"""A library is a folder: `library.db`, the content-addressed `files/`, `thumbs/`, and a lock file.

A team library is a database on a PostgreSQL server, opened by its address (`postgresql://...`, never with a
password in it); its files are kept in the S3-compatible bucket it records (`studio.store.team_files`), and read
through a folder of this machine's cache, which plays the library folder's part for them.

A folder whose database is missing (while it holds stored files), empty or foreign is refused untouched
(`studio.store.db_check`); stored files the database does not know are quarantined by `full_sweep`, never deleted.

Every process that opens a library holds a shared lock on `library.lock`. Only a process that can take the
lock exclusively (nobody else has the library open) sweeps files left without a row by a crash, so a sweep
can never delete a file another process is about to commit.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from studio import APP_NAME
from studio.errors import LibraryError
from studio.store.credentials import CredentialRecords
from studio.store.db import POSTGRESQL, Database, SqliteDatabase
from studio.store.db_check import check_library_database, check_schema, what_to_do
from studio.store.disk_space import disk_full_error, disk_space_checked
from studio.store.edges import EdgeRecords
from studio.store.files import LocalFileStore
from studio.store.group_members import GroupMemberRecords
from studio.store.license_confirmations import LicenseConfirmations
from studio.store.members import MemberRecords
from studio.store.migrations import MIGRATIONS, MIGRATIONS_TABLE, Migration, check_not_newer, migrate, pending
from studio.store.models import ModelRecords
from studio.store.publications import PublicationRecords
from studio.store.readonly import has_write_ahead_log, is_read_only, open_lock, read_only_error
from studio.store.reviews import ReviewRecords
from studio.store.settings import SettingRecords
from studio.store.spg_collections import SpgCollectionRecords
from studio.store.team_address import check_url, display_url, is_postgres_url
from studio.store.team_login import password_for
from studio.store.thumbnails import ThumbnailCache, user_cache_dir
from studio.store.training_permissions import TrainingPermissions
from studio.store.works import WorkRepository

if TYPE_CHECKING:
    from studio.secrets import Secret, SecretStore
    from studio.store.s3_location import S3Location
    from studio.store.team_files import TeamFiles

DB_NAME = "library.db"
QUARANTINE = "quarantine"
ENV_LIBRARY = "STUDIO_LIBRARY"


def default_library_dir() -> Path:
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


def data_dir() -> Path:
    """Per-user data outside any library (built-in model, certificates)."""
    env = os.environ.get("STUDIO_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class SweepReport:
    orphan_files: int  # files a crash left between writing and recording them (deleted)
    temp_files: int  # half-written temporaries (deleted)
    quarantined: int = 0  # stored files no work refers to (moved, never deleted)
    quarantine_folder: Path | None = None


class Library:
    def __init__(self, root: Path, db: Database, lock_fd: int, sweep: SweepReport,
                 secrets: SecretStore | None = None) -> None:
        self.root = root
        self.db = db
        self.engine = db.engine  # "sqlite" for a local library, "postgresql" for a team library
        self.readonly = db.readonly
        self.files = LocalFileStore(root, readonly=self.readonly)
        self.thumbnails = ThumbnailCache(root, readonly=self.readonly)
        # One record class per table: the only code that speaks SQL to it.
        self.works = WorkRepository(db)
        self.edges = EdgeRecords(db)
        self.models = ModelRecords(db)
        self.settings = SettingRecords(db)
        self.reviews = ReviewRecords(db)
        self.credentials = CredentialRecords(db)
        self.publications = PublicationRecords(db)  # the publishing journal's rows
        self.spg_collections = SpgCollectionRecords(db)  # the SPG NFT collection of each wallet on each network
        self.members = MemberRecords(db)
        self.group_members = GroupMemberRecords(db)
        self.training = TrainingPermissions(db)
        self.confirmations = LicenseConfirmations(db)  # license conditions the creator confirmed per work
        self.last_sweep = sweep
        self._lock_fd = lock_fd
        self._secrets = secrets
        # A team library's bucket, when it records one: files go there before their rows and are read from it.
        self.team_files: TeamFiles | None = None
        if self.engine == POSTGRESQL:
            # boto3 and the keyring load with a team library, never for a local one.
            from studio.store.team_files import recorded_team_files

            self.team_files = recorded_team_files(self.settings, self.files, secrets)

    @classmethod
    def open(cls, root: Path | str | None = None, *, migrations: tuple[Migration, ...] = MIGRATIONS,
             secrets: SecretStore | None = None, password: Secret | None = None) -> Library:
        """The library in the folder `root`, or the team library at a PostgreSQL address; when None, the one
        STUDIO_LIBRARY names, else the default library folder. `secrets` holds a team library's bucket key (the
        OS keyring when None); `password` is the member's when not the keyring's (typed in the window)."""
        if root is None and is_postgres_url(os.environ.get(ENV_LIBRARY, "")):
            root = os.environ[ENV_LIBRARY]
        if isinstance(root, str) and is_postgres_url(root):
            return cls._open_team(root, migrations, secrets, password)
        root = Path(root).expanduser() if root is not None else default_library_dir()
        if root.exists() and not root.is_dir():
            raise LibraryError(f"{root} is a file, not a library folder", hint="pass a folder to --library")
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            full = disk_full_error(exc, root.parent)
            if full is not None:
                raise full from None
            raise LibraryError(f"cannot create the library folder {root}: {exc.strerror}") from None
        with disk_space_checked(root):
            return cls._open(root, migrations)

    @classmethod
    def _open(cls, root: Path, migrations: tuple[Migration, ...]) -> Library:
        db_path = root / DB_NAME
        readonly = is_read_only(root, db_path)
        lock_fd = open_lock(root, readonly)
        try:
            exclusive = lock_fd >= 0 and not readonly and _try_lock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if lock_fd >= 0 and not exclusive:
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
            check_library_database(root, db_path)
            if readonly:
                if not db_path.exists():
                    raise LibraryError(f"{root} is read-only and holds no library", hint="choose a library folder")
                db = _open_read_only(db_path, migrations)
            else:
                db = _open_db(db_path, migrations)
            sweep = SweepReport(0, 0)
            if exclusive:
                sweep = _sweep(db, LocalFileStore(root))
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
        except BaseException:
            if lock_fd >= 0:
                os.close(lock_fd)
            raise
        return cls(root, db, lock_fd, sweep)

    @classmethod
    def _open_team(cls, url: str, migrations: tuple[Migration, ...], secrets: SecretStore | None,
                   password: Secret | None = None) -> Library:
        check_url(url)
        root = team_cache_dir(url)
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create the team library's local folder {root}: {exc.strerror}") from None
        lock_fd = open_lock(root, readonly=False)
        try:
            exclusive = _try_lock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if not exclusive:
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
            db = _open_server_db(url, migrations, password)
            sweep = SweepReport(0, 0)
            if exclusive:  # this machine's folder: no other machine writes to it
                sweep = _sweep(db, LocalFileStore(root))
                fcntl.flock(lock_fd, fcntl.LOCK_SH)
        except BaseException:
            os.close(lock_fd)
            raise
        try:
            return cls(root, db, lock_fd, sweep, secrets)
        except BaseException:
            db.close()
            os.close(lock_fd)
            raise

    def close(self) -> None:
        self.db.close()
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def member(self) -> str | None:
        """The member a team library is open as (its PostgreSQL login); None for a local library."""
        return self.db.member if self.engine == POSTGRESQL else None  # type: ignore[attr-defined]

    @property
    def address(self) -> Path | str:
        """What opens this library again: its folder, or a team library's postgresql:// address."""
        return str(self.db.url) if self.engine == POSTGRESQL else self.root  # type: ignore[attr-defined]

    def path_of(self, relative: str) -> Path:
        """A local path to a stored file; for a team library with a bucket, a copy verified against its hash
        (fetched from the bucket when this machine has none)."""
        if self.team_files is not None:
            return self.team_files.local_copy(relative)
        return self.root / relative

    def has_file(self, relative: str) -> bool:
        """Whether the library keeps the stored file (a team library with a bucket: whether the bucket does, asked
        without downloading it)."""
        if self.team_files is not None:
            return self.team_files.has(relative)
        return (self.root / relative).exists()

    def use_bucket(self, location: S3Location) -> None:
        """Record the bucket a team library keeps its files in (its key goes to the OS keyring, not here), once
        the bucket answered with that key."""
        if self.engine != POSTGRESQL:
            raise LibraryError("a local library keeps its files in its own folder",
                               hint="give the address of a team library (postgresql://...) to keep files in a bucket")
        from studio.store.team_files import TeamFiles, record_bucket

        files = TeamFiles(location, self.files, self._secrets)
        files.check()
        record_bucket(self.settings, location)
        self.team_files = files

    def full_sweep(self) -> SweepReport:
        """Move every stored file no work refers to into a dated quarantine folder, and delete crash leftovers.

        Nothing the database does not account for is deleted: a file it does not know may be one it lost, so it
        is kept under `quarantine/<date>/` with its place in the store, ready to be moved back. Needs the library
        to be open in this process only.
        """
        if self.readonly:
            raise read_only_error(self.root)
        if not _try_lock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB):
            raise LibraryError(
                "the library is open in another program", hint="close other Remix Studio windows and try again"
            )
        try:
            report = _sweep(self.db, self.files)
            known = {row[0] for row in self.db.query("SELECT sha256 FROM works")}
            unknown = [path for sha, paths in self.files.stored_hashes().items() if sha not in known for path in paths]
            folder = quarantine(self.root, unknown) if unknown else None
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_SH)
        return replace(report, quarantined=len(unknown), quarantine_folder=folder)

    @contextmanager
    def staged_file(self, data: bytes, sha256: str, ext: str) -> Iterator[str]:
        """Put a file in the store before its rows; yields its relative path.

        The caller commits the rows inside the block. If the block fails and no row refers to the hash,
        the file is removed again; a crash in between leaves a pending marker for the next sweep.
        """
        if self.team_files is not None:  # the team's copy first: every member reads it once the rows exist
            self.team_files.upload(data, ext)
        self.files.mark_pending(sha256)
        try:
            relative = self.files.put(data, sha256, ext)
        except BaseException:
            self.files.clear_pending(sha256)
            raise
        try:
            yield relative
        except BaseException:
            if self.works.by_sha256(sha256) is None:
                self.files.remove_hash(sha256)
            self.files.clear_pending(sha256)
            raise
        self.files.clear_pending(sha256)


def team_cache_dir(url: str) -> Path:
    """This machine's folder for a team library's files: one per server and database."""
    key = hashlib.sha256(display_url(url).encode()).hexdigest()[:16]
    return user_cache_dir() / "team-libraries" / key


def quarantine(root: Path, paths: list[Path]) -> Path:
    """Move stored files to `quarantine/<date and time>/`, keeping their path below the library root."""
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
    folder = root / QUARANTINE / stamp
    n = 1
    while folder.exists():
        n += 1
        folder = root / QUARANTINE / f"{stamp}-{n}"
    for path in paths:
        target = folder / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    return folder


def _try_lock(fd: int, flags: int) -> bool:
    try:
        fcntl.flock(fd, flags)
    except BlockingIOError:
        return False
    return True


def _open_db(path: Path, migrations: tuple[Migration, ...]) -> Database:
    existed = path.exists()

    def prepare(db: Database) -> None:
        if existed:
            check_schema(db.table_names(), path)
            check_not_newer(db, migrations)
        db.enable_wal()
        migrate(db, migrations)

    return _usable(path, lambda: SqliteDatabase(path), prepare)


def _open_read_only(path: Path, migrations: tuple[Migration, ...]) -> Database:
    def check(db: Database) -> None:
        check_schema(db.table_names(), path)
        check_not_newer(db, migrations)
        if pending(db, migrations):
            raise LibraryError(
                f"the library {path.parent} is read-only and was made by an older Remix Studio",
                hint="open it once where it can be written, so it can be upgraded",
            )

    return _usable(path, lambda: SqliteDatabase(path, readonly=True, immutable=not has_write_ahead_log(path)), check)


def _open_server_db(url: str, migrations: tuple[Migration, ...], password: Secret | None = None) -> Database:
    """A team library's database, migrated; a database that holds tables but no library is refused untouched."""
    # psycopg (the team extra) loads with the first team library, never for a local one.
    from studio.store.postgres import PostgresDatabase

    password = password or password_for(url)
    db = PostgresDatabase(url, password=password.reveal() if password is not None else None)
    try:
        tables = db.table_names()
        if tables and MIGRATIONS_TABLE not in tables:
            raise LibraryError(f"the database {display_url(url)} belongs to another program: it is not a Remix Studio "
                               "library", hint="give the address of an empty database or of a team library")
        check_not_newer(db, migrations)
        if pending(db, migrations) and not db.may_change_schema():  # type: ignore[attr-defined]
            raise LibraryError(f"the team library {display_url(url)} needs an upgrade that only its admin may make "
                               f"({db.member} may not change its schema)",  # type: ignore[attr-defined]
                               hint=f"ask the admin to run `studio library create --team {display_url(url)}` with "
                                    "this version of Remix Studio")
        migrate(db, migrations)
    except BaseException:
        db.close()
        raise
    return db


def _usable(path: Path, connect: Callable[[], Database], prepare: Callable[[Database], None]) -> Database:
    """The database `connect` opens once `prepare` accepted it; closed again, with one LibraryError, when not."""
    db: Database | None = None
    try:
        db = connect()
        prepare(db)
    except LibraryError:
        if db is not None:
            db.close()
        raise
    except Exception as exc:  # sqlite3.DatabaseError and friends: not a database we can use
        if db is not None:
            db.close()
        full = disk_full_error(exc, path.parent)
        if full is not None:  # a sound database on a full disk: make room, never restore
            raise full from None
        raise LibraryError(
            f"{path} is not a usable Remix Studio library database ({exc})", hint=what_to_do(path)
        ) from None
    return db


def _sweep(db: Database, files: LocalFileStore) -> SweepReport:
    temps = files.temp_files()
    for path in temps:
        path.unlink(missing_ok=True)
    orphans = 0
    for sha256 in files.pending_hashes():
        if db.one("SELECT 1 FROM works WHERE sha256 = ?", (sha256,)) is None:
            orphans += files.remove_hash(sha256)
        files.clear_pending(sha256)
    return SweepReport(orphan_files=orphans, temp_files=len(temps))
