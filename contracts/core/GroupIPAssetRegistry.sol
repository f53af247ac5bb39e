// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {AccountStorage} from "../lib/AccountStorage.sol";
import {Addr} from "../lib/Addresses.sol";
import {IIPAccount} from "../lib/Interfaces.sol";

/// The group side of the IP asset registry: a group IP is an IP asset registered from a GroupNFT token, tied to
/// one whitelisted reward pool, with a member set (at most 1,000). Only the grouping module writes here; it
/// runs the licensing and reward rules, this keeps the membership.
abstract contract GroupIPAssetRegistry {
    using AccountStorage for IIPAccount;

    uint256 public constant MAX_GROUP_SIZE = 1000;
    uint256 private constant MAX_PAGE_SIZE = 100;
    bytes32 private constant GROUP_IPA = "GROUP_IPA";

    struct Members {
        address[] list;
        mapping(address => uint256) position; // index + 1; 0 = not a member
    }

    mapping(address => bool) private _isGroup;
    mapping(address => address) private _rewardPools;
    mapping(address => bool) private _whitelistedPools;
    mapping(address => Members) private _members;

    error GroupIPAssetRegistry__CallerIsNotGroupingModule(address caller);
    error GroupIPAssetRegistry__NotRegisteredGroupIP(address groupId);
    error GroupIPAssetRegistry__NotRegisteredIP(address ipId);
    error GroupIPAssetRegistry__InvalidGroupRewardPool(address rewardPool);
    error GroupIPAssetRegistry__GroupRewardPoolNotRegistered(address groupPool);
    error GroupIPAssetRegistry__GroupSizeExceedsLimit(uint256 groupSize, uint256 limit);
    error GroupIPAssetRegistry__PageSizeExceedsLimit(uint256 pageSize, uint256 limit);

    modifier onlyGroupingModule() {
        if (msg.sender != Addr.GROUPING_MODULE) revert GroupIPAssetRegistry__CallerIsNotGroupingModule(msg.sender);
        _;
    }

    function registerGroup(address groupNft, uint256 groupNftId, address rewardPool, address)
        external
        onlyGroupingModule
        returns (address groupId)
    {
        groupId = _register(block.chainid, groupNft, groupNftId);
        IIPAccount(groupId).setBool(GROUP_IPA, true);
        if (!_whitelistedPools[rewardPool]) revert GroupIPAssetRegistry__GroupRewardPoolNotRegistered(rewardPool);
        _isGroup[groupId] = true;
        _rewardPools[groupId] = rewardPool;
    }

    function whitelistGroupRewardPool(address rewardPool, bool allowed) external onlyGroupingModule {
        if (rewardPool == address(0)) revert GroupIPAssetRegistry__InvalidGroupRewardPool(rewardPool);
        _whitelistedPools[rewardPool] = allowed;
    }

    /// Adds each IP not yet a member (repeats are ignored, as a set would).
    function addGroupMember(address groupId, address[] calldata ipIds) external onlyGroupingModule {
        if (!_isGroup[groupId]) revert GroupIPAssetRegistry__NotRegisteredGroupIP(groupId);
        Members storage m = _members[groupId];
        for (uint256 i; i < ipIds.length; i++) {
            if (!_isRegistered(ipIds[i])) revert GroupIPAssetRegistry__NotRegisteredIP(ipIds[i]);
            if (m.position[ipIds[i]] != 0) continue;
            m.list.push(ipIds[i]);
            m.position[ipIds[i]] = m.list.length;
        }
        if (m.list.length > MAX_GROUP_SIZE) {
            revert GroupIPAssetRegistry__GroupSizeExceedsLimit(m.list.length, MAX_GROUP_SIZE);
        }
    }

    /// Removes by moving the last member into the gap, so member order changes as a set's would.
    function removeGroupMember(address groupId, address[] calldata ipIds) external onlyGroupingModule {
        if (!_isGroup[groupId]) revert GroupIPAssetRegistry__NotRegisteredGroupIP(groupId);
        Members storage m = _members[groupId];
        for (uint256 i; i < ipIds.length; i++) {
            uint256 pos = m.position[ipIds[i]];
            if (pos == 0) continue;
            address last = m.list[m.list.length - 1];
            m.list[pos - 1] = last;
            m.position[last] = pos;
            m.list.pop();
            delete m.position[ipIds[i]];
        }
    }

    function isRegisteredGroup(address groupId) external view returns (bool) {
        return _isGroup[groupId];
    }

    function getGroupRewardPool(address groupId) external view returns (address) {
        return _rewardPools[groupId];
    }

    function isWhitelistedGroupRewardPool(address rewardPool) external view returns (bool) {
        return _whitelistedPools[rewardPool];
    }

    /// One page of members (at most 100); past the end it is empty, near the end it is short.
    function getGroupMembers(address groupId, uint256 startIndex, uint256 size)
        external
        view
        returns (address[] memory results)
    {
        if (size > MAX_PAGE_SIZE) revert GroupIPAssetRegistry__PageSizeExceedsLimit(size, MAX_PAGE_SIZE);
        address[] storage list = _members[groupId].list;
        if (startIndex >= list.length) return new address[](0);
        uint256 end = startIndex + size > list.length ? list.length : startIndex + size;
        results = new address[](end - startIndex);
        for (uint256 i; i < results.length; i++) {
            results[i] = list[startIndex + i];
        }
    }

    function containsIp(address groupId, address ipId) external view returns (bool) {
        return _members[groupId].position[ipId] != 0;
    }

    function totalMembers(address groupId) external view returns (uint256) {
        return _members[groupId].list.length;
    }

    function _register(uint256 chainid, address tokenContract, uint256 tokenId) internal virtual returns (address);

    function _isRegistered(address id) internal view virtual returns (bool);
}
