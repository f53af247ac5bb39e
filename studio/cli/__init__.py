"""The `studio` command."""
