"""The wallet key lives only in the OS keyring: after full flows (import, publish with fees, a raised share,
tips, claims, status, reports, failures) it is in no database, log, setting, file, export, output or error."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from eth_account import Account
from publish_helpers import forget_wallet, open_desk

from studio.cli.main import cli
from studio.story.devnet.node import free_port
from studio.story.wallet import secret_name


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_the_wallet_key_is_only_in_the_keyring(chain, devnet, tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    desk = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    account = Account.create()
    key = account.key.hex()
    outputs: list[str] = []

    def studio(*args: str, ok: bool = True, stdin: str | None = None) -> str:
        result = CliRunner().invoke(cli, ["-v", "--library", str(desk.studio.library.root), *args], input=stdin,
                                    catch_exceptions=False)
        outputs.append(result.output + result.stderr)
        assert (result.exit_code == 0) == ok, result.output + result.stderr
        return result.stdout

    try:
        studio("wallet", "import", stdin=f"0x{key}\n")
        assert desk.secrets.get(secret_name(desk.wallet_name)) == "0x" + key.lower()
        root = desk.work("Dawn", rev_share=5, minting_fee=10**18)
        remix = desk.work("Noon", parents=[root], override=10)
        published = json.loads(studio("publish", remix.id, "--yes", "--json"))
        assert [p["state"] for p in published] == ["confirmed", "confirmed"]
        studio("wallet", "show")
        studio("revenue", "pay", remix.id, "1", "--yes")
        studio("revenue", "show", remix.id)
        studio("revenue", "claim", root.id)
        studio("publish", "status")
        studio("report", remix.id, "--format", "json", "--output", str(tmp_path / "exports" / "report.json"))
        studio("report", remix.id, "--output", str(tmp_path / "exports" / "report.html"))
        studio("wallet", "import", "--wallet", "other", stdin=f"0x{key[:-2]}zz\n", ok=False)
        studio("publish", remix.id, "--yes", "--rpc", f"http://127.0.0.1:{free_port()}", ok=False)
        studio("wallet", "create", ok=False)
    finally:
        forget_wallet(desk)
        desk.studio.close()

    needles = [key.lower(), key.upper(), "0x" + key.lower()]
    texts = {"cli output": "\n".join(outputs), "logs": caplog.text}
    with sqlite3.connect(desk.studio.library.root / "library.db") as db:
        texts["database dump"] = "\n".join(db.iterdump())
        assert db.execute("SELECT count(*) FROM publications WHERE raw_tx IS NOT NULL").fetchone()[0] == 2
    for name, text in texts.items():
        for needle in needles:
            assert needle not in text, f"the key leaked into the {name}"
    roots = [desk.studio.library.root, tmp_path / "exports", Path(os.environ["STUDIO_CONFIG_DIR"]),
             Path(os.environ["STUDIO_DATA_DIR"])]
    files = _files(*roots)
    assert any(f.name == "library.db" for f in files) and any(f.suffix == ".json" for f in files)
    for path in files:
        data = path.read_bytes()
        assert bytes.fromhex(key) not in data, f"the key's bytes are in {path}"
        lowered = data.lower()
        for needle in needles:
            assert needle.lower().encode() not in lowered, f"the key is in {path}"
