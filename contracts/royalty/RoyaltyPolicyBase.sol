// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr, MAX_PERCENT} from "../lib/Addresses.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {TokenOps} from "../lib/TokenOps.sol";
import {IIpRoyaltyVault, ILicenseRegistry, IRoyaltyModule} from "../lib/Interfaces.sol";

/// What LAP and LRP share: the royalty edges of the links made under the policy, the cached stack per IP, and
/// the pull of an ancestor's due share from this contract into the ancestor's vault. The policies differ in
/// how a stack and an ancestor's share follow from the edges.
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
        for (uint256 i; i < parentIpIds.length; i++) {
            if (licenseRoyaltyPolicies[i] == address(this)) _edge[ipId][parentIpIds[i]] = licensesPercent[i];
        }
        // The royalty module checks the sum of every policy's stack (RoyaltyModule__AboveMaxPercent).
        _stack[ipId] = uint32(_computeStack(ipId));
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

    function _computeStack(address ipId) internal view virtual returns (uint256);

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
}
