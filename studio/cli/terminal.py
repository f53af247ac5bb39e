"""What reaches the user's terminal: control characters escaped, usage errors on one line, typed secrets never echoed.

Titles, creators, prompts and file names come from files and chains the user does not control; printed raw, an
escape sequence in them could clear the screen, rewrite earlier lines, retitle the window or hide text. Every
stream the commands write to is therefore wrapped for the command's duration, so no print can forget it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, NoReturn

import click

from studio.core.secret_text import hide_secrets

# C0 and C1 controls, DEL, bidirectional overrides and isolates (text that reads differently than it is stored),
# and the Unicode line and paragraph separators.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
# Styling that click itself produces (`secho(bold=True)`): select graphic rendition only, never cursor movement.
_STYLE = r"\x1b\[[0-9;]{0,32}m"


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control character except those in `keep` written as a visible escape (`\\x1b`)."""
    pattern = re.compile(f"[{_CONTROLS}]")
    return pattern.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


class EscapingStream:
    """A text stream that escapes control characters on their way to `target` (newlines and tabs pass; carriage
    returns pass where progress bars need them; click's own styling passes when `target` is a terminal)."""

    def __init__(self, target: IO[str], keep: str) -> None:
        self._target = target
        self._keep = keep
        self._pattern = re.compile(f"({_STYLE})|([{_CONTROLS}])")

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("EscapingStream writes text only")
        self._target.write(self._pattern.sub(self._replace, text))
        return len(text)

    def _replace(self, match: re.Match[str]) -> str:
        style, char = match.groups()
        if style is not None:
            return style if self._target.isatty() else escape_controls(style)
        return char if char in self._keep else _escape(char)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        # encoding, errors, flush, isatty, fileno ...; never `buffer`, which would let bytes bypass the escaping
        if name == "buffer":
            raise AttributeError(name)
        return getattr(self._target, name)


@contextmanager
def escaped_output() -> Iterator[None]:
    """Escape control characters in everything written to stdout and stderr inside the block."""
    out, err = sys.stdout, sys.stderr
    wrapped = not isinstance(out, EscapingStream)
    if wrapped:
        sys.stdout, sys.stderr = EscapingStream(out, "\n\t"), EscapingStream(err, "\n\t\r")
    try:
        yield
    finally:
        if wrapped:
            sys.stdout, sys.stderr = out, err


# --- usage errors --------------------------------------------------------------------------------------------

# Commands whose arguments may hold a secret a user pasted in the wrong place: their usage errors never echo them.
SECRET_COMMANDS = ("wallet",)
# How a command that needs a secret takes it instead of an argument (said when it was given one too many).
SECRET_WAYS = {
    ("engines", "add"): "give the server's access token with --ask-token or --token-stdin (it goes to the OS keyring)",
}
_EXTRA_ARGUMENTS = "Got unexpected extra argument"


def _command_path(ctx: click.Context | None) -> list[str]:
    if ctx is None:
        return ["studio"]
    return ["studio", *ctx.command_path.split()[1:]]


def usage_line(exc: click.UsageError) -> str:
    """One line for a usage error: what was wrong and where to read how the command is used.

    Extra arguments are never repeated (a token or key pasted after a command would be), and anything else in
    the message that looks like a secret is hidden."""
    path = _command_path(exc.ctx)
    command = " ".join(path)
    message = " ".join(exc.format_message().split()).rstrip(".")
    if len(path) > 1 and path[1] in SECRET_COMMANDS:
        # Nothing typed after a wallet command is echoed: a private key pasted as an argument would be.
        what = f"`{command}` was given arguments or options it does not take (not shown, as they may hold a key)"
    elif message.startswith(_EXTRA_ARGUMENTS):
        what = f"`{command}` was given more arguments than it takes (not shown, as one may be a secret)"
        way = SECRET_WAYS.get(tuple(path[1:]))
        if way:
            what += f"; {way}"
    else:
        what = hide_secrets(message)
    return escape_controls(f"error: {what} — see `{command} --help`")


def exit_with_usage_error(exc: click.UsageError) -> NoReturn:
    click.echo(usage_line(exc), err=True)
    sys.exit(exc.exit_code)
