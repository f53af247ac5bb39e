"""The library folder: SQLite database, migrations, content-addressed files, works."""
