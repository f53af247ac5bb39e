// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {MAX_PERCENT, Addr} from "../lib/Addresses.sol";
import {IRoyaltyPolicy} from "../lib/Interfaces.sol";
import {RoyaltyPolicyBase} from "./RoyaltyPolicyBase.sol";

/// Liquid Relative Percentage: each IP pays only its direct parents; a grandparent's cut comes out of the
/// parent's. An IP's stack is the sum of its direct edges; an ancestor's share is the sum over paths of the
/// product of the edges, and at payout the ancestor keeps that share less its own stack.
contract RoyaltyPolicyLRP is RoyaltyPolicyBase {
    error RoyaltyPolicyLRP__AboveMaxPercent();
    error RoyaltyPolicyLRP__ZeroClaimableRoyalty();
    error RoyaltyPolicyLRP__NotRoyaltyModule();

    function isSupportGroup() external pure returns (bool) {
        return true;
    }

    function _checkMint(address ipId, uint32 licensePercent) internal view override {
        uint256 lapStack = IRoyaltyPolicy(Addr.ROYALTY_POLICY_LAP).getPolicyRoyaltyStack(ipId);
        if (lapStack + licensePercent > MAX_PERCENT) revert RoyaltyPolicyLRP__AboveMaxPercent();
    }

    function _computeStack(address ipId) internal view override returns (uint256 stack) {
        address[] memory parents = _registry().getParentIps(ipId);
        for (uint256 i; i < parents.length; i++) {
            stack += _edge[ipId][parents[i]];
        }
    }

    function _computeShare(address ipId, address ancestorIpId) internal view override returns (uint256 share) {
        address[] memory parents = _registry().getParentIps(ipId);
        for (uint256 i; i < parents.length; i++) {
            uint256 edge = _edge[ipId][parents[i]];
            if (edge == 0) continue;
            uint256 upstream = parents[i] == ancestorIpId ? MAX_PERCENT : _computeShare(parents[i], ancestorIpId);
            share += edge * upstream / MAX_PERCENT;
        }
    }

    function _maxAmount(uint256 total, uint256 share, address ancestorIpId) internal view override returns (uint256) {
        uint256 gross = total * share / MAX_PERCENT;
        return gross - gross * _stack[ancestorIpId] / MAX_PERCENT;
    }

    function _revertAboveMaxPercent() internal pure override {
        revert RoyaltyPolicyLRP__AboveMaxPercent();
    }

    function _revertZeroClaimable() internal pure override {
        revert RoyaltyPolicyLRP__ZeroClaimableRoyalty();
    }

    function _revertNotRoyaltyModule() internal pure override {
        revert RoyaltyPolicyLRP__NotRoyaltyModule();
    }
}
