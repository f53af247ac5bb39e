"""The official Python SDK (0.3.18) against the devnet: its own calls, unchanged, prove the contracts' ABI and
events are the ones it expects. Uses anvil's public dev account 0, which exists only on local chains."""

from __future__ import annotations

import pytest
from eth_account import Account
from story_protocol_python_sdk import (
    DerivativeDataInput,
    IPMetadataInput,
    LicenseTermsDataInput,
    MintedNFT,
    MintNFT,
    PILFlavor,
    RoyaltyShareInput,
    StoryClient,
)

from studio.story.devnet.addresses import (
    CORE_METADATA_MODULE,
    DERIVATIVE_WORKFLOWS,
    ROYALTY_MODULE,
    ROYALTY_POLICY_LAP,
    WIP,
)

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
WIP_UNIT = 10**18
NO_CONFIG = {
    "is_set": False,
    "minting_fee": 0,
    "licensing_hook": "0x0000000000000000000000000000000000000000",
    "hook_data": "0x",
    "commercial_rev_share": 0,
    "disabled": False,
    "expect_minimum_group_reward_share": 0,
    "expect_group_reward_pool": "0x0000000000000000000000000000000000000000",
}
# Ceilings that catch a gas regression in the two publish flows (measured 559k and 1.30M).
ROOT_PUBLISH_GAS_MAX = 700_000
DERIVATIVE_PUBLISH_GAS_MAX = 1_500_000


@pytest.fixture
def client(chain) -> StoryClient:
    return StoryClient(chain.w3, Account.from_key(ANVIL_KEY_0), 1315)


def _gas(chain, tx_hash: str) -> int:
    return chain.w3.eth.get_transaction_receipt(tx_hash)["gasUsed"]


# The brief's calls include SDK methods the SDK itself marks deprecated.
@pytest.mark.filterwarnings("ignore:Use register_pil_terms:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Use register_ip_asset:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:Deprecated. Use register_derivative_ip_asset:DeprecationWarning")
def test_sdk_publish_remix_pay_and_claim(chain, client: StoryClient) -> None:
    wallet = client.account.address
    collection = client.NFTClient.create_nft_collection(
        name="Remixes",
        symbol="RMX",
        is_public_minting=False,
        mint_open=True,
        mint_fee_recipient=wallet,
        contract_uri="",
    )["nft_contract"]

    registered = client.License.register_commercial_remix_pil(
        default_minting_fee=WIP_UNIT, currency=WIP, commercial_rev_share=10, royalty_policy=ROYALTY_POLICY_LAP
    )
    terms_id = registered["license_terms_id"]
    assert terms_id == 2
    again = client.License.register_commercial_remix_pil(
        default_minting_fee=WIP_UNIT, currency=WIP, commercial_rev_share=10, royalty_policy=ROYALTY_POLICY_LAP
    )
    assert again["license_terms_id"] == terms_id and again.get("tx_hash") is None

    remix_terms = PILFlavor.commercial_remix(
        default_minting_fee=WIP_UNIT, currency=WIP, commercial_rev_share=10, royalty_policy=ROYALTY_POLICY_LAP
    )
    root = client.IPAsset.register_ip_asset(
        nft=MintNFT(type="mint", spg_nft_contract=collection),
        license_terms_data=[LicenseTermsDataInput(terms=remix_terms, licensing_config=NO_CONFIG)],
    )
    assert root["license_terms_ids"] == [terms_id]
    assert client.IPAsset.is_registered(root["ip_id"])
    root_gas = _gas(chain, root["tx_hash"])

    client.WIP.deposit(amount=WIP_UNIT)
    client.WIP.approve(spender=DERIVATIVE_WORKFLOWS, amount=WIP_UNIT)
    child = client.IPAsset.register_derivative_ip_asset(
        nft=MintNFT(type="mint", spg_nft_contract=collection),
        deriv_data=DerivativeDataInput(
            parent_ip_ids=[root["ip_id"]], license_terms_ids=[terms_id], max_minting_fee=WIP_UNIT
        ),
    )
    child_ip = child["ip_id"]
    derivative_gas = _gas(chain, child["tx_hash"])
    registry = chain.c("LicenseRegistry")
    assert registry.functions.getParentIp(child_ip, 0).call() == root["ip_id"]
    assert client.Royalty.claimable_revenue(root["ip_id"], root["ip_id"], WIP) == WIP_UNIT

    client.WIP.deposit(amount=100 * WIP_UNIT)
    client.WIP.approve(spender=ROYALTY_MODULE, amount=100 * WIP_UNIT)
    client.Royalty.pay_royalty_on_behalf(child_ip, root["ip_id"], WIP, 100 * WIP_UNIT)
    assert client.Royalty.claimable_revenue(child_ip, child_ip, WIP) == 90 * WIP_UNIT

    wip_before = client.WIP.balance_of(wallet)
    claimed = client.Royalty.claim_all_revenue(
        ancestor_ip_id=root["ip_id"],
        claimer=root["ip_id"],
        child_ip_ids=[child_ip],
        royalty_policies=[ROYALTY_POLICY_LAP],
        currency_tokens=[WIP],
    )
    # The minting fee plus 10% of the payment, moved out of the IP account to the wallet and unwrapped.
    assert [(t["token"], t["amount"]) for t in claimed["claimed_tokens"]] == [(WIP, 11 * WIP_UNIT)]
    assert len(claimed["tx_hashes"]) == 3
    assert chain.wip_balance(root["ip_id"]) == 0
    assert client.WIP.balance_of(wallet) == wip_before

    assert root_gas < ROOT_PUBLISH_GAS_MAX
    assert derivative_gas < DERIVATIVE_PUBLISH_GAS_MAX
    print(f"\ngas: root publish {root_gas}, derivative publish {derivative_gas}")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sdk_registers_existing_nfts_with_owner_signatures(chain, client: StoryClient) -> None:
    """The MintedNFT paths: the SDK signs EIP-712 permissions that the IP account verifies (executeWithSig)."""
    collection = chain.spg
    spg = chain.c("SPGNFT", collection)
    for _ in range(2):
        chain.send(spg.functions.mint(client.account.address, "ipfs://nft", b"\x00" * 32, True))
    remix_terms = PILFlavor.commercial_remix(
        default_minting_fee=0, currency=WIP, commercial_rev_share=5, royalty_policy=ROYALTY_POLICY_LAP
    )
    metadata = IPMetadataInput(ip_metadata_uri="ipfs://ip", ip_metadata_hash="0x" + "11" * 32)
    root = client.IPAsset.register_ip_asset(
        nft=MintedNFT(type="minted", nft_contract=collection, token_id=1),
        license_terms_data=[LicenseTermsDataInput(terms=remix_terms, licensing_config=NO_CONFIG)],
        ip_metadata=metadata,
    )
    account = chain.c("IPAccountImpl", root["ip_id"])
    namespace = bytes.fromhex(CORE_METADATA_MODULE[2:]).rjust(32, b"\x00")
    assert account.functions.getBytes(namespace, b"METADATA_URI".ljust(32, b"\x00")).call() == b"ipfs://ip"
    assert account.functions.state().call() != b"\x00" * 32

    child = client.IPAsset.register_derivative_ip_asset(
        nft=MintedNFT(type="minted", nft_contract=collection, token_id=2),
        deriv_data=DerivativeDataInput(parent_ip_ids=[root["ip_id"]], license_terms_ids=root["license_terms_ids"]),
        ip_metadata=metadata,
    )
    assert chain.c("LicenseRegistry").functions.getParentIp(child["ip_id"], 0).call() == root["ip_id"]
    # A signature cannot be replayed: the account's state moved on.
    assert chain.c("IPAccountImpl", child["ip_id"]).functions.state().call() != b"\x00" * 32


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_sdk_royalty_shares_go_to_collaborators(chain, client: StoryClient) -> None:
    collection = chain.spg
    remix_terms = PILFlavor.commercial_remix(
        default_minting_fee=0, currency=WIP, commercial_rev_share=5, royalty_policy=ROYALTY_POLICY_LAP
    )
    root = client.IPAsset.register_ip_asset(
        nft=MintNFT(type="mint", spg_nft_contract=collection),
        license_terms_data=[LicenseTermsDataInput(terms=remix_terms, licensing_config=NO_CONFIG)],
        royalty_shares=[RoyaltyShareInput(recipient=chain.bob, percentage=25)],
    )
    root_vault = chain.vault_of(root["ip_id"])
    assert root_vault.functions.balanceOf(chain.bob).call() == 25_000_000
    assert root_vault.functions.balanceOf(root["ip_id"]).call() == 75_000_000

    spg = chain.c("SPGNFT", collection)
    chain.send(spg.functions.mint(client.account.address, "ipfs://nft", b"\x00" * 32, True))
    token_id = spg.functions.totalSupply().call()
    child = client.IPAsset.register_derivative_ip_asset(
        nft=MintedNFT(type="minted", nft_contract=collection, token_id=token_id),
        deriv_data=DerivativeDataInput(parent_ip_ids=[root["ip_id"]], license_terms_ids=root["license_terms_ids"]),
        royalty_shares=[RoyaltyShareInput(recipient=chain.carol, percentage=12.5)],
    )
    child_vault = chain.vault_of(child["ip_id"])
    assert child_vault.functions.balanceOf(chain.carol).call() == 12_500_000
    assert child_vault.functions.balanceOf(child["ip_id"]).call() == 87_500_000
