"""Story groups through the chain client: a training set published as a group IP on the even-split reward pool,
its members, and the royalties that flow from the group to them. Plain ABI calls through the client's
`ContractAccess`, so that web3 itself stays in studio.story.chain; a client hands out its own as `client.groups`.

How revenue reaches members: a payment to a derivative of the group leaves the group's share with the royalty
policy; `StoryContracts.transfer_to_vault` moves it into the group's vault, whose royalty tokens the pool holds;
`collect_royalties` moves the vault's revenue into the pool and pays every listed member its even share into the
member's own vault, from where the member's owner claims it like any other revenue.
"""

from __future__ import annotations

from typing import Any

from studio.story.chain_types import Call, ContractAccess, Receipt
from studio.story.devnet.addresses import EVEN_SPLIT_GROUP_POOL, PIL_TEMPLATE, WIP
from studio.story.errors import PublishError

# What publishing a training set as a group relies on, beyond the contracts every publish needs.
GROUP_CONTRACTS = ("GroupingModule", "GroupingWorkflows", "EvenSplitGroupPool", "GroupNFT", "DisputeModule")
MAX_REWARD_SHARE = 100_000_000  # 100% on Story's scale: no limit on what a member may ask of the pool
_PAGE = 100  # the most members Story's registry returns per call


class StoryGroups:
    """Calls to build, views to read and events to decode on Story's grouping contracts, through one chain client."""

    def __init__(self, chain: ContractAccess) -> None:
        self._contract = chain.contract
        self._view = chain.view
        self._address = chain.address
        self._events = chain.events

    # --- transactions -----------------------------------------------------------------------------

    def register(self, terms_id: int, config: dict[str, Any], members: list[str] | None = None,
                 max_reward_share: int = MAX_REWARD_SHARE) -> Call:
        """A group on the even-split pool offering `terms_id` with `config`, owned by the sender; `members`
        (which must already offer the same terms, configured for the pool) join in the same transaction."""
        data = {"licenseTemplate": PIL_TEMPLATE, "licenseTermsId": terms_id, "licensingConfig": config}
        workflows = self._contract("GroupingWorkflows").functions
        if not members:
            return Call(workflows.registerGroupAndAttachLicense(EVEN_SPLIT_GROUP_POOL, data),
                        "registering the training set as a group")
        fn = workflows.registerGroupAndAttachLicenseAndAddIps(EVEN_SPLIT_GROUP_POOL, self._all(members),
                                                               max_reward_share, data)
        return Call(fn, "registering the training set as a group with its members")

    def add(self, group_id: str, ip_ids: list[str], max_reward_share: int = MAX_REWARD_SHARE) -> Call:
        fn = self._contract("GroupingModule").functions.addIp(self._address(group_id), self._all(ip_ids),
                                                               max_reward_share)
        return Call(fn, "adding works to the training set's group")

    def collect_royalties(self, group_id: str, members: list[str]) -> Call:
        fn = self._contract("GroupingWorkflows").functions.collectRoyaltiesAndClaimReward(
            self._address(group_id), [WIP], self._all(members))
        return Call(fn, "collecting the group's royalties for its members")

    def claim_reward(self, group_id: str, members: list[str]) -> Call:
        """Pays each listed member what the pool owes it into its vault (non-members get nothing)."""
        fn = self._contract("GroupingModule").functions.claimReward(self._address(group_id), WIP,
                                                                     self._all(members))
        return Call(fn, "paying group members their share")

    # --- reads ------------------------------------------------------------------------------------

    def is_group(self, ip_id: str) -> bool:
        fn = self._contract("IPAssetRegistry").functions.isRegisteredGroup(self._address(ip_id))
        return bool(self._view(fn, "checking a group"))

    def members(self, group_id: str) -> list[str]:
        registry = self._contract("IPAssetRegistry").functions
        group = self._address(group_id)
        members: list[str] = []
        while True:
            page = self._view(registry.getGroupMembers(group, len(members), _PAGE), "reading group members")
            members.extend(str(m) for m in page)
            if len(page) < _PAGE:
                return members

    def claimable_reward(self, group_id: str, members: list[str]) -> list[int]:
        """Each member's WIP still in the pool, as Story's pool computes it (collected revenue only: what
        waits in the group vault or the royalty policy is not counted until collected)."""
        fn = self._contract("GroupingModule").functions.getClaimableReward(self._address(group_id), WIP,
                                                                            self._all(members))
        return [int(v) for v in self._view(fn, "reading group rewards")]

    # --- events -----------------------------------------------------------------------------------

    def registered(self, receipt: Receipt) -> str:
        """The group IP the transaction registered."""
        events = self._events(receipt, "GroupingModule", "IPGroupRegistered")
        if not events:
            raise PublishError(f"transaction {receipt.tx_hash} registered no group",
                               hint="the network's contracts do not behave like Story's")
        return str(events[0]["groupId"])

    def rewards_paid(self, receipt: Receipt) -> dict[str, int]:
        """Per member, the WIP the transaction paid into its vault from the group pool."""
        paid: dict[str, int] = {}
        for event in self._events(receipt, "GroupingModule", "ClaimedReward"):
            for ip, amount in zip(event["ipId"], event["amount"], strict=True):
                paid[str(ip)] = paid.get(str(ip), 0) + int(amount)
        return paid

    def _all(self, ids: list[str]) -> list[str]:
        return [self._address(i) for i in ids]
