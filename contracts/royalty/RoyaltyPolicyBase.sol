// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr, MAX_PERCENT} from "../lib/Addresses.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {TokenOps} from "../lib/TokenOps.sol";
import {IIpRoyaltyVault, ILicenseRegistry, IRoyaltyModule} from "../lib/Interfaces.sol";

/// What LAP and LRP share: the royalty edges of the links made under the policy, the cached stack per IP, and
/// the pull of an ancestor's due share from this contract into the ancestor's vault. The policies differ in
/// how a stack and an ancestor's share follow from the edges; both follow Story's IP-graph precompile
/// (docs/story-royalty-rules.md).
abstract contract RoyaltyPolicyBase is ReentrancyGuard {
    mapping(address => uint32) internal _stack;
    mapping(address => mapping(address => uint32)) internal _edge;
    mapping(address => mapping(address => mapping(address => uint256))) internal _transferred;

    event RevenueTransferredToVault(address ipId, address ancestorIpId, address token, uint256 amount);

    function onLicenseMinting(address ipId, uint32 licensePercent, bytes calldata) external view {
        _onlyRoyaltyModule();
        _checkMint(ipId, licensePercent);
    }

    /// Records this policy's edges child -> parent, then the child's stack. Needs no royalty tokens.
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata
    ) external returns (uint32) {
        _onlyRoyaltyModule();
        uint256 stack;
        for (uint256 i; i < parentIpIds.length; i++) {
            if (licenseRoyaltyPolicies[i] != address(this)) continue;
            _edge[ipId][parentIpIds[i]] = licensesPercent[i];
            stack += _stackThroughParent(parentIpIds[i], licensesPercent[i]);
        }
        // The royalty module checks the sum of every policy's stack (RoyaltyModule__AboveMaxPercent); a sum
        // beyond uint32 is kept above that limit rather than wrapped below it.
        _stack[ipId] = stack > type(uint32).max ? type(uint32).max : uint32(stack);
        return 0;
    }

    function getPolicyRoyaltyStack(address ipId) public view returns (uint32) {
        return _stack[ipId];
    }

    function getPolicyRtsRequiredToLink(address, uint32) external pure returns (uint32) {
        return 0;
    }

    /// The share of `ipId`'s revenue due to `ancestorIpId` (100% = 1e8).
    function getPolicyRoyalty(address ipId, address ancestorIpId) external view returns (uint32) {
        return uint32(_computeShare(ipId, ancestorIpId));
    }

    function getTransferredTokens(address ipId, address ancestorIpId, address token) external view returns (uint256) {
        return _transferred[ipId][ancestorIpId][token];
    }

    /// Moves what `ancestorIpId` is owed from `ipId`'s revenue (accounted by the royalty module) and not yet
    /// moved, from this contract into the ancestor's vault. Anyone may call it.
    function transferToVault(address ipId, address ancestorIpId, address token)
        external
        nonReentrant
        returns (uint256 amount)
    {
        uint256 share = _computeShare(ipId, ancestorIpId);
        if (share == 0) _revertZeroClaimable();
        IRoyaltyModule royalty = IRoyaltyModule(Addr.ROYALTY_MODULE);
        uint256 total = royalty.totalRevenueTokensAccounted(ipId, token, address(this));
        uint256 due = _maxAmount(total, share, ancestorIpId);
        amount = due - _transferred[ipId][ancestorIpId][token];
        if (amount == 0) _revertZeroClaimable();
        address vault = royalty.ipRoyaltyVaults(ancestorIpId);
        _transferred[ipId][ancestorIpId][token] = due;
        TokenOps.push(token, vault, amount);
        IIpRoyaltyVault(vault).updateVaultBalance(token, amount);
        emit RevenueTransferredToVault(ipId, ancestorIpId, token, amount);
    }

    function _checkMint(address ipId, uint32 licensePercent) internal view virtual;

    /// What linking to `parentIpId` at `percent` under this policy adds to the child's stack.
    function _stackThroughParent(address parentIpId, uint32 percent) internal view virtual returns (uint256);

    function _computeShare(address ipId, address ancestorIpId) internal view virtual returns (uint256);

    function _maxAmount(uint256 total, uint256 share, address ancestorIpId) internal view virtual returns (uint256);

    function _revertAboveMaxPercent() internal pure virtual;

    function _revertZeroClaimable() internal pure virtual;

    function _revertNotRoyaltyModule() internal pure virtual;

    function _onlyRoyaltyModule() private view {
        if (msg.sender != Addr.ROYALTY_MODULE) _revertNotRoyaltyModule();
    }

    function _registry() internal pure returns (ILicenseRegistry) {
        return ILicenseRegistry(Addr.LICENSE_REGISTRY);
    }

    /// `ipId` and its ancestry in a topological order, parents before children (`ipId` last), as the
    /// IP-graph precompile walks it; returns how many entries of `done` are filled. Walks every parent,
    /// whichever policy it was linked under.
    function _ancestryInOrder(address ipId) internal view returns (address[] memory done, uint256 n) {
        done = new address[](_registry().getAncestorsCount(ipId) + 1);
        n = _postOrder(ipId, done, 0);
    }

    function _postOrder(address node, address[] memory done, uint256 n) private view returns (uint256) {
        address[] memory parents = _registry().getParentIps(node);
        for (uint256 k; k < parents.length; k++) {
            if (_indexOf(done, n, parents[k]) == type(uint256).max) n = _postOrder(parents[k], done, n);
        }
        done[n] = node;
        return n + 1;
    }

    function _indexOf(address[] memory list, uint256 n, address item) internal pure returns (uint256) {
        for (uint256 i; i < n; i++) {
            if (list[i] == item) return i;
        }
        return type(uint256).max;
    }
}
