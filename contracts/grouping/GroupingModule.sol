// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr, MAX_PERCENT} from "../lib/Addresses.sol";
import {Initializable} from "../lib/Initializable.sol";
import {LicensingConfig} from "../lib/Structs.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {
    IGroupIPAssetRegistry,
    IGroupNFT,
    IGroupRewardPool,
    IIpRoyaltyVault,
    ILicenseRegistry,
    ILicenseToken,
    IPILicenseTemplate,
    IRoyaltyModule
} from "../lib/Interfaces.sol";
import {IPPermissioned} from "../core/IPPermissioned.sol";

/// Groups of IP assets that license and earn as one: registering a group (a GroupNFT-backed IP tied to a
/// whitelisted reward pool), adding and removing members, collecting the group vault's revenue into the pool
/// and paying members their share into their own vaults.
///
/// A group earns in the single currency of the one license it carries; members must offer that same license,
/// configured to expect this group's pool. Members can be added at any time, but are locked in (no removal)
/// once the group has derivatives or has minted license tokens. The devnet raises no disputes, so no group or
/// IP is ever tagged.
contract GroupingModule is Initializable, IPPermissioned, ReentrancyGuard {
    event IPGroupRegistered(address indexed groupId, address indexed groupPool);
    event AddedIpToGroup(address indexed groupId, address[] ipIds);
    event RemovedIpFromGroup(address indexed groupId, address[] ipIds);
    event ClaimedReward(address indexed groupId, address indexed token, address[] ipId, uint256[] amount);
    event CollectedRoyaltiesToGroupPool(
        address indexed groupId, address indexed token, address indexed pool, uint256 amount
    );

    error GroupingModule__ZeroGroupRewardPool();
    error GroupingModule__MaxAllowedRewardShareExceeds100Percent(address groupId, uint256 maxAllowedRewardShare);
    error GroupingModule__CannotAddGroupToGroup(address groupId, address childGroupId);
    error GroupingModule__IpExpectedShareExceedsMaxAllowedShare(
        address groupId, address ipId, uint256 maxAllowedRewardShare, uint256 expectGroupRewardShare
    );
    error GroupingModule__TotalGroupRewardShareExceeds100Percent(
        address groupId, uint256 totalGroupRewardShare, address ipId, uint256 expectGroupRewardShare
    );
    error GroupingModule__TokenNotMatchGroupRevenueToken(address groupId, address groupCurrentToken, address token);
    error GroupingModule__GroupRewardPoolNotWhitelisted(address groupId, address groupRewardPool);
    error GroupingModule__RoyaltyTokenNotWhitelisted(address groupId, address royaltyToken);
    error GroupingModule__GroupIPHasNoLicenseTerms(address groupId);
    error GroupingModule__GroupIPLicenseHasNotSpecifyRevenueToken(address groupId);
    error GroupingModule__GroupFrozenDueToHasDerivativeIps(address groupId);
    error GroupingModule__GroupFrozenDueToAlreadyMintLicenseTokens(address groupId);

    /// Whitelists the even-split pool, the one reward pool the devnet offers.
    function initialize() external initializer {
        _groups().whitelistGroupRewardPool(Addr.EVEN_SPLIT_GROUP_POOL, true);
    }

    function name() external pure returns (string memory) {
        return "GROUPING_MODULE";
    }

    /// The caller receives the group's NFT and so owns the group.
    function registerGroup(address groupPool) external nonReentrant returns (address groupId) {
        uint256 groupNftId = IGroupNFT(Addr.GROUP_NFT).mintGroupNft(msg.sender, msg.sender);
        groupId = _groups().registerGroup(Addr.GROUP_NFT, groupNftId, groupPool, msg.sender);
        emit IPGroupRegistered(groupId, groupPool);
    }

    function whitelistGroupRewardPool(address rewardPool, bool allowed) external onlyAdmin {
        if (rewardPool == address(0)) revert GroupingModule__ZeroGroupRewardPool();
        _groups().whitelistGroupRewardPool(rewardPool, allowed);
    }

    /// Revenue already in the group vault is collected first, so that newcomers share only what comes later.
    function addIp(address groupIpId, address[] calldata ipIds, uint256 maxAllowedRewardShare)
        external
        nonReentrant
        verifyPermission(groupIpId)
    {
        if (maxAllowedRewardShare > MAX_PERCENT) {
            revert GroupingModule__MaxAllowedRewardShareExceeds100Percent(groupIpId, maxAllowedRewardShare);
        }
        (address template, uint256 termsId, address currency) = _revenueInfo(groupIpId);
        _groups().addGroupMember(groupIpId, ipIds);
        IGroupRewardPool pool = IGroupRewardPool(_groups().getGroupRewardPool(groupIpId));
        _collectRoyalties(groupIpId, currency);
        for (uint256 i; i < ipIds.length; i++) {
            _admit(groupIpId, pool, ipIds[i], template, termsId, maxAllowedRewardShare);
        }
        emit AddedIpToGroup(groupIpId, ipIds);
    }

    /// Leaving members are paid what they are due first.
    function removeIp(address groupIpId, address[] calldata ipIds) external nonReentrant verifyPermission(groupIpId) {
        if (_licenses().hasDerivativeIps(groupIpId)) revert GroupingModule__GroupFrozenDueToHasDerivativeIps(groupIpId);
        if (ILicenseToken(Addr.LICENSE_TOKEN).getTotalTokensByLicensor(groupIpId) > 0) {
            revert GroupingModule__GroupFrozenDueToAlreadyMintLicenseTokens(groupIpId);
        }
        (,, address currency) = _revenueInfo(groupIpId);
        _collectRoyalties(groupIpId, currency);
        _claimReward(groupIpId, currency, ipIds);
        _groups().removeGroupMember(groupIpId, ipIds);
        IGroupRewardPool pool = IGroupRewardPool(_groups().getGroupRewardPool(groupIpId));
        for (uint256 i; i < ipIds.length; i++) {
            pool.removeIp(groupIpId, ipIds[i]);
        }
        emit RemovedIpFromGroup(groupIpId, ipIds);
    }

    /// Anyone may trigger it: rewards only ever go to the members' own vaults.
    function claimReward(address groupId, address token, address[] calldata ipIds) external nonReentrant {
        _requireGroupCurrency(groupId, token);
        _claimReward(groupId, token, ipIds);
    }

    function collectRoyalties(address groupId, address token) external nonReentrant returns (uint256 royalties) {
        _requireGroupCurrency(groupId, token);
        royalties = _collectRoyalties(groupId, token);
    }

    function getClaimableReward(address groupId, address token, address[] calldata ipIds)
        external
        view
        returns (uint256[] memory)
    {
        return IGroupRewardPool(_groups().getGroupRewardPool(groupId)).getAvailableReward(groupId, token, ipIds);
    }

    // --- internals ---

    /// One member: not a group, offering the group's license as the group does, asking no more than allowed,
    /// and keeping the promised shares within 100%.
    function _admit(
        address groupIpId,
        IGroupRewardPool pool,
        address ipId,
        address template,
        uint256 termsId,
        uint256 maxAllowedRewardShare
    ) private {
        if (_groups().isRegisteredGroup(ipId)) revert GroupingModule__CannotAddGroupToGroup(groupIpId, ipId);
        LicensingConfig memory config = _licenses().verifyGroupAddIp(groupIpId, address(pool), ipId, template, termsId);
        uint256 expected = config.expectMinimumGroupRewardShare;
        if (expected > maxAllowedRewardShare) {
            revert GroupingModule__IpExpectedShareExceedsMaxAllowedShare(groupIpId, ipId, maxAllowedRewardShare, expected);
        }
        uint256 total = pool.addIp(groupIpId, ipId, expected);
        if (total > MAX_PERCENT) {
            revert GroupingModule__TotalGroupRewardShareExceeds100Percent(groupIpId, total, ipId, expected);
        }
    }

    function _claimReward(address groupId, address token, address[] calldata ipIds) private {
        IGroupRewardPool pool = _checkedPool(groupId, token);
        IRoyaltyModule royalty = IRoyaltyModule(Addr.ROYALTY_MODULE);
        for (uint256 i; i < ipIds.length; i++) {
            if (royalty.ipRoyaltyVaults(ipIds[i]) == address(0)) royalty.deployVault(ipIds[i]);
        }
        uint256[] memory rewards = pool.distributeRewards(groupId, token, ipIds);
        emit ClaimedReward(groupId, token, ipIds, rewards);
    }

    /// The pool holds all of the group vault's royalty tokens, so it can claim the vault's whole revenue.
    function _collectRoyalties(address groupId, address token) private returns (uint256 royalties) {
        IGroupRewardPool pool = _checkedPool(groupId, token);
        address vault = IRoyaltyModule(Addr.ROYALTY_MODULE).ipRoyaltyVaults(groupId);
        if (vault == address(0)) return 0;
        royalties = IIpRoyaltyVault(vault).claimableRevenue(address(pool), token);
        if (royalties == 0) return 0;
        royalties = IIpRoyaltyVault(vault).claimRevenueOnBehalf(address(pool), token);
        pool.depositReward(groupId, token, royalties);
        emit CollectedRoyaltiesToGroupPool(groupId, token, address(pool), royalties);
    }

    function _checkedPool(address groupId, address token) private view returns (IGroupRewardPool pool) {
        pool = IGroupRewardPool(_groups().getGroupRewardPool(groupId));
        if (!_groups().isWhitelistedGroupRewardPool(address(pool))) {
            revert GroupingModule__GroupRewardPoolNotWhitelisted(groupId, address(pool));
        }
        if (!IRoyaltyModule(Addr.ROYALTY_MODULE).isWhitelistedRoyaltyToken(token)) {
            revert GroupingModule__RoyaltyTokenNotWhitelisted(groupId, token);
        }
    }

    function _requireGroupCurrency(address groupId, address token) private view {
        (,, address currency) = _revenueInfo(groupId);
        if (currency != token) revert GroupingModule__TokenNotMatchGroupRevenueToken(groupId, currency, token);
    }

    /// The group's license (its first and only attached terms) and the currency it earns in.
    function _revenueInfo(address groupId) private view returns (address template, uint256 termsId, address currency) {
        if (_licenses().getAttachedLicenseTermsCount(groupId) == 0) revert GroupingModule__GroupIPHasNoLicenseTerms(groupId);
        (template, termsId) = _licenses().getAttachedLicenseTerms(groupId, 0);
        (,,, currency) = IPILicenseTemplate(template).getRoyaltyPolicy(termsId);
        if (currency == address(0)) revert GroupingModule__GroupIPLicenseHasNotSpecifyRevenueToken(groupId);
    }

    function _groups() private pure returns (IGroupIPAssetRegistry) {
        return IGroupIPAssetRegistry(Addr.IP_ASSET_REGISTRY);
    }

    function _licenses() private pure returns (ILicenseRegistry) {
        return ILicenseRegistry(Addr.LICENSE_REGISTRY);
    }
}
