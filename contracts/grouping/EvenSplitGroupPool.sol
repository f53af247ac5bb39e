// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IRoyaltyModule} from "../lib/Interfaces.sol";
import {TokenOps} from "../lib/TokenOps.sol";

/// A group reward pool that splits every deposit evenly between the members present at the time.
///
/// Accounting is per group: `accRewardPerIp` grows by deposit * 1000 / members (kept scaled by the group-size
/// limit so small deposits keep three more digits), a member's due is accRewardPerIp / 1000 minus what it has
/// already been paid (its debt, set to the current level when it joins). Deposits made while the group is
/// empty wait in `pendingBalance` until members exist. Rewards leave as royalty payments into each member's
/// royalty vault, through the royalty module, which takes no fee from a whitelisted pool.
contract EvenSplitGroupPool {
    uint32 public constant MAX_GROUP_SIZE = 1_000;

    struct GroupInfo {
        address token;
        uint32 totalMembers;
        uint128 pendingBalance;
        uint128 accRewardPerIp;
        uint256 averageRewardShare;
    }

    mapping(address => GroupInfo) private _groups;
    mapping(address => mapping(address => uint256)) private _addedTime;
    mapping(address => mapping(address => uint256)) private _rewardDebt;
    mapping(address => mapping(address => uint256)) private _minimumShare;

    error EvenSplitGroupPool__CallerIsNotGroupingModule(address caller);
    error EvenSplitGroupPool__DepositWithZeroTokenAddress(address groupId);
    error EvenSplitGroupPool__MaxGroupSizeReached(address groupId, uint32 groupSize, uint256 maxGroupSize);
    error GroupingModule__TokenNotMatchGroupRevenueToken(address groupId, address groupCurrentToken, address token);
    error SafeCastOverflowedUintDowncast(uint8 bits, uint256 value);

    modifier onlyGroupingModule() {
        if (msg.sender != Addr.GROUPING_MODULE) revert EvenSplitGroupPool__CallerIsNotGroupingModule(msg.sender);
        _;
    }

    /// Returns the share the group has promised in all: the highest minimum any member asked for, times members.
    function addIp(address groupId, address ipId, uint256 minimumGroupRewardShare)
        external
        onlyGroupingModule
        returns (uint256 totalGroupRewardShare)
    {
        GroupInfo storage g = _groups[groupId];
        if (_addedTime[groupId][ipId] != 0) return g.averageRewardShare * g.totalMembers;
        _addedTime[groupId][ipId] = block.timestamp;
        g.totalMembers += 1;
        if (g.totalMembers > MAX_GROUP_SIZE) {
            revert EvenSplitGroupPool__MaxGroupSizeReached(groupId, g.totalMembers, MAX_GROUP_SIZE);
        }
        if (minimumGroupRewardShare > 0) {
            _minimumShare[groupId][ipId] = minimumGroupRewardShare;
            if (minimumGroupRewardShare > g.averageRewardShare) g.averageRewardShare = minimumGroupRewardShare;
        }
        _rewardDebt[groupId][ipId] = g.accRewardPerIp / MAX_GROUP_SIZE;
        totalGroupRewardShare = g.averageRewardShare * g.totalMembers;
    }

    function removeIp(address groupId, address ipId) external onlyGroupingModule {
        if (_addedTime[groupId][ipId] == 0) return;
        _addedTime[groupId][ipId] = 0;
        _groups[groupId].totalMembers -= 1;
        _minimumShare[groupId][ipId] = 0;
        _rewardDebt[groupId][ipId] = 0;
    }

    function depositReward(address groupId, address token, uint256 amount) external onlyGroupingModule {
        if (amount == 0) return;
        if (token == address(0)) revert EvenSplitGroupPool__DepositWithZeroTokenAddress(groupId);
        GroupInfo storage g = _groups[groupId];
        if (g.token == address(0)) g.token = token;
        if (g.token != token) revert GroupingModule__TokenNotMatchGroupRevenueToken(groupId, g.token, token);
        if (g.totalMembers == 0) {
            g.pendingBalance += uint128(amount);
            return;
        }
        amount += g.pendingBalance;
        g.pendingBalance = 0;
        g.accRewardPerIp += _toUint128(amount * MAX_GROUP_SIZE / g.totalMembers);
    }

    /// Pays each listed member what it is due; non-members and members with nothing due get 0.
    function distributeRewards(address groupId, address token, address[] calldata ipIds)
        external
        onlyGroupingModule
        returns (uint256[] memory rewards)
    {
        GroupInfo storage g = _groups[groupId];
        _spreadPending(g);
        rewards = new uint256[](ipIds.length);
        if (g.accRewardPerIp == 0) return rewards;
        if (g.token != token) revert GroupingModule__TokenNotMatchGroupRevenueToken(groupId, g.token, token);
        uint256 perIp = g.accRewardPerIp / MAX_GROUP_SIZE;
        uint256 ceiling = perIp * ipIds.length;
        if (ceiling == 0) return rewards;
        TokenOps.approve(token, Addr.ROYALTY_MODULE, ceiling);
        for (uint256 i; i < ipIds.length; i++) {
            if (_addedTime[groupId][ipIds[i]] == 0) continue;
            rewards[i] = perIp - _rewardDebt[groupId][ipIds[i]];
            if (rewards[i] == 0) continue;
            _rewardDebt[groupId][ipIds[i]] += rewards[i];
            IRoyaltyModule(Addr.ROYALTY_MODULE).payRoyaltyOnBehalf(ipIds[i], groupId, token, rewards[i]);
        }
        TokenOps.approve(token, Addr.ROYALTY_MODULE, 0);
    }

    function getAvailableReward(address groupId, address token, address[] calldata ipIds)
        external
        view
        returns (uint256[] memory rewards)
    {
        rewards = new uint256[](ipIds.length);
        GroupInfo storage g = _groups[groupId];
        if (g.totalMembers == 0 || g.token == address(0) || g.token != token) return rewards;
        // uint128 arithmetic, as Story's pool does it (an overflow reverts the same way).
        uint256 pendingPerIp = g.pendingBalance * MAX_GROUP_SIZE / g.totalMembers;
        uint256 perIp = (g.accRewardPerIp + pendingPerIp) / MAX_GROUP_SIZE;
        if (perIp == 0) return rewards;
        for (uint256 i; i < ipIds.length; i++) {
            if (_addedTime[groupId][ipIds[i]] != 0) rewards[i] = perIp - _rewardDebt[groupId][ipIds[i]];
        }
    }

    function getTotalIps(address groupId) external view returns (uint256) {
        return _groups[groupId].totalMembers;
    }

    function getIpAddedTime(address groupId, address ipId) external view returns (uint256) {
        return _addedTime[groupId][ipId];
    }

    function getIpRewardDebt(address groupId, address, address ipId) external view returns (uint256) {
        return _rewardDebt[groupId][ipId];
    }

    function isIPAdded(address groupId, address ipId) external view returns (bool) {
        return _addedTime[groupId][ipId] != 0;
    }

    function getMinimumRewardShare(address groupId, address ipId) external view returns (uint256) {
        return _minimumShare[groupId][ipId];
    }

    function getTotalAllocatedRewardShare(address groupId) external view returns (uint256) {
        GroupInfo storage g = _groups[groupId];
        return g.averageRewardShare * g.totalMembers;
    }

    function _spreadPending(GroupInfo storage g) private {
        if (g.pendingBalance == 0 || g.totalMembers == 0) return;
        g.accRewardPerIp += _toUint128(g.pendingBalance * MAX_GROUP_SIZE / g.totalMembers);
        g.pendingBalance = 0;
    }

    function _toUint128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert SafeCastOverflowedUintDowncast(128, value);
        return uint128(value);
    }
}
