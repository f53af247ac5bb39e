// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IPMetadata, LicenseData, SignatureData, TransientPermission} from "../lib/Structs.sol";
import {IERC721, IGroupingModule, IGroupNFT, ILicenseRegistry, ILicensingModule} from "../lib/Interfaces.sol";
import {Revert} from "../lib/TokenOps.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Group workflows: register a group with its license (and members) in one call, register a new IP with the
/// group's license and add it to a group (the group owner signs the addIp permission), and collect a group's
/// royalties and pay its members in one call.
contract GroupingWorkflows is WorkflowBase {
    bytes4 private constant ALREADY_ATTACHED =
        bytes4(keccak256("LicenseRegistry__LicenseTermsAlreadyAttached(address,address,uint256)"));
    bytes4 private constant ADD_IP = bytes4(keccak256("addIp(address,address[],uint256)"));

    error GroupingWorkflows__ZeroAddressParam();
    error GroupingWorkflows__NoLicenseData();
    error GroupingWorkflows__CallerNotSigner(address caller, address signer);

    function mintAndRegisterIpAndAttachLicenseAndAddToGroup(
        address spgNftContract,
        address groupId,
        address recipient,
        uint256 maxAllowedRewardShare,
        LicenseData[] calldata licensesData,
        IPMetadata calldata ipMetadata,
        SignatureData calldata sigAddToGroup,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        if (licensesData.length == 0) revert GroupingWorkflows__NoLicenseData();
        _requireSigner(sigAddToGroup);
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        _attachAll(ipId, licensesData);
        _addToGroup(groupId, ipId, maxAllowedRewardShare, sigAddToGroup);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    function registerIpAndAttachLicenseAndAddToGroup(
        address nftContract,
        uint256 tokenId,
        address groupId,
        uint256 maxAllowedRewardShare,
        LicenseData[] calldata licensesData,
        IPMetadata calldata ipMetadata,
        SignatureData calldata sigMetadataAndAttachAndConfig,
        SignatureData calldata sigAddToGroup
    ) external returns (address ipId) {
        if (licensesData.length == 0) revert GroupingWorkflows__NoLicenseData();
        _requireSigner(sigMetadataAndAttachAndConfig);
        _requireSigner(sigAddToGroup);
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](3);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, ATTACH_LICENSE_TERMS);
        permissions[2] = _permission(ipId, Addr.LICENSING_MODULE, SET_LICENSING_CONFIG);
        _grantWithSig(ipId, permissions, sigMetadataAndAttachAndConfig);
        _setMetadata(ipId, ipMetadata);
        _attachAll(ipId, licensesData);
        _addToGroup(groupId, ipId, maxAllowedRewardShare, sigAddToGroup);
    }

    /// The workflow holds the new group's NFT while it attaches the license, then hands it to the caller.
    function registerGroupAndAttachLicense(address groupPool, LicenseData calldata licenseData)
        external
        returns (address groupId)
    {
        groupId = IGroupingModule(Addr.GROUPING_MODULE).registerGroup(groupPool);
        _attach(groupId, licenseData);
        _handOverGroupNft();
    }

    function registerGroupAndAttachLicenseAndAddIps(
        address groupPool,
        address[] calldata ipIds,
        uint256 maxAllowedRewardShare,
        LicenseData calldata licenseData
    ) external returns (address groupId) {
        groupId = IGroupingModule(Addr.GROUPING_MODULE).registerGroup(groupPool);
        _attach(groupId, licenseData);
        IGroupingModule(Addr.GROUPING_MODULE).addIp(groupId, ipIds, maxAllowedRewardShare);
        _handOverGroupNft();
    }

    /// Per currency: the group vault's revenue into the pool, then every listed member's share to its vault.
    function collectRoyaltiesAndClaimReward(
        address groupIpId,
        address[] calldata currencyTokens,
        address[] calldata memberIpIds
    ) external returns (uint256[] memory collectedRoyalties) {
        // Reverts for a group without a license, as the grouping module would.
        ILicenseRegistry(Addr.LICENSE_REGISTRY).getAttachedLicenseTerms(groupIpId, 0);
        collectedRoyalties = new uint256[](currencyTokens.length);
        IGroupingModule grouping = IGroupingModule(Addr.GROUPING_MODULE);
        for (uint256 i; i < currencyTokens.length; i++) {
            if (currencyTokens[i] == address(0)) revert GroupingWorkflows__ZeroAddressParam();
            collectedRoyalties[i] = grouping.collectRoyalties(groupIpId, currencyTokens[i]);
            grouping.claimReward(groupIpId, currencyTokens[i], memberIpIds);
        }
    }

    function _requireSigner(SignatureData calldata sig) private view {
        if (msg.sender != sig.signer) revert GroupingWorkflows__CallerNotSigner(msg.sender, sig.signer);
    }

    function _addToGroup(address groupId, address ipId, uint256 maxAllowedRewardShare, SignatureData calldata sig)
        private
    {
        TransientPermission[] memory permissions = new TransientPermission[](1);
        permissions[0] = _permission(groupId, Addr.GROUPING_MODULE, ADD_IP);
        _grantWithSig(groupId, permissions, sig);
        address[] memory ipIds = new address[](1);
        ipIds[0] = ipId;
        IGroupingModule(Addr.GROUPING_MODULE).addIp(groupId, ipIds, maxAllowedRewardShare);
    }

    function _attachAll(address ipId, LicenseData[] calldata licensesData) private {
        for (uint256 i; i < licensesData.length; i++) {
            _attach(ipId, licensesData[i]);
        }
    }

    /// Terms the IP already has are kept; the config is applied when it is set.
    function _attach(address ipId, LicenseData calldata d) private {
        ILicensingModule licensing = ILicensingModule(Addr.LICENSING_MODULE);
        try licensing.attachLicenseTerms(ipId, d.licenseTemplate, d.licenseTermsId) {}
        catch (bytes memory err) {
            if (Revert.selector(err) != ALREADY_ATTACHED) Revert.bubble(err);
        }
        if (d.licensingConfig.isSet) {
            licensing.setLicensingConfig(ipId, d.licenseTemplate, d.licenseTermsId, d.licensingConfig);
        }
    }

    function _handOverGroupNft() private {
        IERC721(Addr.GROUP_NFT).safeTransferFrom(address(this), msg.sender, IGroupNFT(Addr.GROUP_NFT).totalSupply() - 1);
    }
}
