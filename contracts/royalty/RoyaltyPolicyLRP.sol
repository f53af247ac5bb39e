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

    /// Story's LRP stack: the sum of the direct edges.
    function _stackThroughParent(address, uint32 percent) internal pure override returns (uint256) {
        return percent;
    }

    /// As Story's IP-graph precompile computes it: the ancestry in topological order (children first), the
    /// work holding 100%, and each node passing `its accumulated share * edge / 100%` (rounded down) to each
    /// parent, so an ancestor reachable by several paths receives the sum of what every path brings, and a
    /// node's paths are added up before they are multiplied on.
    function _computeShare(address ipId, address ancestorIpId) internal view override returns (uint256) {
        (address[] memory done, uint256 n) = _ancestryInOrder(ipId);
        uint256[] memory share = new uint256[](n);
        share[n - 1] = MAX_PERCENT;
        for (uint256 i = n; i > 0; i--) {
            address node = done[i - 1];
            if (node == ancestorIpId) return share[i - 1];
            if (share[i - 1] == 0) continue;
            address[] memory parents = _registry().getParentIps(node);
            for (uint256 k; k < parents.length; k++) {
                share[_indexOf(done, n, parents[k])] += share[i - 1] * _edge[node][parents[k]] / MAX_PERCENT;
            }
        }
        return 0;
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
