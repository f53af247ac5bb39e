"""What happens to an exception nobody expected: one line for the user, the details in a log file.

The traceback goes to a file in the per-user log folder (env STUDIO_LOG_DIR overrides it), readable by the user
only. Secrets never reach it: the traceback holds no local variables, and anything in the exception texts that
looks like a private key or a token is blanked before writing.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

import platformdirs

from studio import APP_NAME, __version__

EXIT_CODE = 70  # EX_SOFTWARE: a fault of the program, not of the input

_SECRET_PATTERNS = (
    # 32-byte hex values: private keys (transaction hashes look the same and are blanked too).
    re.compile(r"(?i)(?<![0-9a-z])(0x)?[0-9a-f]{64}(?![0-9a-z])"),
    # Longer hex runs (extended keys, signatures).
    re.compile(r"(?i)(?<![0-9a-z])(0x)?[0-9a-f]{96,}(?![0-9a-z])"),
    # name=value / name: value where the name says it is secret.
    re.compile(r"(?i)((?:private[_ -]?key|secret|token|password|passphrase|mnemonic|seed phrase)\s*[=:]\s*)\S+"),
)


def log_dir() -> Path:
    env = os.environ.get("STUDIO_LOG_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def redact(text: str) -> str:
    text = _SECRET_PATTERNS[1].sub("<hex value blanked>", text)
    text = _SECRET_PATTERNS[0].sub("<hex value blanked>", text)
    return _SECRET_PATTERNS[2].sub(lambda m: m.group(1) + "<blanked>", text)


def write_crash_log(exc: BaseException, where: str) -> Path:
    """Write the exception's traceback (secrets blanked) to a new log file; returns its path. Raises OSError."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = (
        f"Remix Studio {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
        f"where: {where}\n\n{redact(details)}"
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def crash_line(exc: BaseException, where: str) -> str:
    """Log `exc` and return the one line to show: what kind of fault, and where the details are."""
    try:
        path = write_crash_log(exc, where)
    except OSError as error:
        return f"error: unexpected {type(exc).__name__}; the details could not be saved ({error.strerror})"
    return (
        f"error: unexpected {type(exc).__name__} (a fault in Remix Studio, not in what you did); "
        f"details in {path} (please attach it when reporting this)"
    )


def report_unexpected(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """`sys.excepthook` for the window: a fault in an event handler is logged, and one line goes to stderr."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    exc.__traceback__ = tb
    print(crash_line(exc, "window"), file=sys.stderr)


def install_excepthook() -> None:
    sys.excepthook = report_unexpected
