"""A corpus of hostile inputs across every command. For each: a non-zero exit, exactly one line on stderr, no
traceback, and the library exactly as it was (integrity check ok, every row and every file unchanged).

The corpus is data: add a case as (command line, stdin) with placeholders filled in by `_fill`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from studio.cli.main import cli
from tests.helpers.hostile_library import DEAD_RPC, deflated, png_with_chunks, snapshot

KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
BAD_CHECKSUM = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
HUGE = "9" * 400
RPC = ["--rpc", DEAD_RPC]

CORPUS: list[tuple[str, ...]] = [
    # global options and unknown commands
    ("--bogus",), ("--library",), ("nosuch",), ("--library", "{lib}", "--bogus", "list"), ("-v", "nosuch", "x"),
    # team library addresses: a password in the address, a server that is not there
    ("--library", "postgresql://studio:hunter2@localhost/team", "list"),
    ("--library", "postgresql://studio@/team?password=hunter2", "list"),
    ("--library", "postgresql://studio@/team?host=/nonexistent-socket-folder&port=1", "list"),
    ("--library", "postgresql://studio@/team?sslmode=bogus", "list"),
    # import: hostile files and values
    ("import",), ("import", "{missing}"), ("import", "{dir}"), ("import", "{fifo}"), ("import", "{zero}"),
    ("import", "{zbomb}"), ("import", "{text}"), ("import", "{empty}"), ("import", "{truncated}"),
    ("import", "{gif}"), ("import", "{png}", "--rev-share", "nan"), ("import", "{png}", "--rev-share", "-1"),
    ("import", "{png}", "--rev-share", HUGE), ("import", "{png}", "--license", ""),
    ("import", "{png}", "--license", "no-such-license"), ("import", "{png}", "--minting-fee", "nan"),
    ("import", "{png}", "--minting-fee", HUGE), ("import", "{png}", "--royalty-policy", "x"),
    ("import", "{png}", "--parent", "nosuchid"), ("import", "{png}", "--parent", "{child}", "--relation", "x"),
    ("import", "{png}", "--title", ""), ("import", "{png}", "--title", "a\x1b[2Jb"), ("import", "{png}", "--bogus"),
    ("import", "{png}", "{png}"),
    # show, list, lineage, link
    ("show",), ("show", "nosuchid"), ("show", ""), ("show", "\x1b[2J"), ("show", "x" * 5000),
    ("show", "'; DROP TABLE works; --"),
    ("show", "{root}", "{child}"), ("list", "--kind", "statue"), ("list", "--limit", "-1"), ("list", "--limit", "nan"),
    ("list", "--limit", HUGE), ("list", "--origin", "x"), ("list", "--license", ""), ("lineage",),
    ("lineage", "nosuchid"), ("lineage", "%"), ("link", "{child}"), ("link", "{root}", "{child}"),
    ("link", "{root}", "{root}"), ("link", "{child}", "nosuchid"), ("link", "{child}", "{root}", "--relation", "x"),
    ("link", "nosuchid", "{root}"),
    # licenses and royalties
    ("license",), ("license", "chek"), ("license", "check"), ("license", "check", "nosuchid"),
    ("license", "list", "--bogus"), ("license", "confirm", "{root}", "rich-enough"),
    ("license", "confirm", "{root}", "revenue-under-1m"), ("license", "confirm", "{root}", "a\x1b[2Jb"),
    ("license", "confirm", "{root}", ""), ("license", "confirm", "nosuchid", "revenue-under-1m"),
    ("license", "confirm", "{root}"), ("royalty",), ("royalty", "nosuchid"), ("royalty", "{root}", "--policy", "x"),
    ("train-permission",), ("train-permission", "{root}"), ("train-permission", "nosuchid", "deny"),
    ("train-permission", "{root}", "maybe"), ("train-permission", "{root}", "allow"),
    ("train-permission", "\x1b[2J", "deny"), ("train-permission", "x" * 5000, "deny"),
    ("train-permission", "{root}", "deny", "--bogus"),
    # doctor
    ("doctor", "--bogus"), ("doctor", "extra"),
    ("defaults", "--bogus"), ("defaults", "extra"), ("defaults", "--license", "no-such-licence"),
    # generation (refused before any model loads)
    ("generate",), ("generate", ""), ("generate", "x", "--steps", "0"), ("generate", "x", "--size", "0x0"),
    ("generate", "x", "--royalty-policy", "x"), ("generate", "x", "--royalty-policy", ""),
    ("generate", "x", "--royalty-policy", "lap\x1b[2J"), ("remix", "{root}", "x", "--royalty-policy", HUGE),
    ("blend", "{root}", "{child}", "x", "--royalty-policy", "none"),
    ("generate", "x", "--royalty-policy", "lap", "--license", "cc-by-4.0"),
    ("generate", "x", "--size", "99999x99999"), ("generate", "x", "--guidance", "nan"),
    ("generate", "x", "--seed", "-1"),
    ("generate", "x", "--seed", HUGE), ("generate", "x", "--license", ""), ("generate", "x", "--rev-share", "inf"),
    ("generate", "x", "--lora", "ink:nan"), ("generate", "x", "--lora", "ink:x"),
    ("generate", "x", "--model", "nosuch"),
    ("generate", "x", "--scheduler", "nosuch"), ("generate", "x" * 20_000), ("remix",), ("remix", "nosuchid", "x"),
    ("remix", "{root}", "x", "--strength", "0"), ("remix", "{root}", "x", "--strength", "nan"),
    ("inpaint", "{root}", "x"), ("inpaint", "{root}", "x", "--mask", "{missing}"),
    ("inpaint", "{root}", "x", "--mask", "{dir}"), ("inpaint", "{root}", "x", "--mask", "{fifo}"),
    ("inpaint", "{root}", "x", "--mask", "{zero}"), ("blend", "{root}", "x"),
    ("blend", "{root}", "{child}", "x", "--weights", "a,b"), ("blend", "{root}", "{child}", "x", "--weights", "nan,1"),
    ("blend", "{root}", "{root}", "x"),
    # models
    ("models",), ("models", "add"), ("models", "add", "{missing}"), ("models", "add", "{fifo}"),
    ("models", "add", "{zero}"), ("models", "add", "{text}"), ("models", "add", "{png}", "--license", ""),
    # parts manifests: not JSON, huge, a FIFO, a base that is no model, parts outside any model, pickled parts
    ("models", "add", "{m_garbage}"), ("models", "add", "{m_huge}"), ("models", "add", "{m_fifo}"),
    ("models", "add", "{m_nobase}"), ("models", "add", "{m_device}"), ("models", "add", "{m_pickle}"),
    ("models", "show", "nosuch"), ("models", "list", "--bogus"),
    # publishing, Story imports and revenue (a chain that refuses connections)
    ("publish",), ("publish", "nosuchid", *RPC), ("publish", "{root}", "--rpc", "http://[::1"),
    ("publish", "{root}", "--rev-share", "nan", *RPC), ("publish", "{root}", "--minting-fee", "nan", *RPC),
    ("publish", "{root}", "--max-fee", "-1", *RPC), ("publish", "{root}", "--network", "moon"),
    ("publish", "{root}", "--yes", *RPC), ("publish", "status", "--rpc", "ftp://x"), ("publish", "finish"),
    ("publish", "config", "bogus.key", "x"), ("publish", "config", "rpc.devnet", "http://[::1"),
    ("import-ip",), ("import-ip", "0x123", *RPC), ("import-ip", "zz" * 20, *RPC), ("import-ip", BAD_CHECKSUM, *RPC),
    ("import-ip", ADDRESS, *RPC), ("import-ip", ADDRESS, "--rpc", "http://[::1"),
    ("import-ip", ADDRESS, "--network", "x"),
    ("revenue",), ("revenue", "pay", "{root}", "nan", *RPC), ("revenue", "pay", "{root}", "-1", *RPC),
    ("revenue", "pay", "{root}", "inf", "--yes", *RPC), ("revenue", "pay", "{root}", "1", "--yes", *RPC),
    ("revenue", "pay", "{root}", "1", *RPC), ("revenue", "show", "nosuchid", *RPC), ("revenue", "show", "{root}", *RPC),
    ("revenue", "claim", "{root}", "--rpc", "http://[::1"),
    # wallet: nothing typed is echoed
    ("wallet",), ("wallet", "import", "--wallet", "X", f"0x{KEY}"), ("wallet", "import", f"--{KEY}"),
    ("wallet", f"0x{KEY}"), ("wallet", "create", "--wallet", f"0x{KEY}"), ("wallet", "show", "--rpc", f"0x{KEY}"),
    ("wallet", "show", "--wallet", "", "--offline"),
    # devnet (never started by the corpus)
    ("devnet",), ("devnet", "start", "--bogus"), ("devnet", "nosuch"),
    # report, review, credentials, export
    ("report",), ("report", "nosuchid"), ("report", "{root}", "--format", "pdf"),
    ("report", "{root}", "--output", "{lib}/library.db"), ("report", "{root}", "--output", "{stored}"),
    ("report", "{root}", "--output", "{dir}"), ("review",), ("review", "approve", "{root}"),
    ("review", "approve", "nosuchid", "--reviewer", "me"), ("review", "approve", "{root}", "--reviewer", "me",
                                                             "--report", "{missing}"),
    ("review", "approve", "{root}", "--reviewer", "me", "--report", "{fifo}"),
    ("review", "approve", "{root}", "--reviewer", "me", "--report", "{zero}"),
    ("review", "require", "maybe"), ("credentials", "nosuchid"), ("export",), ("export", "nosuchid", "{out}"),
    ("export", "{root}", "{stored}"), ("export", "{root}", "{lib}/library.db"), ("export", "{root}", "{dir}"),
    ("export", "{root}", "{existing}"),
    # demo, and the newer commands
    ("demo", "--bogus"), ("demo", "extra", "args"), ("retitle",), ("retitle", "nosuchid", "x"),
    ("retitle", "{root}", ""), ("retitle", "{root}", "a\x1b[2Jb"), ("engines", "nosuch"),
    ("engines", "limits", "--idle", "nan"), ("engines", "limits", "--job-deadline", "1e308"),
    ("engines", "add", "--bogus"), ("train", "--bogus"), ("train", "nosuch"),
    ("collection", "nosuch"), ("collection", "create", ""), ("collection", "create", "set", "nosuch"),
    ("collection", "add", "nosuch", "{root}"), ("collection", "add", "{root}"), ("collection", "show", "nosuch"),
    ("collection", "show", "{root}", "--limit", "-1"),
    ("generate", "   "), ("generate", "a\x1b]0;title\x07"),
    # team libraries: addresses that are folders or hold a password, no server there, roles that do not exist
    ("library", "--bogus"), ("library", "nosuch"), ("library", "create", "--team", "{dir}"),
    ("library", "create", "--team", ""),
    ("library", "create", "--team", "postgresql://ada:hunter2@127.0.0.1:1/team"),
    ("library", "members", "list"), ("library", "members", "add", "bob", "--role", "king"),
    ("library", "members", "remove", "bob", "--team", "postgresql://127.0.0.1:1/team?password=hunter2"),
    ("library", "push", "{missing}", "postgresql://127.0.0.1:1/team"), ("library", "push", "{dir}", "{dir}"),
    ("library", "push", "{dir}", "postgresql://127.0.0.1:1/team"),
    ("library", "bucket", "{dir}", "http://127.0.0.1:1", "bucket"),
    ("library", "login", "postgresql://127.0.0.1:1/team", "--user", "bob"),
]
STDIN = {("wallet", "import", "--wallet", "X", f"0x{KEY}"): f"0x{KEY}\n",
         ("library", "login", "postgresql://127.0.0.1:1/team", "--user", "bob"): "hunter2\n"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("corpus")
    lib = base / "lib"
    runner = CliRunner()

    def ok(*args: str) -> str:
        result = runner.invoke(cli, ["--library", str(lib), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return result.stdout

    root_png, child_png, new_png = base / "root.png", base / "child.png", base / "new.png"
    for n, path in enumerate((root_png, child_png, new_png)):
        path.write_bytes(png_with_chunks({"parameters": "a tidepool\nSteps: 4, Seed: 1"}, seed=n + 1))
    root = ok("import", str(root_png), "--license", "cc-by-4.0").split()[0]
    child = ok("import", str(child_png), "--parent", root).split()[0]
    with pytest.MonkeyPatch.context() as env:  # the built-in model the suite generates with (tests/conftest.py)
        env.setenv("STUDIO_BUILTIN_MODEL", "studio-tiny")
        ok("models", "list")  # registers the built-in model, as the first generation would
    (base / "folder").mkdir()
    os.mkfifo(base / "fifo.png")
    (base / "zero.png").symlink_to("/dev/zero")
    (base / "zbomb.png").write_bytes(png_with_chunks({"parameters": deflated("a" * 50_000_000)}))
    (base / "text.png").write_text("not an image")
    (base / "empty.png").write_bytes(b"")
    (base / "truncated.png").write_bytes(root_png.read_bytes()[:60])
    (base / "image.gif").write_bytes(b"GIF89a" + b"\0" * 20)
    (base / "existing.png").write_bytes(b"keep me")
    manifests = {
        "m_garbage": "{not json",
        "m_huge": json.dumps({"base": "x", "parts": {}, "pad": "x" * 70_000}),
        "m_nobase": json.dumps({"base": "/", "parts": {"transformer": "/etc/passwd"}}),
        "m_device": json.dumps({"base": str(base), "parts": {"transformer": "/dev/zero"}}),
        "m_pickle": json.dumps({"base": str(base), "parts": {"transformer": "w.ckpt"}}),
    }
    for key, text in manifests.items():
        (base / f"{key}.json").write_text(text, encoding="utf-8")
    (base / "model_index.json").write_text('{"_class_name": "FluxPipeline"}', encoding="utf-8")
    os.mkfifo(base / "m_fifo.json")
    stored = next((lib / "files").rglob("*.png"))
    return {"lib": str(lib), "root": root, "child": child, "png": str(new_png), "missing": str(base / "missing.png"),
            "dir": str(base / "folder"), "fifo": str(base / "fifo.png"), "zero": str(base / "zero.png"),
            "zbomb": str(base / "zbomb.png"), "text": str(base / "text.png"), "empty": str(base / "empty.png"),
            "truncated": str(base / "truncated.png"), "gif": str(base / "image.gif"), "stored": str(stored),
            "out": str(base / "out.png"), "existing": str(base / "existing.png"),
            **{key: str(base / f"{key}.json") for key in (*manifests, "m_fifo")}}


def _fill(case: tuple[str, ...], world: dict[str, str]) -> list[str]:
    return [arg.format(**world) if "{" in arg and "}" in arg and "'" not in arg else arg for arg in case]


def _check(code: int, stdout: str, stderr: str, case: tuple[str, ...]) -> None:
    assert code != 0, f"{case} exited 0:\n{stdout}"
    assert "Traceback" not in stdout + stderr, f"{case} printed a traceback:\n{stderr}"
    assert len(stderr.splitlines()) == 1, f"{case} printed {len(stderr.splitlines())} lines on stderr:\n{stderr}"
    assert KEY not in (stdout + stderr).lower(), f"{case} echoed the key"
    assert "hunter2" not in stdout + stderr, f"{case} echoed a password"


def test_the_corpus_is_large_and_reaches_every_command():
    assert len(CORPUS) >= 100
    from studio.cli.command_index import COMMAND_INDEX

    reached = {case[0] for case in CORPUS}
    assert set(COMMAND_INDEX) <= reached, set(COMMAND_INDEX) - reached


@pytest.mark.parametrize("case", CORPUS, ids=[" ".join(c)[:60] for c in CORPUS])
def test_hostile_input_gets_one_line_and_leaves_the_library_untouched(world, case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a command that wrote a default output file would write it here
    before = snapshot(Path(world["lib"]))
    box: dict = {}

    def run() -> None:
        box["result"] = CliRunner().invoke(cli, ["--library", world["lib"], *_fill(case, world)],
                                           input=STDIN.get(case, ""), prog_name="studio")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), f"{case} hangs"
    result = box["result"]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{case} raised {result.exception!r}") from result.exception
    _check(result.exit_code, result.stdout, result.stderr, case)
    after = snapshot(Path(world["lib"]))
    assert after.integrity == "ok"
    assert after.rows == before.rows, f"{case} changed rows"
    assert after.files == before.files, f"{case} changed files"
    assert list(tmp_path.iterdir()) == [], f"{case} wrote {list(tmp_path.iterdir())}"


SUBPROCESS = [
    ("--bogus",), ("list", "--limit", "0"), ("import", "{fifo}"), ("wallet", "import", "--wallet", "X", f"0x{KEY}"),
    ("import-ip", BAD_CHECKSUM), ("revenue", "pay", "{root}", "nan", *RPC), ("show", "nosuchid"),
]


@pytest.mark.parametrize("case", SUBPROCESS, ids=[" ".join(c)[:40] for c in SUBPROCESS])
def test_the_real_entry_point_behaves_the_same(world, case, tmp_path):
    before = snapshot(Path(world["lib"]))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, "-m", "studio", "--library", world["lib"], *_fill(case, world)],
                          capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
                          cwd=tmp_path)
    _check(done.returncode, done.stdout, done.stderr, case)
    assert snapshot(Path(world["lib"])) == before


def test_hostile_xmp_in_an_imported_file_states_nothing_and_the_license_decides(tmp_path: Path) -> None:
    """Huge, deeply nested and entity-expanding XMP: the import succeeds and training follows the license, as if
    the file said nothing. A value of the wrong type is a statement the studio cannot read: not allowed."""
    from studio.metadata.xmp import PLUS_NS, embed_xmp

    deny = "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"
    packets = {
        "deep": "<a>" * 50_000 + f'<b xmlns:plus="{PLUS_NS}" plus:DataMining="{deny}"/>' + "</a>" * 50_000,
        "laughs": '<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                  f'<x xmlns:plus="{PLUS_NS}" plus:DataMining="&b;"/>',
        "huge": f'<x xmlns:plus="{PLUS_NS}" plus:DataMining="{deny}">' + " " * (2 << 20) + "</x>",
        "wrong-type": f'<x xmlns:plus="{PLUS_NS}"><plus:DataMining><y>{"z" * 5000}</y></plus:DataMining></x>',
    }
    runner = CliRunner()
    lib = tmp_path / "lib"
    for n, (name, packet) in enumerate(packets.items()):
        path = tmp_path / f"{name}.png"
        path.write_bytes(embed_xmp(png_with_chunks({}, seed=40 + n), packet.encode()))
        result = runner.invoke(cli, ["--library", str(lib), "import", str(path), "--license", "cc0-1.0", "--json"],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        work_id = json.loads(result.stdout)["id"]
        check = runner.invoke(cli, ["--library", str(lib), "license", "check", work_id, "--json"])
        verdict = json.loads(check.stdout)
        readable = name != "wrong-type"
        assert verdict["can_train"] is readable, name
        codes = [v["code"] for v in verdict["verdicts"] if v["action"] == "train"]
        assert codes == ["training_license_allows" if readable else "training_xmp_constrained"], name
