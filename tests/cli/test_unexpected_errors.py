"""A fault nobody expected ends as one line on stderr plus the path of a log with the traceback, secrets blanked."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from eth_account import Account

from studio.crash_log import EXIT_CODE, redact
from tests.cli.conftest import Run
from tests.conftest import REPO

LOG_LINE = re.compile(r"^error: unexpected (\w+) .*details in (\S+\.log) .*\n$")


def _log_of(stderr: str, error: str) -> str:
    match = LOG_LINE.match(stderr)
    assert match, stderr
    assert match.group(1) == error
    log = Path(match.group(2))
    assert log.parent == Path(os.environ["STUDIO_LOG_DIR"])
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    return log.read_text()


def test_a_fault_in_a_command_is_one_line_and_a_log_without_the_key(run: Run, monkeypatch: pytest.MonkeyPatch):
    key = Account.create().key.hex()

    def broken(self, **filters):
        raise RuntimeError(f"could not list with signer 0x{key} (private_key={key[:40]})")

    monkeypatch.setattr("studio.services.studio.Studio.works", broken)
    result = run("list", ok=False)
    assert result.exit_code == EXIT_CODE
    assert result.stdout == "" and "Traceback" not in result.stderr and key not in result.stderr
    text = _log_of(result.stderr, "RuntimeError")
    assert "Traceback (most recent call last)" in text and "in broken" in text and "studio list" in text
    assert key not in text.lower() and key[:40] not in text.lower()


def test_the_real_entry_point_prints_no_traceback(tmp_path: Path):
    script = textwrap.dedent(
        """
        import sys
        from studio.services.studio import Studio
        Studio.works = lambda self, **filters: {}["missing"]
        sys.argv = ["studio", "list"]
        from studio.launcher import main
        main()
        """
    )
    env = {**os.environ, "STUDIO_LIBRARY": str(tmp_path / "lib")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == EXIT_CODE
    assert "KeyError" in _log_of(done.stderr, "KeyError")


def test_a_fault_in_a_window_event_handler_is_logged_in_one_line(tmp_path: Path):
    script = textwrap.dedent(
        """
        import sys
        import studio.ui.launch as launch
        from PySide6.QtCore import QTimer

        def run(library):
            app = launch.application()
            QTimer.singleShot(0, lambda: 1 / 0)
            QTimer.singleShot(200, app.quit)
            return app.exec()

        launch.run = run
        sys.argv = ["studio"]
        from studio.launcher import main
        main()
        """
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in done.stderr.splitlines(keepends=True) if "ZeroDivisionError" in line or "Trace" in line]
    assert len(lines) == 1, done.stderr
    assert "ZeroDivisionError: division by zero" in _log_of(lines[0], "ZeroDivisionError")


def test_redaction_blanks_keys_and_named_secrets_but_keeps_the_rest():
    key = "ab" * 32
    text = redact(f"key 0x{key} and {key.upper()}; token=abc123 password: hunter2 at block 1234567")
    assert key not in text.lower() and "abc123" not in text and "hunter2" not in text
    assert "block 1234567" in text
