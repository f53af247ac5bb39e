"""Secrets typed where they do not belong: a token after `studio engines add`, a password or token in a server's
address. Each is refused in one line that never repeats it and points to the keyring way (--ask-token,
--token-stdin); nothing reaches the library. Server addresses are checked once, in one line, when given: a port
that is no port is refused there, never a fault of the studio later."""

from __future__ import annotations

import json
import os
import secrets

import pytest

from studio.secrets import SecretStore
from studio.services import Studio
from studio.services.engines import SERVERS_KEY, token_name
from tests.helpers.hostile_library import DEAD_RPC, snapshot
from tests.helpers.secret_service import secret_service_keyring

SERVER = "http://127.0.0.1:9"


def _token() -> str:
    return "tok_" + secrets.token_urlsafe(24)


def _one_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def _library_bytes(library) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(library.rglob("*")) if p.is_file())


@pytest.mark.parametrize(
    "args",
    [
        ("engines", "add", "box", SERVER, "{token}"),
        ("engines", "add", "box", SERVER, "--ask-token", "{token}"),
        ("engines", "add", "box", SERVER, "{token}", "--token-stdin"),
        ("engines", "add", "box", SERVER, "Bearer", "{token}"),
        ("engines", "test", "box", "{token}"),
        ("show", "abcd", "{token}"),
        ("list", "--kind", "{token}"),
    ],
)
def test_a_token_typed_as_an_argument_is_never_echoed(studio, args):
    studio.ok("list")
    before = snapshot(studio.library)
    token = _token()
    line = _one_line(studio(*[a.format(token=token) for a in args], stdin=""))
    assert token not in line and token[4:16] not in line
    if args[:2] == ("engines", "add"):
        assert "--ask-token or --token-stdin" in line and "OS keyring" in line
    assert snapshot(studio.library) == before


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:{token}@127.0.0.1:8188",
        "http://{token}@127.0.0.1:8188",
        "http://:{token}@render-box",
        "http://127.0.0.1:8188/?token={token}",
        "https://render-box/comfy?api_key={token}&x=1",
        "http://127.0.0.1:8188?access_token={token}",
        "http://127.0.0.1:8188/?Password={token}",
    ],
)
def test_credentials_in_a_server_address_are_refused_and_never_stored(studio, url):
    studio.ok("list")
    before = snapshot(studio.library)
    token = _token()
    line = _one_line(studio("engines", "add", "box", url.format(token=token)))
    assert token not in line and "holds" in line and "--ask-token" in line and "OS keyring" in line
    assert snapshot(studio.library) == before
    assert token.encode() not in _library_bytes(studio.library)
    assert "no ComfyUI server yet" in studio.ok("engines", "list").stdout


def test_credentials_in_an_rpc_address_are_refused_without_repeating_them(studio):
    token = _token()
    for args in (("revenue", "show", "abc"), ("import-ip", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")):
        for url in (f"http://user:{token}@127.0.0.1:9", f"{DEAD_RPC}/?apikey={token}"):
            line = _one_line(studio(*args, "--rpc", url))
            assert token not in line and "--rpc" in line and "holds" in line


def test_the_token_lives_in_the_os_keyring_only(studio):
    keyring = SecretStore(secret_service_keyring())  # the real Secret Service (tools/run-tests.sh)
    name = f"box-{os.getpid()}-{secrets.token_hex(3)}"
    token = _token()
    try:
        added = studio("engines", "add", name, SERVER + "/", "--token-stdin", stdin=token + "\n")
        assert added.exit_code == 0, added.output + added.stderr
        assert token not in added.output + added.stderr
        assert keyring.get(token_name(name)) == token
        assert token.encode() not in _library_bytes(studio.library)
        listed = studio.ok("engines", "list")
        as_json = json.loads(studio.ok("engines", "list", "--json").stdout)
        assert token not in listed.stdout and as_json == [{"name": name, "url": SERVER, "token": True}]
        studio.ok("engines", "remove", name)
        assert keyring.get(token_name(name)) is None
    finally:
        keyring.delete(token_name(name))


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[::1", "cannot be read"),
        ("http://[::1]:99999", "port"),
        ("http://127.0.0.1:" + "1" + "0" * 30, "port"),
        ("http://127.0.0.1:65536", "port"),
        ("http://127.0.0.1:0", "port"),
        ("http://127.0.0.1:-1", "port"),
        ("http://127.0.0.1:8188x", "port"),
        ("ftp://127.0.0.1", "http or https"),
        ("http://", "http or https"),
    ],
)
def test_a_server_address_that_cannot_be_used_is_one_line_when_added(studio, url, why):
    studio.ok("list")
    before = snapshot(studio.library)
    line = _one_line(studio("engines", "add", "x", url))
    assert "ComfyUI server address" in line and why in line and "fault" not in line
    assert snapshot(studio.library) == before


def test_the_highest_port_is_accepted(studio):
    assert studio.ok("engines", "add", "x", "http://127.0.0.1:65535/").stdout.startswith("x  http://127.0.0.1:65535")


@pytest.mark.parametrize("url", ["http://127.0.0.1:" + "1" + "0" * 30, "http://[::1", "http://u:p@127.0.0.1:8188"])
def test_a_stored_address_an_older_studio_accepted_is_one_line_when_used(studio, url):
    studio.ok("list")
    opened = Studio.open(studio.library)
    try:
        opened.library.settings.set_json(SERVERS_KEY, [{"name": "old", "url": url, "has_token": False}])
    finally:
        opened.close()
    line = _one_line(studio("engines", "test", "old"))
    assert "ComfyUI server address" in line and "u:p" not in line
    listed = studio.ok("engines", "list").stdout + studio.ok("engines", "list", "--json").stdout
    assert "old" in listed and "u:p" not in listed


@pytest.mark.parametrize("word", [
    "0x" + "ab12" * 16, "ab12" * 16, "sk-" + "x" * 30, "hf_" + "AbC1" * 6, "ghp_" + "a1B2" * 9,
    "token=hunter2hunter2", "password:correct-horse", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "x7Kp2QmZ9vR4tY8wL3nB6cD1", "http://u:pw@host:8188", "https://h/?api_key=abcdef123456",
])
def test_what_looks_like_a_secret_is_hidden_in_usage_errors(studio, word):
    line = _one_line(studio("list", "--kind", word))
    assert word not in line and "hidden: it looks like a secret" in line


@pytest.mark.parametrize("word", [
    "5340a7976442", "harbour_sketch_final_v2.png", "/home/ann/pictures/harbour-2024-final-version.png",
    "pil-non-commercial-social-remixing", "creativeml-openrail-m", "a-quiet-harbour-at-dawn", "studio-tiny",
    "http://127.0.0.1:8188", "https://aeneid.storyrpc.io", "1024x1024", "--rev-share",
])
def test_ordinary_words_are_repeated_in_usage_errors(studio, word):
    line = _one_line(studio("list", "--kind", word))
    assert word in line and "hidden" not in line
