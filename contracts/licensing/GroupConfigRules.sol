// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {LicensingConfig} from "../lib/Structs.sol";
import {IGroupIPAssetRegistry, ILicenseRegistry} from "../lib/Interfaces.sol";

/// What a group's licensing config may be: it never names a reward pool to expect (members do that), and once
/// the group has members its fee, hook and isSet are fixed and its rev share can only rise, since every member
/// was admitted against them.
abstract contract GroupConfigRules {
    error LicensingModule__GroupIpCannotSetExpectGroupRewardPool(address groupId);
    error LicensingModule__GroupIpCannotChangeIsSet(address groupId);
    error LicensingModule__GroupIpCannotChangeMintingFee(address groupId);
    error LicensingModule__GroupIpCannotChangeLicensingHook(address groupId);
    error LicensingModule__GroupIpCannotChangeHookData(address groupId);
    error LicensingModule__GroupIpCannotDecreaseRoyalty(address groupId, uint32 newRoyaltyPercent, uint32 oldRoyaltyPercent);

    function _checkGroupConfig(address ipId, address licenseTemplate, uint256 licenseTermsId, LicensingConfig calldata c)
        internal
        view
    {
        IGroupIPAssetRegistry groups = IGroupIPAssetRegistry(Addr.IP_ASSET_REGISTRY);
        if (!groups.isRegisteredGroup(ipId)) return;
        if (c.expectGroupRewardPool != address(0)) revert LicensingModule__GroupIpCannotSetExpectGroupRewardPool(ipId);
        if (groups.totalMembers(ipId) == 0) return;
        LicensingConfig memory old =
            ILicenseRegistry(Addr.LICENSE_REGISTRY).getLicensingConfig(ipId, licenseTemplate, licenseTermsId);
        if (old.isSet != c.isSet) revert LicensingModule__GroupIpCannotChangeIsSet(ipId);
        if (old.mintingFee != c.mintingFee) revert LicensingModule__GroupIpCannotChangeMintingFee(ipId);
        if (old.licensingHook != c.licensingHook) revert LicensingModule__GroupIpCannotChangeLicensingHook(ipId);
        if (keccak256(old.hookData) != keccak256(c.hookData)) revert LicensingModule__GroupIpCannotChangeHookData(ipId);
        if (c.commercialRevShare < old.commercialRevShare) {
            revert LicensingModule__GroupIpCannotDecreaseRoyalty(ipId, c.commercialRevShare, old.commercialRevShare);
        }
    }
}
