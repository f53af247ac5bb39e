// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {MAX_PERCENT, Addr} from "../lib/Addresses.sol";
import {IRoyaltyModule} from "../lib/Interfaces.sol";
import {RoyaltyPolicyBase} from "./RoyaltyPolicyBase.sol";

/// Liquid Absolute Percentage: every ancestor gets an absolute share of every descendant's revenue. An IP's
/// stack is the sum of every edge in its ancestry; an ancestor's share is the sum of the edges into it.
contract RoyaltyPolicyLAP is RoyaltyPolicyBase {
    error RoyaltyPolicyLAP__AboveMaxPercent();
    error RoyaltyPolicyLAP__ZeroClaimableRoyalty();
    error RoyaltyPolicyLAP__NotRoyaltyModule();

    function isSupportGroup() external pure returns (bool) {
        return false;
    }

    function _checkMint(address ipId, uint32 licensePercent) internal view override {
        uint256 stack = IRoyaltyModule(Addr.ROYALTY_MODULE).globalRoyaltyStack(ipId);
        if (stack + licensePercent > MAX_PERCENT) revert RoyaltyPolicyLAP__AboveMaxPercent();
    }

    function _computeStack(address ipId) internal view override returns (uint256 stack) {
        stack = _edgesOutOf(ipId);
        address[] memory ancestors = _registry().getAncestors(ipId);
        for (uint256 i; i < ancestors.length; i++) {
            stack += _edgesOutOf(ancestors[i]);
        }
    }

    function _computeShare(address ipId, address ancestorIpId) internal view override returns (uint256 share) {
        share = _edge[ipId][ancestorIpId];
        address[] memory ancestors = _registry().getAncestors(ipId);
        for (uint256 i; i < ancestors.length; i++) {
            share += _edge[ancestors[i]][ancestorIpId];
        }
    }

    function _maxAmount(uint256 total, uint256 share, address) internal pure override returns (uint256) {
        return total * share / MAX_PERCENT;
    }

    function _edgesOutOf(address ipId) private view returns (uint256 sum) {
        address[] memory parents = _registry().getParentIps(ipId);
        for (uint256 i; i < parents.length; i++) {
            sum += _edge[ipId][parents[i]];
        }
    }

    function _revertAboveMaxPercent() internal pure override {
        revert RoyaltyPolicyLAP__AboveMaxPercent();
    }

    function _revertZeroClaimable() internal pure override {
        revert RoyaltyPolicyLAP__ZeroClaimableRoyalty();
    }

    function _revertNotRoyaltyModule() internal pure override {
        revert RoyaltyPolicyLAP__NotRoyaltyModule();
    }
}
