"""Story groups through the chain client: a training set published as a group IP on the even-split reward pool,
its members, and the royalties that flow from the group to them. Plain ABI calls through the client's
`contract`, `view`, `address` and `_events`, so that web3 itself stays in studio.story.chain.

How revenue reaches members: a payment to a derivative of the group leaves the group's share with the royalty
policy; `transfer_to_vault` moves it into the group's vault, whose royalty tokens the pool holds;
`collect_group_royalties` moves the vault's revenue into the pool and pays every listed member its even share
into the member's own vault, from where the member's owner claims it like any other revenue.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from studio.story.chain_types import Call, Receipt
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL, PIL_TEMPLATE, WIP
from studio.story.errors import PublishError
from studio.story.terms import POLICY_ADDRESSES

# What publishing a training set as a group relies on, beyond the contracts every publish needs.
GROUP_CONTRACTS = ("GroupingModule", "GroupingWorkflows", "EvenSplitGroupPool", "GroupNFT", "DisputeModule")
MAX_REWARD_SHARE = 100_000_000  # 100% on Story's scale: no limit on what a member may ask of the pool
_PAGE = 100  # the most members Story's registry returns per call
_POLICY_CONTRACTS = {"lap": "RoyaltyPolicyLAP", "lrp": "RoyaltyPolicyLRP"}


class StoryGroups:
    """Mixed into `ChainClient`, which provides the methods below."""

    contract: Callable[..., Any]
    view: Callable[[Any, str], Any]
    address: Callable[[str], str]
    _events: Callable[[Receipt, str, str], list[dict[str, Any]]]

    # --- transactions -----------------------------------------------------------------------------

    def register_group(self, terms_id: int, config: dict[str, Any], members: list[str] | None = None,
                       max_reward_share: int = MAX_REWARD_SHARE) -> Call:
        """A group on the even-split pool offering `terms_id` with `config`, owned by the sender; `members`
        (which must already offer the same terms, configured for the pool) join in the same transaction."""
        data = {"licenseTemplate": PIL_TEMPLATE, "licenseTermsId": terms_id, "licensingConfig": config}
        workflows = self.contract("GroupingWorkflows").functions
        if not members:
            return Call(workflows.registerGroupAndAttachLicense(EVEN_SPLIT_GROUP_POOL, data),
                        "registering the training set as a group")
        fn = workflows.registerGroupAndAttachLicenseAndAddIps(EVEN_SPLIT_GROUP_POOL, self._all(members),
                                                               max_reward_share, data)
        return Call(fn, "registering the training set as a group with its members")

    def add_to_group(self, group_id: str, ip_ids: list[str], max_reward_share: int = MAX_REWARD_SHARE) -> Call:
        fn = self.contract("GroupingModule").functions.addIp(self.address(group_id), self._all(ip_ids),
                                                              max_reward_share)
        return Call(fn, "adding works to the training set's group")

    def transfer_to_vault(self, policy: str, ip_id: str, ancestor: str) -> Call:
        """What `ip_id` owes `ancestor` under `policy` (lap or lrp), moved from the policy into the ancestor's
        vault: for a group, where collect_group_royalties finds it."""
        fn = self.contract(_POLICY_CONTRACTS[policy], POLICY_ADDRESSES[policy]).functions.transferToVault(
            self.address(ip_id), self.address(ancestor), WIP)
        return Call(fn, "moving a remix's royalties into its ancestor's vault")

    def collect_group_royalties(self, group_id: str, members: list[str]) -> Call:
        fn = self.contract("GroupingWorkflows").functions.collectRoyaltiesAndClaimReward(
            self.address(group_id), [WIP], self._all(members))
        return Call(fn, "collecting the group's royalties for its members")

    def claim_group_reward(self, group_id: str, members: list[str]) -> Call:
        """Pays each listed member what the pool owes it into its vault (non-members get nothing)."""
        fn = self.contract("GroupingModule").functions.claimReward(self.address(group_id), WIP, self._all(members))
        return Call(fn, "paying group members their share")

    def register_terms(self, struct: dict[str, Any]) -> Call:
        """Registers PIL terms (Story returns the existing id for terms already registered)."""
        return Call(self.contract("PILicenseTemplate").functions.registerLicenseTerms(struct),
                    "registering the training set's license terms")

    def attach_terms(self, ip_id: str, terms_id: int) -> Call:
        fn = self.contract("LicensingModule").functions.attachLicenseTerms(self.address(ip_id), PIL_TEMPLATE,
                                                                          terms_id)
        return Call(fn, "offering a member's work under the training set's terms")

    def set_ip_metadata(self, ip_id: str, uri: str, digest: str) -> Call:
        """The IP's metadata URI and hash (a group's NFT is the grouping module's, so only these two are set)."""
        fn = self.contract("CoreMetadataModule").functions.setMetadataURI(
            self.address(ip_id), uri, bytes.fromhex(digest.removeprefix("0x")))
        return Call(fn, "describing the training set's group")

    # --- reads ------------------------------------------------------------------------------------

    def royalty_fee_percent(self) -> int:
        """The treasury's cut of every royalty payment (RoyaltyModule.royaltyFeePercent), in Story units."""
        return int(self.view(self.contract("RoyaltyModule").functions.royaltyFeePercent(), "reading the royalty fee"))

    def is_group(self, ip_id: str) -> bool:
        fn = self.contract("IPAssetRegistry").functions.isRegisteredGroup(self.address(ip_id))
        return bool(self.view(fn, "checking a group"))

    def group_members(self, group_id: str) -> list[str]:
        registry = self.contract("IPAssetRegistry").functions
        group = self.address(group_id)
        members: list[str] = []
        while True:
            page = self.view(registry.getGroupMembers(group, len(members), _PAGE), "reading group members")
            members.extend(str(m) for m in page)
            if len(page) < _PAGE:
                return members

    def claimable_group_reward(self, group_id: str, members: list[str]) -> list[int]:
        """Each member's WIP still in the pool, as Story's pool computes it (collected revenue only: what
        waits in the group vault or the royalty policy is not counted until collected)."""
        fn = self.contract("GroupingModule").functions.getClaimableReward(self.address(group_id), WIP,
                                                                           self._all(members))
        return [int(v) for v in self.view(fn, "reading group rewards")]

    # --- events -----------------------------------------------------------------------------------

    def group_registered(self, receipt: Receipt) -> str:
        events = self._events(receipt, "GroupingModule", "IPGroupRegistered")
        if not events:
            raise PublishError(f"transaction {receipt.tx_hash} registered no group",
                               hint="the network's contracts do not behave like Story's")
        return str(events[0]["groupId"])

    def group_rewards_paid(self, receipt: Receipt) -> dict[str, int]:
        """Per member, the WIP the transaction paid into its vault from the group pool."""
        paid: dict[str, int] = {}
        for event in self._events(receipt, "GroupingModule", "ClaimedReward"):
            for ip, amount in zip(event["ipId"], event["amount"], strict=True):
                paid[str(ip)] = paid.get(str(ip), 0) + int(amount)
        return paid

    def _all(self, ids: list[str]) -> list[str]:
        return [self.address(i) for i in ids]
