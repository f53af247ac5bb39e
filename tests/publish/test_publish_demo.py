"""The demo's publishing step: the app's own devnet, a wallet (or anvil's public account when no keyring
exists), the three-generation chain published, and its split read back next to the engine's."""

from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail
from publish_helpers import Desk, keyring_for_tests

from studio.cli.demo_cmd import StoryPrinter
from studio.services import Studio
from studio.services.demo import DemoState, publish_on_devnet
from studio.services.demo_events import Narrator
from studio.services.publishing import PublishOptions
from studio.story.errors import NoWallet
from studio.story.wallet import secret_name


def _chain(desk: Desk):
    dawn = desk.work("Tidal Fields", rev_share=5)
    noon = desk.work("Tidal Fields at Noon", parents=[dawn], override=10)
    night = desk.work("Tidal Fields at Night", parents=[noon])
    return [dawn, noon, night]


def test_demo_publishes_the_chain_with_a_keyring_wallet(tmp_path, monkeypatch, capsys) -> None:
    secrets, env = keyring_for_tests(tmp_path)
    if "STUDIO_KEYRING" in env:
        monkeypatch.setenv("STUDIO_KEYRING", env["STUDIO_KEYRING"])
    monkeypatch.setenv("STUDIO_WALLET", "demo-" + tmp_path.name[-10:])
    studio = Studio.open(tmp_path / "demo")
    desk = Desk(studio, "", secrets, env, "demo-" + tmp_path.name[-10:])
    try:
        chain = _chain(desk)
        publish_on_devnet(DemoState(studio, Narrator(StoryPrinter()), chain=chain))
        out = capsys.readouterr().out
        assert "created wallet" in out
        for work in chain:
            assert f"{work.id}  {work.title}" in out
        assert "LAP royalty stack: engine 15%, chain 15%: the chain agrees with the engine" in out
        assert "Tidal Fields at Noon" in out and "10%     10%" in out
        assert not studio.publish_setup.devnet_status().running
    finally:
        secrets.delete(secret_name(desk.wallet_name))
        studio.publish_setup.devnet_stop()
        studio.close()


def test_without_a_keyring_the_demo_uses_anvils_public_account_on_the_devnet_only(tmp_path, monkeypatch,
                                                                                capsys) -> None:
    monkeypatch.delenv("STUDIO_KEYRING", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    studio = Studio.open(tmp_path / "demo")
    try:
        chain = _chain(Desk(studio, "", studio.publish_setup.secrets, {}, "unused"))
        publish_on_devnet(DemoState(studio, Narrator(StoryPrinter()), chain=chain))
        out = capsys.readouterr().out
        assert "using anvil's public development account 0xa0Ee7A142d267C1f36714E4a8F75612F20a79720" in out
        assert "the chain agrees with the engine" in out
        other = _chain(Desk(studio, "", studio.publish_setup.secrets, {}, "unused"))[0]
        with pytest.raises(NoWallet, match="devnet only"):
            studio.publish(other.id, PublishOptions(network="aeneid", rpc_url="http://127.0.0.1:9"))
    finally:
        keyring.set_keyring(previous)
        studio.publish_setup.devnet_stop()
        studio.close()
