// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {LicensingConfig} from "../lib/Structs.sol";
import {IGroupIPAssetRegistry, IPILicenseTemplate} from "../lib/Interfaces.sol";

/// The license registry's rules for group IPs: a group offers exactly one license that groups may carry, is
/// always a sole parent and never a child, cannot be licensed while empty, and admits only members that offer
/// its license with a matching configuration aimed at its reward pool.
abstract contract GroupLicenseRules {
    error LicenseRegistry__GroupIpAlreadyHasLicenseTerms(address groupId);
    error LicenseRegistry__LicenseTermsCannotAttachToGroupIp(address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__GroupMustBeSoleParent(address childIpId, address groupId);
    error LicenseRegistry__GroupCannotHasParentIp(address groupId);
    error LicenseRegistry__ParentIpIsEmptyGroup(address groupId);
    error LicenseRegistry__EmptyGroupCannotMintLicenseToken(address groupId);
    error LicenseRegistry__IpHasNoGroupLicenseTerms(address groupId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__IpLicenseDisabled(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__IpExpectGroupRewardPoolNotSet(address ipId);
    error LicenseRegistry__IpExpectGroupRewardPoolNotMatch(
        address ipId, address expectGroupRewardPool, address groupId, address groupRewardPool
    );
    error LicenseRegistry__CannotAddIpWithExpirationToGroup(address ipId);
    error LicenseRegistry__IpMintingFeeNotMatchWithGroup(address ipId, uint256 mintingFee, uint256 groupMintingFee);
    error LicenseRegistry__IpLicensingHookNotMatchWithGroup(
        address ipId, address licensingHook, address groupLicensingHook
    );
    error LicenseRegistry__IpLicensingHookDataNotMatchWithGroup(address ipId, bytes hookData, bytes groupHookData);
    error LicenseRegistry__GroupIpCommercialRevShareConfigMustNotLessThanIp(
        address groupId, uint32 ipCommercialRevShare, uint32 groupCommercialRevShare
    );

    /// Checked by the grouping module for each IP it adds; returns the IP's config for the group's license.
    function verifyGroupAddIp(
        address groupId,
        address groupRewardPool,
        address ipId,
        address groupLicenseTemplate,
        uint256 groupLicenseTermsId
    ) external view returns (LicensingConfig memory config) {
        if (!hasIpAttachedLicenseTerms(ipId, groupLicenseTemplate, groupLicenseTermsId)) {
            revert LicenseRegistry__IpHasNoGroupLicenseTerms(ipId, groupLicenseTemplate, groupLicenseTermsId);
        }
        config = getLicensingConfig(ipId, groupLicenseTemplate, groupLicenseTermsId);
        if (config.disabled) {
            revert LicenseRegistry__IpLicenseDisabled(ipId, groupLicenseTemplate, groupLicenseTermsId);
        }
        if (config.expectGroupRewardPool == address(0)) revert LicenseRegistry__IpExpectGroupRewardPoolNotSet(ipId);
        if (config.expectGroupRewardPool != groupRewardPool) {
            revert LicenseRegistry__IpExpectGroupRewardPoolNotMatch(
                ipId, config.expectGroupRewardPool, groupId, groupRewardPool
            );
        }
        if (getExpireTime(ipId) != 0) revert LicenseRegistry__CannotAddIpWithExpirationToGroup(ipId);
        LicensingConfig memory group = getLicensingConfig(groupId, groupLicenseTemplate, groupLicenseTermsId);
        if (config.mintingFee != group.mintingFee) {
            revert LicenseRegistry__IpMintingFeeNotMatchWithGroup(ipId, config.mintingFee, group.mintingFee);
        }
        if (config.licensingHook != group.licensingHook) {
            revert LicenseRegistry__IpLicensingHookNotMatchWithGroup(ipId, config.licensingHook, group.licensingHook);
        }
        if (keccak256(config.hookData) != keccak256(group.hookData)) {
            revert LicenseRegistry__IpLicensingHookDataNotMatchWithGroup(ipId, config.hookData, group.hookData);
        }
        if (group.commercialRevShare < config.commercialRevShare) {
            revert LicenseRegistry__GroupIpCommercialRevShareConfigMustNotLessThanIp(
                ipId, config.commercialRevShare, group.commercialRevShare
            );
        }
    }

    function getExpireTime(address ipId) public view virtual returns (uint256);

    function hasIpAttachedLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)
        public
        view
        virtual
        returns (bool);

    function getLicensingConfig(address ipId, address licenseTemplate, uint256 licenseTermsId)
        public
        view
        virtual
        returns (LicensingConfig memory);

    /// Before terms are attached to `ipId`, which already has `attachedCount` attached.
    function _checkGroupAttach(address ipId, address licenseTemplate, uint256 licenseTermsId, uint256 attachedCount)
        internal
        view
    {
        if (!_isGroup(ipId)) return;
        if (attachedCount > 0) revert LicenseRegistry__GroupIpAlreadyHasLicenseTerms(ipId);
        if (!IPILicenseTemplate(licenseTemplate).canAttachToGroupIp(licenseTermsId)) {
            revert LicenseRegistry__LicenseTermsCannotAttachToGroupIp(licenseTemplate, licenseTermsId);
        }
    }

    /// For each parent of a new link with `parentCount` parents.
    function _checkGroupLink(address childIpId, address parentIpId, uint256 parentCount) internal view {
        bool parentIsGroup = _isGroup(parentIpId);
        if (parentIsGroup && parentCount > 1) revert LicenseRegistry__GroupMustBeSoleParent(childIpId, parentIpId);
        if (_isGroup(childIpId)) revert LicenseRegistry__GroupCannotHasParentIp(childIpId);
        if (parentIsGroup && _groups().totalMembers(parentIpId) == 0) {
            revert LicenseRegistry__ParentIpIsEmptyGroup(parentIpId);
        }
    }

    function _checkGroupLicensor(address licensorIpId) internal view {
        if (_isGroup(licensorIpId) && _groups().totalMembers(licensorIpId) == 0) {
            revert LicenseRegistry__EmptyGroupCannotMintLicenseToken(licensorIpId);
        }
    }

    function _isGroup(address ipId) internal view returns (bool) {
        return _groups().isRegisteredGroup(ipId);
    }

    function _groups() private pure returns (IGroupIPAssetRegistry) {
        return IGroupIPAssetRegistry(Addr.IP_ASSET_REGISTRY);
    }
}
