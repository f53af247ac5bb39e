"""Reading a file the user named: only a regular file, and never more than a cap.

A path can name a FIFO (reading waits forever for a writer), a device such as /dev/zero (reading never ends and
memory grows without bound) or a symlink to either. The file is opened without blocking and its type checked on
the open descriptor, so a path swapped between a check and the read cannot slip through.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from studio.errors import InvalidInput

_CHUNK = 1 << 20


def describe_mode(mode: int) -> str:
    """What a non-regular file is, in words a user understands."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular_file(path: Path, max_bytes: int, *, what: str = "an image file") -> bytes:
    """The bytes of `path` (symlinks followed) if it is a regular file of at most `max_bytes`; InvalidInput else."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist", hint="check the path") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder", hint=f"give {what}") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", hint="check the path and its permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInput(f"{path} is {describe_mode(info.st_mode)}, not a file", hint=f"give {what}")
        if info.st_size > max_bytes:
            raise InvalidInput(f"{path} is larger than {max_bytes >> 20} MiB", hint="give a smaller file")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        # The size is read again as the file is read: a file that grows meanwhile is still cut off at the cap.
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise InvalidInput(f"{path} is larger than {max_bytes >> 20} MiB", hint="give a smaller file")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", hint="check the path and its permissions") from None
    finally:
        os.close(fd)
