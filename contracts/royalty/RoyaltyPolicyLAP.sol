// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {MAX_PERCENT, Addr} from "../lib/Addresses.sol";
import {IRoyaltyModule} from "../lib/Interfaces.sol";
import {RoyaltyPolicyBase} from "./RoyaltyPolicyBase.sol";

/// Liquid Absolute Percentage: every ancestor gets an absolute share of every descendant's revenue. As in
/// Story's IP-graph precompile, an ancestor's share counts the percent of the edge into it once per path from
/// the descendant, and an IP's stack is the sum over its parents of (the parent's stack + the parent's percent).
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

    /// Story's LAP stack, as the IP graph stores it at link time: for each parent linked under LAP, the
    /// parent's own LAP stack plus the parent's percent. An ancestry shared by two parents counts twice.
    function _stackThroughParent(address parentIpId, uint32 percent) internal view override returns (uint256) {
        return uint256(_stack[parentIpId]) + percent;
    }

    /// As Story's IP-graph precompile computes it: the ancestry in topological order (children first),
    /// counting the paths from the work to each node (the work: one), and each edge node -> parent paying
    /// the parent `paths(node) * edge`, so an ancestor is paid its percent once per path. No division, so
    /// no rounding. Every parent of the graph is walked, whichever policy it was linked under (an edge linked
    /// under LRP pays 0 here but still carries paths).
    function _computeShare(address ipId, address ancestorIpId) internal view override returns (uint256) {
        (address[] memory done, uint256 n) = _ancestryInOrder(ipId);
        uint256[] memory paths = new uint256[](n);
        uint256[] memory share = new uint256[](n);
        paths[n - 1] = 1;
        share[n - 1] = MAX_PERCENT;
        for (uint256 i = n; i > 0; i--) {
            address node = done[i - 1];
            if (node == ancestorIpId) return share[i - 1];
            address[] memory parents = _registry().getParentIps(node);
            for (uint256 k; k < parents.length; k++) {
                uint256 j = _indexOf(done, n, parents[k]);
                paths[j] += paths[i - 1];
                share[j] += paths[i - 1] * _edge[node][parents[k]];
            }
        }
        return 0;
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
