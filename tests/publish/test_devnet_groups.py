"""Story groups on the devnet: the Story SDK 0.3.18's own group calls (a training set as a group IP on the
even-split pool, members added with the group's license, a remix of the group paid, the group's royalties
collected and split), the reverts Story's grouping contracts raise, named from the SDK's ABIs, and the chain
client's group methods. Uses anvil's public dev accounts, which exist only on local chains."""

from __future__ import annotations

import pytest
from devnet_chain import NO_CONFIG, PCT, ZERO, Chain, commercial_remix
from eth_account import Account
from story_protocol_python_sdk import DerivativeDataInput, MintNFT, StoryClient
from story_protocol_python_sdk.types.common import AccessPermission
from web3.exceptions import ContractCustomError

from studio.secrets import Secret
from studio.story.chain import ChainClient
from studio.story.devnet.addresses import (
    EVEN_SPLIT_GROUP_POOL,
    PIL_TEMPLATE,
    ROYALTY_MODULE,
    ROYALTY_POLICY_LAP,
    ROYALTY_POLICY_LRP,
    WIP,
)
from studio.story.error_table import ErrorTable, sdk_errors
from studio.story.networks import NETWORKS

ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
MEMBER_CONFIG = {  # the SDK's snake_case form: a member offers the group's terms to the even-split pool
    "is_set": True,
    "minting_fee": 0,
    "licensing_hook": ZERO,
    "hook_data": "",  # the SDK encodes the text as bytes: "" is empty hook data, matching the group's
    "commercial_rev_share": 0,
    "disabled": False,
    "expect_minimum_group_reward_share": 0,
    "expect_group_reward_pool": EVEN_SPLIT_GROUP_POOL,
}
SDK_NO_CONFIG = {**MEMBER_CONFIG, "is_set": False, "expect_group_reward_pool": ZERO}
POOL_CONFIG = {**NO_CONFIG, "isSet": True, "expectGroupRewardPool": EVEN_SPLIT_GROUP_POOL}
GROUP_SCALE = 1_000  # Story's pool keeps per-member rewards scaled by its group-size limit


def even_share(collected: int, members: int) -> int:
    """What Story's EvenSplitGroupPool pays each member from one deposit."""
    return (collected * GROUP_SCALE // members) // GROUP_SCALE


@pytest.fixture
def client(chain: Chain) -> StoryClient:
    return StoryClient(chain.w3, Account.from_key(ANVIL_KEY_0), 1315)


@pytest.fixture
def app_chain(devnet) -> ChainClient:
    status = devnet.status()
    assert status.rpc_url is not None
    client = ChainClient(NETWORKS["devnet"], status.rpc_url)
    yield client
    client.close()


def sdk_error_name(chain: Chain, fn, sender: str | None = None) -> str:
    """The revert's name as the app decodes it from the Story SDK's ABIs (not the devnet's own)."""
    try:
        fn.call({"from": sender or chain.alice})
    except ContractCustomError as exc:
        data = exc.data if isinstance(exc.data, str) else str(exc.message)
        error = ErrorTable(sdk_errors()).lookup(data)
        assert error is not None, f"the SDK's ABIs do not know {data[:10]}"
        return error.name
    raise AssertionError("the call did not revert")


def sign_permissions_as_enum(client: StoryClient) -> None:
    """SDK 0.3.18's group workflows pass the permission as the int 1 where its own signer reads `.value` of an
    AccessPermission, so they fail before sending anything on any chain; hand its signer the enum it expects."""
    sign = client.Group.sign_util
    original = sign.get_permission_signature

    def with_enum(*, permissions: list[dict], **kwargs: object) -> dict:
        fixed = [{**p, "permission": AccessPermission(p["permission"])} for p in permissions]
        return original(permissions=fixed, **kwargs)

    sign.get_permission_signature = with_enum


def lrp_terms_id(client: StoryClient, share_pct: int = 10) -> int:
    return client.License.register_commercial_remix_pil(
        default_minting_fee=0, currency=WIP, commercial_rev_share=share_pct, royalty_policy=ROYALTY_POLICY_LRP
    )["license_terms_id"]


def test_sdk_group_royalties_split_evenly_between_members(chain: Chain, client: StoryClient) -> None:
    wallet = client.account.address
    collection = client.NFTClient.create_nft_collection(
        name="Training set", symbol="TS", is_public_minting=False, mint_open=True,
        mint_fee_recipient=wallet, contract_uri="",
    )["nft_contract"]
    terms_id = lrp_terms_id(client)
    group = client.Group.register_group_and_attach_license(
        group_pool=EVEN_SPLIT_GROUP_POOL, license_data={"license_terms_id": terms_id, "licensing_config": SDK_NO_CONFIG}
    )["group_id"]
    assert chain.c("IPAssetRegistry").functions.isRegisteredGroup(group).call()
    assert chain.c("GroupNFT").functions.ownerOf(0).call() == wallet

    nonce = chain.w3.eth.get_transaction_count(wallet)
    with pytest.raises(ValueError, match="'int' object has no attribute 'value'"):
        client.Group.mint_and_register_ip_and_attach_license_and_add_to_group(
            group_id=group, spg_nft_contract=collection, max_allowed_reward_share=100,
            license_data=[{"license_terms_id": terms_id, "licensing_config": MEMBER_CONFIG}],
        )
    assert chain.w3.eth.get_transaction_count(wallet) == nonce  # refused by the SDK itself, nothing was sent
    sign_permissions_as_enum(client)
    members = [
        client.Group.mint_and_register_ip_and_attach_license_and_add_to_group(
            group_id=group, spg_nft_contract=collection, max_allowed_reward_share=100,
            license_data=[{"license_terms_id": terms_id, "licensing_config": MEMBER_CONFIG}],
        )["ip_id"]
        for _ in range(3)
    ]
    registry = chain.c("IPAssetRegistry").functions
    assert registry.getGroupMembers(group, 0, 100).call() == members
    assert registry.totalMembers(group).call() == 3

    remix = client.IPAsset.register_derivative_ip_asset(
        nft=MintNFT(type="mint", spg_nft_contract=collection),
        deriv_data=DerivativeDataInput(parent_ip_ids=[group], license_terms_ids=[terms_id]),
    )["ip_id"]
    assert chain.c("LicenseRegistry").functions.getParentIp(remix, 0).call() == group

    # An amount that does not split evenly, so the pool's rounding shows.
    payment = 1_000_000_000_000_000_007
    client.WIP.deposit(amount=payment)
    client.WIP.approve(spender=ROYALTY_MODULE, amount=payment)
    tipper = chain.register_bare()  # the SDK wants a registered payer IP
    client.Royalty.pay_royalty_on_behalf(remix, tipper, WIP, payment)
    client.Royalty.transfer_to_vault(ip_id=remix, ancestor_ip_id=group, token=WIP, royalty_policy="LRP")

    group_share = payment * 10 * PCT // (100 * PCT)
    result = client.Group.collect_and_distribute_group_royalties(
        group_ip_id=group, currency_tokens=[WIP], member_ip_ids=members
    )
    assert [c["amount"] for c in result["collected_royalties"]] == [group_share]
    share = even_share(group_share, 3)
    assert share * 3 < group_share  # the remainder stays in the pool, as on Story
    for member in members:
        vault = chain.vault_of(member)
        assert vault.functions.claimableRevenue(member, WIP).call() == share
    assert chain.wip_balance(EVEN_SPLIT_GROUP_POOL) == group_share - 3 * share
    assert client.Group.get_claimable_reward(group, WIP, members) == [0, 0, 0]

    claimed = client.Royalty.claim_all_revenue(
        ancestor_ip_id=members[0], claimer=members[0], child_ip_ids=[], royalty_policies=[], currency_tokens=[WIP]
    )
    assert [(t["token"], t["amount"]) for t in claimed["claimed_tokens"]] == [(WIP, share)]


def test_sdk_claim_rewards_and_a_later_member_shares_only_later_revenue(chain: Chain, client: StoryClient) -> None:
    registered = [chain.register_root(commercial_remix(10, policy=ROYALTY_POLICY_LRP), configs=[POOL_CONFIG])
                  for _ in range(2)]
    first, terms_id = [ip for ip, _ in registered], registered[0][1][0]
    group = client.Group.register_group_and_attach_license_and_add_ips(
        group_pool=EVEN_SPLIT_GROUP_POOL, ip_ids=first, max_allowed_reward_share=100,
        license_data={"license_terms_id": terms_id, "licensing_config": SDK_NO_CONFIG},
    )["group_id"]
    chain.pay(group, 1001, ZERO)  # straight to the group's vault, whose royalty tokens the pool holds
    assert client.Group.collect_royalties(group, WIP)["collected_royalties"] == 1001
    assert client.Group.get_claimable_reward(group, WIP, first) == [500, 500]

    later = chain.register_root(commercial_remix(10, policy=ROYALTY_POLICY_LRP), configs=[POOL_CONFIG])[0]
    client.Group.add_ips_to_group(group, [later])  # collects first: newcomers share only what comes after
    chain.pay(group, 300, ZERO)
    chain.send(chain.c("GroupingModule").functions.collectRoyalties(group, WIP))
    everyone = [*first, later]
    assert client.Group.get_claimable_reward(group, WIP, everyone) == [600, 600, 100]

    outsider = chain.register_root(commercial_remix(10, policy=ROYALTY_POLICY_LRP), configs=[POOL_CONFIG])[0]
    paid = client.Group.claim_rewards(group, WIP, [*everyone, outsider])["claimed_rewards"]
    assert list(paid["amounts"]) == [600, 600, 100, 0]  # a non-member gets nothing, as on Story (no revert)
    assert chain.vault_of(later).functions.claimableRevenue(later, WIP).call() == 100
    assert chain.c("RoyaltyModule").functions.ipRoyaltyVaults(outsider).call() != ZERO


def test_group_reverts_carry_storys_error_names(chain: Chain, client: StoryClient) -> None:
    module = chain.c("GroupingModule").functions
    terms = commercial_remix(10, policy=ROYALTY_POLICY_LRP)
    member, (terms_id,) = chain.register_root(terms, configs=[POOL_CONFIG])
    receipt = chain.send(chain.c("GroupingWorkflows").functions.registerGroupAndAttachLicense(
        EVEN_SPLIT_GROUP_POOL, {"licenseTemplate": PIL_TEMPLATE, "licenseTermsId": terms_id,
                                "licensingConfig": NO_CONFIG}))
    group = chain.events(receipt, "GroupingModule", "IPGroupRegistered")[0]["groupId"]

    other_terms = chain.register_root(commercial_remix(20, policy=ROYALTY_POLICY_LRP), configs=[POOL_CONFIG])[0]
    assert sdk_error_name(chain, module.addIp(group, [other_terms], 100 * PCT)) == (
        "LicenseRegistry__IpHasNoGroupLicenseTerms")
    no_pool = chain.register_root(terms)[0]
    assert sdk_error_name(chain, module.addIp(group, [no_pool], 100 * PCT)) == (
        "LicenseRegistry__IpExpectGroupRewardPoolNotSet")
    assert sdk_error_name(chain, module.addIp(group, [member], 100 * PCT), sender=chain.bob) == (
        "AccessController__PermissionDenied")
    # An empty group can be neither licensed (the workflow's fee step asks first) nor linked to.
    assert sdk_error_name(chain, chain.derivative_fn([group], [terms_id])) == (
        "LicenseRegistry__EmptyGroupCannotMintLicenseToken")
    link = chain.c("LicensingModule").functions.registerDerivative(
        chain.register_bare(), [group], [terms_id], PIL_TEMPLATE, b"", 0, 100 * PCT, 0)
    assert sdk_error_name(chain, link) == "LicenseRegistry__ParentIpIsEmptyGroup"
    assert sdk_error_name(chain, module.claimReward(group, ZERO, [member])) == (
        "GroupingModule__TokenNotMatchGroupRevenueToken")
    assert sdk_error_name(chain, module.registerGroup(ROYALTY_MODULE)) == (
        "GroupIPAssetRegistry__GroupRewardPoolNotRegistered")
    lap_group = chain.events(chain.send(module.registerGroup(EVEN_SPLIT_GROUP_POOL)), "GroupingModule",
                             "IPGroupRegistered")[0]["groupId"]
    lap_id = chain.register_root(commercial_remix(10, policy=ROYALTY_POLICY_LAP))[1][0]
    attach = chain.c("LicensingModule").functions.attachLicenseTerms(lap_group, PIL_TEMPLATE, lap_id)
    assert chain.revert_name(attach) == "LicenseRegistry__LicenseTermsCannotAttachToGroupIp"

    chain.send(module.addIp(group, [member], 100 * PCT))
    assert sdk_error_name(chain, module.addIp(group, [lap_group], 100 * PCT)) == (
        "GroupingModule__CannotAddGroupToGroup")
    assert chain.revert_name(chain.derivative_fn([group, member], [terms_id, terms_id])) == (
        "LicenseRegistry__GroupMustBeSoleParent")
    chain.register_derivative([group], [terms_id])
    # Once a group has remixes its members are frozen in; Story still lets new members join.
    assert sdk_error_name(chain, module.removeIp(group, [member])) == "GroupingModule__GroupFrozenDueToHasDerivativeIps"
    late = chain.register_root(terms, configs=[POOL_CONFIG])[0]
    chain.send(module.addIp(group, [late], 100 * PCT))
    assert chain.c("IPAssetRegistry").functions.totalMembers(group).call() == 2


def test_chain_client_group_methods(chain: Chain, client: StoryClient, app_chain: ChainClient) -> None:
    key = Secret(ANVIL_KEY_0)
    terms = commercial_remix(10, policy=ROYALTY_POLICY_LRP)
    registered = [chain.register_root(terms, configs=[POOL_CONFIG]) for _ in range(2)]
    members, terms_id = [ip for ip, _ in registered], registered[0][1][0]
    groups = app_chain.groups
    group = groups.registered(app_chain.transact(key, groups.register(terms_id, NO_CONFIG, members)))
    assert app_chain.groups.is_group(group) and not app_chain.groups.is_group(members[0])
    assert app_chain.groups.members(group) == members
    third = chain.register_root(terms, configs=[POOL_CONFIG])[0]
    app_chain.transact(key, app_chain.groups.add(group, [third]))
    members.append(third)
    assert app_chain.groups.members(group) == members
    empty = app_chain.groups.registered(app_chain.transact(key, app_chain.groups.register(terms_id, NO_CONFIG)))
    assert app_chain.groups.members(empty) == []

    remix = chain.register_derivative([group], [terms_id])
    chain.pay(remix, 10_000, ZERO)
    app_chain.transact(key, app_chain.contracts.transfer_to_vault("lrp", remix, group))
    receipt = app_chain.transact(key, app_chain.groups.collect_royalties(group, members[:2]))
    assert app_chain.groups.rewards_paid(receipt) == {members[0]: 333, members[1]: 333}
    assert app_chain.groups.claimable_reward(group, members) == [0, 0, 333]
    paid = app_chain.groups.rewards_paid(app_chain.transact(key, app_chain.groups.claim_reward(group, members)))
    assert paid == {members[0]: 0, members[1]: 0, members[2]: 333}
    assert app_chain.contracts.claimable(members[2], members[2]) == 333
