"""Every usage error is one line on stderr that says what to read, exit 2; nothing typed after a wallet
command is echoed in any error (a private key pasted as an argument would be)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

USAGE_ERRORS = [
    (["--bogus"], "studio"),
    (["list", "--bogus"], "studio list"),
    (["show"], "studio show"),
    (["show", "a", "b"], "studio show"),
    (["list", "--kind", "statue"], "studio list"),
    (["license", "chek"], "studio license"),
    (["license", "check"], "studio license check"),
    (["royalty", "x", "--policy", "bogus"], "studio royalty"),
    (["link", "child"], "studio link"),
    (["revenue", "pay", "x"], "studio revenue pay"),
    (["publish", "config", "bogus.key"], "studio publish config"),
    (["models", "add"], "studio models add"),
    (["generate"], "studio generate"),
    (["nosuchcommand"], "studio"),
    (["import", "--limit", "3", "x.png"], "studio import"),
]


@pytest.mark.parametrize(("args", "command"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_are_one_line_naming_the_help_to_read(studio, args, command):
    result = studio(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and lines[0].endswith(f"see `{command} --help`")


def _key() -> str:
    return os.urandom(32).hex()


def _leaks(key: str, text: str) -> bool:
    lowered = text.lower()
    return key.lower() in lowered or key[:16].lower() in lowered


@pytest.mark.parametrize(
    "args",
    [
        ["wallet", "import", "--wallet", "X", "0x{key}"],
        ["wallet", "import", "0x{key}"],
        ["wallet", "import", "--key", "0x{key}"],
        ["wallet", "import", "--0x{key}"],
        ["wallet", "0x{key}"],
        ["wallet", "create", "{key}"],
        ["wallet", "show", "--network", "0x{key}"],
        ["wallet", "show", "--rpc", "0x{key}"],
        ["wallet", "create", "--wallet", "0x{key}"],
        ["wallet", "create", "--wallet", "{key}"],
        ["wallet", "import", "--json=0x{key}"],
        ["publish", "abc", "--wallet", "0x{key}"],
        ["revenue", "pay", "abc", "1", "--wallet", "{key}"],
    ],
)
def test_nothing_typed_after_a_wallet_command_is_echoed(studio, args):
    key = _key()
    result = studio(*[a.format(key=key) for a in args], stdin="")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert not _leaks(key, result.output + result.stderr), "the key was echoed"


def test_the_real_entry_point_prints_one_line_and_never_the_key(tmp_path):
    key = _key()
    env = {**os.environ, "STUDIO_LIBRARY": str(tmp_path / "lib")}
    done = subprocess.run([sys.executable, "-m", "studio", "wallet", "import", "--wallet", "X", f"0x{key}"],
                          capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1, done.stderr
    assert not _leaks(key, done.stdout + done.stderr)
    assert done.stderr.startswith("error: ") and "studio wallet import --help" in done.stderr
