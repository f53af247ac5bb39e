"""Every test here that takes `library`, `library_address`, `engine` or `make_db` runs on SQLite and on PostgreSQL."""

from tests.helpers.engines import engine, library, library_address, make_db  # noqa: F401
