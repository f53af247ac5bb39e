"""Asking before something irreversible (signing, paying), and what to do where nobody can answer."""

from __future__ import annotations

import sys

import click

from studio.errors import InvalidInput


def ask(question: str, *, yes_option: str = "--yes") -> bool:
    """The user's answer. Without a terminal the answer is read from stdin (a script may pipe it in); when stdin
    has none, a one-line refusal says to pass `yes_option` instead."""
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        answer = stdin.readline() if stdin is not None else ""
        if not answer:
            raise InvalidInput(
                f"{question} needs an answer and there is no terminal to ask on",
                hint=f"pass {yes_option} to confirm in advance",
            )
        click.echo(f"{question} [y/N]: {answer.strip()}", err=True)
        return answer.strip().lower() in ("y", "yes")
    try:
        return click.confirm(question, default=False, err=True)
    except click.Abort:
        return False  # Ctrl-C or Ctrl-D at the prompt: a no
