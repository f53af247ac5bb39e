// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IPMetadata, LicenseTermsData, SignatureData, TransientPermission} from "../lib/Structs.sol";
import {ILicensingModule} from "../lib/Interfaces.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Registers PIL terms and attaches them (with their licensing configs) to a new or existing IP in one call.
/// Terms the IP already has are skipped, so repeating a call is harmless.
contract LicenseAttachmentWorkflows is WorkflowBase {
    function mintAndRegisterIpAndAttachPILTerms(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        LicenseTermsData[] calldata licenseTermsData,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId, uint256[] memory licenseTermsIds) {
        if (licenseTermsData.length == 0) revert Workflow__NoLicenseTermsData();
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        licenseTermsIds = _registerAndAttach(ipId, licenseTermsData);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    function registerIpAndAttachPILTerms(
        address nftContract,
        uint256 tokenId,
        IPMetadata calldata ipMetadata,
        LicenseTermsData[] calldata licenseTermsData,
        SignatureData calldata sigMetadataAndAttachAndConfig
    ) external returns (address ipId, uint256[] memory licenseTermsIds) {
        if (licenseTermsData.length == 0) revert Workflow__NoLicenseTermsData();
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](3);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, ATTACH_LICENSE_TERMS);
        permissions[2] = _permission(ipId, Addr.LICENSING_MODULE, SET_LICENSING_CONFIG);
        _grantWithSig(ipId, permissions, sigMetadataAndAttachAndConfig);
        _setMetadata(ipId, ipMetadata);
        licenseTermsIds = _registerAndAttach(ipId, licenseTermsData);
    }

    function registerPILTermsAndAttach(
        address ipId,
        LicenseTermsData[] calldata licenseTermsData,
        SignatureData calldata sigAttachAndConfig
    ) external returns (uint256[] memory licenseTermsIds) {
        if (licenseTermsData.length == 0) revert Workflow__NoLicenseTermsData();
        TransientPermission[] memory permissions = new TransientPermission[](2);
        permissions[0] = _permission(ipId, Addr.LICENSING_MODULE, ATTACH_LICENSE_TERMS);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, SET_LICENSING_CONFIG);
        _grantWithSig(ipId, permissions, sigAttachAndConfig);
        licenseTermsIds = _registerAndAttach(ipId, licenseTermsData);
    }

    function mintAndRegisterIpAndAttachDefaultTerms(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        ILicensingModule(Addr.LICENSING_MODULE).attachDefaultLicenseTerms(ipId);
        _transferOut(spgNftContract, tokenId, recipient);
    }
}
