"""What `license check` and `show` say about a user's own generation, before and after it is on Story."""

from __future__ import annotations

import pytest

from studio.store.library import Library
from studio.story.journal import Journal

IP = "0x" + "ab" * 20


@pytest.fixture
def own_generation(run) -> str:
    work = run.json("generate", "a quiet harbour at dawn", "--steps", "2", "--size", "64x64", "--seed", "1",
                    "--license", "pil-non-commercial-social-remixing", "--title", "Dawn")
    return work["id"]


def _register(library, work_id: str, network: str, chain_id: int) -> None:
    lib = Library.open(library)
    try:
        Journal(lib.db).record_imported(
            work_id, network, chain_id, ip_id=IP, token_id=1, nft_contract="0x" + "cd" * 20,
            license_terms_ids=(1,), metadata_uri=None, metadata_hash=None, readback={},
        )
    finally:
        lib.close()


def test_own_non_commercial_generation_states_owner_rights_and_what_others_may_not(run, own_generation) -> None:
    out = run("license", "check", own_generation).stdout
    commercial = next(line for line in out.splitlines() if "may be used commercially" in line)
    assert "yes" in commercial and "as its owner you may use it commercially" in commercial
    assert commercial.rstrip().endswith("(owner_may_use_commercially)")
    others = next(line for line in out.splitlines() if "others may use it commercially" in line)
    assert " no " in others and "(others_may_not_use_commercially)" in others
    data = run.json("license", "check", own_generation)
    lines = {(v["who"], v["action"]): v for v in data["verdicts"]}
    assert lines[("you", "commercial")]["answer"] == "yes" and lines[("you", "commercial")]["reason"]
    assert lines[("others", "commercial")]["answer"] == "no"
    assert all(v["code"] and v["reason"] for v in data["verdicts"])


def test_a_published_work_shows_its_ip_not_a_refusal(run, own_generation) -> None:
    _register(run.library, own_generation, "devnet", 1315)
    out = run("license", "check", own_generation).stdout
    assert f"Published as IP {IP} on devnet" in out and "has no block explorer" in out
    assert "already_on_chain" not in out and "May be published" not in out
    shown = run.json("show", own_generation)
    assert shown["ip"] == {"id": IP, "network": "devnet", "chain_id": 1315, "explorer_url": None}
    assert f"Published as IP {IP} on devnet" in run("show", own_generation).stdout


def test_an_ip_on_a_public_network_links_to_its_explorer(run, own_generation) -> None:
    _register(run.library, own_generation, "aeneid", 1315)
    shown = run.json("show", own_generation)
    assert shown["ip"]["explorer_url"] == f"https://aeneid.storyscan.xyz/address/{IP}"
    assert f"https://aeneid.storyscan.xyz/address/{IP}" in run("show", own_generation).stdout
    assert run.json("license", "check", own_generation)["published"][0]["network"] == "aeneid"
