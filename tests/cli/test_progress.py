"""Long commands show a progress line on stderr when it is a terminal, and nothing extra otherwise."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from studio.cli.output import ProgressPrinter, progress

GENERATE = ["generate", "a quiet harbour at dawn", "--steps", "3", "--size", "64x64", "--seed", "1"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _studio_on_a_terminal(library: Path, *args: str) -> tuple[int, str, str]:
    """Runs `studio` with stderr on a pseudo-terminal (stdout piped); returns (exit code, stdout, stderr)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "studio", "--library", str(library), *args],
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=300)
    os.close(leader)
    return code, out, b"".join(chunks).decode(errors="replace")


def test_generate_and_report_show_progress_on_a_terminal_only(tmp_path, run) -> None:
    code, out, err = _studio_on_a_terminal(run.library, *GENERATE)
    assert code == 0, err
    assert "loading the model…" in err and "denoising…" in err and "3/3" in err and "\r" in err
    assert "denoising" not in out
    work_id = out.split()[0]
    code, out, err = _studio_on_a_terminal(run.library, "report", work_id, "--output", str(tmp_path / "r.html"))
    assert code == 0 and "writing the report…" in err and (tmp_path / "r.html").is_file()

    piped = run(*GENERATE, "--seed", "2")  # CliRunner: stderr is no terminal
    assert "denoising" not in piped.stderr and "loading the model" not in piped.stderr


def test_json_output_carries_no_progress_even_on_a_terminal(run) -> None:
    code, out, err = _studio_on_a_terminal(run.library, *GENERATE, "--json")
    assert code == 0, err
    assert json.loads(out)["kind"] == "image"
    assert "denoising" not in err and "loading the model" not in err


def test_progress_draws_a_bar_and_clears_its_line_on_a_forced_terminal() -> None:
    screen = _Terminal()
    with ProgressPrinter("denoising", stream=screen) as shown:
        shown.step(5, 10, "steps")
        shown.pause()
        paused_at = screen.getvalue()
        shown.step(6, 10)
        assert screen.getvalue() == paused_at  # nothing drawn while paused (a prompt is on screen)
        shown.resume("publishing")
    text = screen.getvalue()
    assert "denoising… [##########..........] 5/10 steps" in text and "publishing…" in text
    assert text.endswith("\r")  # the line is wiped at the end
    plain = io.StringIO()
    with ProgressPrinter("denoising", stream=plain) as shown:
        shown.step(1, 2)
    assert plain.getvalue() == ""
    assert not progress("x", quiet=True).enabled
