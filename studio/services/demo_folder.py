"""Where the demo library is built and whether it is ready: what the window asks before the demo itself (and the
web3 its publishing steps load) is needed."""

from __future__ import annotations

from pathlib import Path

from studio.store.library import DB_NAME, data_dir

MARKER = ".studio-demo"  # what the demo leaves in the folders it builds: only those may be built again
DEMO_FOLDER = "demo-library"


def demo_folder() -> Path:
    """Where the demo is built unless told otherwise: the per-user data folder's demo library."""
    return data_dir() / DEMO_FOLDER


def demo_ready(folder: Path) -> bool:
    """A demo library the demo finished building before (the window opens it rather than building again)."""
    return (folder / MARKER).exists() and (folder / DB_NAME).exists()
