"""The Story commands as a user runs them: wallet, publish with its prompt, publish status, revenue and
import-ip with --json, on the session devnet."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from eth_account import Account
from publish_helpers import forget_wallet, open_desk

from studio.cli.main import cli


@pytest.fixture
def desk(chain, devnet, tmp_path, monkeypatch):
    d = open_desk(tmp_path / "lib", devnet, tmp_path, monkeypatch)
    yield d
    forget_wallet(d)
    d.studio.close()


def run(desk, *args: str, ok: bool = True, stdin: str | None = None):
    result = CliRunner().invoke(cli, ["--library", str(desk.studio.library.root), *args], input=stdin,
                                catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + result.stderr
    return result


def run_json(desk, *args: str, stdin: str | None = None):
    return json.loads(run(desk, *args, "--json", stdin=stdin).stdout)


def test_wallet_commands_show_the_address_never_the_key(desk) -> None:
    missing = run(desk, "wallet", "show", "--offline", ok=False)
    assert missing.exit_code == 7 and "wallet create" in missing.stderr
    key = "0x" + Account.create().key.hex()
    address = Account.from_key(key).address
    imported = run(desk, "wallet", "import", "--json", stdin=key + "\n")
    assert json.loads(imported.stdout) == {"name": desk.wallet_name, "address": address}
    assert key[2:] not in imported.output
    again = run(desk, "wallet", "create", ok=False)
    assert again.exit_code == 7 and "already in the keyring" in again.stderr
    bad = run(desk, "wallet", "import", "--wallet", "other", stdin="0xnot-a-key-" + key[2:20] + "\n", ok=False)
    assert bad.exit_code == 2 and "not a private key" in bad.stderr and key[2:20] not in bad.output
    shown = run_json(desk, "wallet", "show")
    assert shown["address"] == address and shown["network"] == "devnet"
    assert shown["funded"] is True and shown["balance_wei"] == 10_000 * 10**18


def test_publish_asks_before_signing_and_reports_the_chain(desk) -> None:
    run(desk, "wallet", "create")
    root = desk.work("Dawn", rev_share=5)
    remix = desk.work("Noon", parents=[root], override=10)
    declined = run(desk, "publish", remix.id, stdin="n\n", ok=False)
    assert "Sign and send?" in declined.stderr and "Dawn" in declined.stdout
    assert "royalty split (LAP): creator keeps 95%" in declined.stdout
    assert desk.studio.journal.list() == []

    published = run_json(desk, "publish", remix.id, "--yes")
    assert [p["work_id"] for p in published] == [root.id, remix.id]
    assert all(p["state"] == "confirmed" and p["readback"]["agrees"] for p in published)
    assert published[1]["transactions"][-1]["label"] == "raising the rev share this work's remixes pay"

    status = run_json(desk, "publish", "status", remix.id)
    assert [(s["work_id"], s["state"]) for s in status] == [(remix.id, "confirmed")]
    text = run(desk, "publish", "status").stdout
    assert "agrees" in text and published[1]["ip_id"] in text
    again = run(desk, "publish", remix.id, "--yes", ok=False)
    assert again.exit_code == 7 and "already on devnet" in again.stderr

    tip = run_json(desk, "revenue", "pay", remix.id, "2.5", "--yes")
    assert tip["amount_wei"] == 25 * 10**17 and tip["transactions"][-1]["label"] == "paying the work"
    lines = {line["id"]: line for line in run_json(desk, "revenue", "show", remix.id)}
    assert lines[root.id]["from_remixes_wei"] == 25 * 10**17 * 5 // 100
    assert lines[remix.id]["in_vault_wei"] == 25 * 10**17 * 95 // 100
    claimed = run_json(desk, "revenue", "claim", root.id)
    assert sum(amount for _, amount in claimed["claimed"]) == 25 * 10**17 * 5 // 100


def test_refused_publish_exits_with_the_engines_reason(desk) -> None:
    run(desk, "wallet", "create")
    parent = desk.work("No remixes", license_id="pil-commercial-use", owned=False)
    run(desk, "publish", parent.id, "--yes")
    remix = desk.work("Remix", parents=[parent])
    refused = run(desk, "publish", remix.id, "--yes", ok=False)
    assert refused.exit_code == 5 and "cannot be published on devnet" in refused.stderr
    assert "allows no remixes" in refused.stderr


def test_config_and_bad_amounts(desk) -> None:
    assert run_json(desk, "publish", "config", "rpc.devnet")["rpc.devnet"] == desk.rpc_url
    bad = run(desk, "publish", "config", "ipfs.api", "not a url", ok=False)
    assert bad.exit_code == 2
    run(desk, "wallet", "create")
    work = desk.work("Dawn", rev_share=5)
    wrong = run(desk, "revenue", "pay", work.id, "0.0000000000000000001", "--yes", ok=False)
    assert wrong.exit_code == 2 and "more than 18 decimals" in wrong.stderr
    words = run(desk, "revenue", "pay", work.id, "lots", "--yes", ok=False)
    assert words.exit_code == 2 and "is not an amount" in words.stderr
