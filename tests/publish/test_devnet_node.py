"""The devnet process: start (and reuse), status, stop of exactly that process, persisted state (a work
published through the CLI is still there after `studio devnet stop` and `start`), and the error when anvil is not
installed. The process tests run their own node, apart from the session's; the calls to a running node use the
session devnet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_utils import keccak
from publish_helpers import keyring_for_tests

from studio.cli.main import cli
from studio.story.chain import ChainClient
from studio.story.devnet import Devnet, DevnetNotInstalled, fund, install_contracts
from studio.story.devnet.addresses import CANONICAL, IP_ASSET_REGISTRY
from studio.story.devnet.errors import DevnetError, RpcError
from studio.story.networks import network
from studio.story.wallet import secret_name
from tests.conftest import REPO, image_bytes


@pytest.fixture
def node(tmp_path: Path):
    devnet = Devnet(tmp_path / "devnet")
    yield devnet
    devnet.stop()


def test_start_status_stop(node: Devnet) -> None:
    assert node.status().running is False
    url = node.start()
    status = node.status()
    assert status.running and status.rpc_url == url and status.chain_id == 1315 and status.block == 0
    pid = status.pid
    assert pid is not None and (node.state_dir / "anvil.json").is_file()
    node.stop()
    assert node.status().running is False
    assert not (node.state_dir / "anvil.json").exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_start_reuses_the_recorded_node(node: Devnet) -> None:
    url = node.start()
    pid = node.status().pid
    again = Devnet(node.state_dir)
    assert again.start() == url
    assert again.status().pid == pid
    assert again.rpc("eth_chainId", []) == hex(1315)


def test_a_dead_record_is_replaced(node: Devnet) -> None:
    node.state_dir.mkdir(parents=True)
    (node.state_dir / "anvil.json").write_text('{"pid": 999999, "port": 1}')
    url = node.start()
    assert node.status().running and not url.endswith(":1")


def test_state_survives_a_restart(node: Devnet) -> None:
    node.start()
    install_contracts(node.rpc)
    someone = "0x000000000000000000000000000000000000bEEF"
    fund(node.rpc, someone, 5 * 10**18)
    node.stop()
    assert (node.state_dir / "state.json").is_file()
    node.start()
    assert node.rpc("eth_getBalance", [someone, "latest"]) == hex(5 * 10**18)
    assert node.rpc("eth_getCode", [IP_ASSET_REGISTRY, "latest"]) != "0x"
    install_contracts(node.rpc)  # nothing to do: same code, already initialised


def test_fund_refuses_a_negative_amount(fresh_devnet: Devnet) -> None:
    with pytest.raises(DevnetError, match="negative"):
        fund(fresh_devnet.rpc, CANONICAL["WIP"], -1)


def test_revert_data_is_named(fresh_devnet: Devnet) -> None:
    data = "0x" + keccak(text="initialize()")[:4].hex()
    with pytest.raises(RpcError) as caught:
        fresh_devnet.rpc("eth_call", [{"to": CANONICAL["RoyaltyModule"], "data": data}, "latest"])
    assert caught.value.error_name == "Initializable__AlreadyInitialized"


def test_missing_binary_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STUDIO_ANVIL", str(tmp_path / "no-anvil"))
    with pytest.raises(DevnetNotInstalled) as caught:
        Devnet(tmp_path / "devnet").start()
    assert "npm install" in str(caught.value) and "make demo" in str(caught.value)


def test_rpc_without_a_node_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DevnetError, match="not running"):
        Devnet(tmp_path / "devnet").rpc("eth_chainId", [])


def test_the_apps_devnet_keeps_published_works_across_a_restart(tmp_path, monkeypatch) -> None:
    """No RPC setting: the app starts its own devnet in the library folder, and stops it."""
    secrets, env = keyring_for_tests(tmp_path)
    if "STUDIO_KEYRING" in env:
        monkeypatch.setenv("STUDIO_KEYRING", env["STUDIO_KEYRING"])
    wallet = f"restart-{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("STUDIO_WALLET", wallet)
    library = tmp_path / "own"

    def studio(*args: str):
        result = CliRunner().invoke(cli, ["--library", str(library), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output + result.stderr
        return json.loads(result.stdout) if "--json" in args else result

    def devnet(command: str) -> dict:
        # Its own process, as a user runs it: the node outlives the command that started it.
        done = subprocess.run([sys.executable, "-m", "studio", "--library", str(library), "devnet", command, "--json"],
                              cwd=REPO, env={**os.environ}, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    image = tmp_path / "dawn.png"
    image.write_bytes(image_bytes(77, (24, 20)))
    try:
        started = devnet("start")
        assert started["running"] and started["chain_id"] == 1315
        assert started["rpc_url"].startswith("http://127.0.0.1:")
        studio("wallet", "create")
        work_id = studio("import", str(image), "--license", "pil-commercial-remix", "--rev-share", "5", "--json")["id"]
        (pub,) = studio("publish", work_id, "--yes", "--json")
        assert devnet("stop")["running"] is False
        assert studio("devnet", "status", "--json")["running"] is False

        restarted = devnet("start")
        assert restarted["running"]
        client = ChainClient.connect(network("devnet"), restarted["rpc_url"])
        assert client.contracts.is_registered(pub["ip_id"])
        assert client.contracts.attached_terms(pub["ip_id"]) == pub["license_terms_ids"]
        (status,) = studio("publish", "status", work_id, "--json")
        assert status["state"] == "confirmed" and status["ip_id"] == pub["ip_id"]
    finally:
        Devnet(library / "devnet").stop()
        secrets.delete(secret_name(wallet))
    assert not Devnet(library / "devnet").status().running
