"""The demo's data part on the devnet with the built-in emoji model: contributors' emoji linked to the
library's OpenMoji works, the training set as their group, the model as its derivative, an image generated with
the model linked to it, and a tip's share per contributor read from the chain equal to the engine's."""

from __future__ import annotations

import keyring
from keyring.backends import fail

from studio.cli.demo_cmd import StoryPrinter
from studio.core.modes import Mode
from studio.services import Studio
from studio.services.demo_data import GROUP_POLICY, GROUP_REV_SHARE, publish_model, tip_and_show_data_earnings
from studio.services.demo_events import Narrator
from studio.services.generation import CreateRequest
from studio.services.publishing import PublishOptions


def test_a_tip_to_an_image_of_the_emoji_model_reaches_the_contributors_as_predicted(tmp_path, monkeypatch, capsys,
                                                                                     devnet_url) -> None:
    monkeypatch.delenv("STUDIO_BUILTIN_MODEL", raising=False)
    monkeypatch.delenv("STUDIO_KEYRING", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    studio = Studio.open(tmp_path / "demo")
    try:
        studio.publish_setup.set_setting("rpc.devnet", devnet_url)  # the session devnet, not a node of its own
        studio.publish_setup.use_devnet_dev_account()
        image = studio.generation.create(CreateRequest(Mode.txt2img, "grinning cat", seed=7, steps=4, title="Cat",
                                              license_id="pil-commercial-remix", rev_share=GROUP_REV_SHARE,
                                              royalty_policy=GROUP_POLICY))
        tell = Narrator(StoryPrinter())
        on_chain = publish_model(studio, tell)
        assert on_chain is not None and len(on_chain.members) == 6 and len(set(on_chain.members.values())) == 3
        model_pub = studio.journal.confirmed(on_chain.model.id, "devnet")
        assert model_pub is not None and model_pub.readback["agrees"], model_pub.readback
        # Every contributor's IP is the library's own OpenMoji work, not a new one.
        for row in studio.library.group_members.members_of(on_chain.group.work_id, "devnet"):
            assert studio.work(row.member_work_id).origin.value == "builtin"
        (published,) = studio.publish(image.id, PublishOptions(network="devnet"))
        client = studio.publish_setup.client(studio.publish_setup.network("devnet"))
        assert client.contracts.parents(published.publication.ip_id) == [model_pub.ip_id]
        tip_and_show_data_earnings(studio, tell, on_chain, published.publication)
        out = capsys.readouterr().out
        assert "the chain agrees with the engine" in out and "DIFFERS" not in out
        assert sum(1 for line in out.splitlines() if line.rstrip().endswith(tuple("0123456789"))
                   and " 2  " in line) == 3  # one row per contributor, 2 emoji each
    finally:
        keyring.set_keyring(previous)
        studio.close()
