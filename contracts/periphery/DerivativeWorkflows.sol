// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IPMetadata, MakeDerivative, SignatureData, TransientPermission} from "../lib/Structs.sol";
import {IERC721, ILicensingModule} from "../lib/Interfaces.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Registers an IP and links it to its parents in one call. The parents' minting fees are taken from the
/// caller first (the caller approves this workflow for their sum) and then paid through the licensing module.
contract DerivativeWorkflows is WorkflowBase {
    function mintAndRegisterIpAndMakeDerivative(
        address spgNftContract,
        MakeDerivative calldata derivData,
        IPMetadata calldata ipMetadata,
        address recipient,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        _collectMintFees(derivData);
        _makeDerivative(ipId, derivData);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    /// For an NFT the caller owns: the owner signs transient permissions for metadata and linking.
    function registerIpAndMakeDerivative(
        address nftContract,
        uint256 tokenId,
        MakeDerivative calldata derivData,
        IPMetadata calldata ipMetadata,
        SignatureData calldata sigMetadataAndRegister
    ) external returns (address ipId) {
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](2);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, REGISTER_DERIVATIVE);
        _grantWithSig(ipId, permissions, sigMetadataAndRegister);
        _setMetadata(ipId, ipMetadata);
        _collectMintFees(derivData);
        _makeDerivative(ipId, derivData);
    }

    /// License-token form: the caller's tokens move to this workflow, which links the new IP with them.
    function mintAndRegisterIpAndMakeDerivativeWithLicenseTokens(
        address spgNftContract,
        uint256[] calldata licenseTokenIds,
        bytes calldata royaltyContext,
        uint32 maxRts,
        IPMetadata calldata ipMetadata,
        address recipient,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        _collectLicenseTokens(licenseTokenIds);
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        ILicensingModule(Addr.LICENSING_MODULE).registerDerivativeWithLicenseTokens(
            ipId, licenseTokenIds, royaltyContext, maxRts
        );
        _transferOut(spgNftContract, tokenId, recipient);
    }

    function registerIpAndMakeDerivativeWithLicenseTokens(
        address nftContract,
        uint256 tokenId,
        uint256[] calldata licenseTokenIds,
        bytes calldata royaltyContext,
        uint32 maxRts,
        IPMetadata calldata ipMetadata,
        SignatureData calldata sigMetadataAndRegister
    ) external returns (address ipId) {
        _collectLicenseTokens(licenseTokenIds);
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](2);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, REGISTER_DERIVATIVE_WITH_LICENSE_TOKENS);
        _grantWithSig(ipId, permissions, sigMetadataAndRegister);
        _setMetadata(ipId, ipMetadata);
        ILicensingModule(Addr.LICENSING_MODULE).registerDerivativeWithLicenseTokens(
            ipId, licenseTokenIds, royaltyContext, maxRts
        );
    }

    function _collectLicenseTokens(uint256[] calldata licenseTokenIds) private {
        if (licenseTokenIds.length == 0) revert Workflow__EmptyLicenseTokens();
        for (uint256 i; i < licenseTokenIds.length; i++) {
            IERC721(Addr.LICENSE_TOKEN).safeTransferFrom(msg.sender, address(this), licenseTokenIds[i]);
        }
    }
}
