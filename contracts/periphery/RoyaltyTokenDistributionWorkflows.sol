// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {
    IPMetadata,
    LicenseTermsData,
    MakeDerivative,
    RoyaltyShare,
    SignatureData,
    TransientPermission
} from "../lib/Structs.sol";
import {IERC20, IIPAccount, IRoyaltyModule} from "../lib/Interfaces.sol";
import {TokenOps} from "../lib/TokenOps.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Registers an IP (root with terms, or derivative) with its royalty vault, and hands its royalty tokens to
/// collaborators: percentages are counted in RTs (100_000_000 = the whole supply), moved from the IP account.
contract RoyaltyTokenDistributionWorkflows is WorkflowBase {
    uint32 private constant RT_SUPPLY = 100_000_000;

    error RoyaltyTokenDistributionWorkflows__TotalSharesExceedSupply(uint256 total, uint32 supply);
    error RoyaltyTokenDistributionWorkflows__RoyaltyVaultNotDeployed();

    function mintAndRegisterIpAndAttachPILTermsAndDistributeRoyaltyTokens(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        LicenseTermsData[] calldata licenseTermsData,
        RoyaltyShare[] calldata royaltyShares,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId, uint256[] memory licenseTermsIds) {
        if (licenseTermsData.length == 0) revert Workflow__NoLicenseTermsData();
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        licenseTermsIds = _registerAndAttach(ipId, licenseTermsData);
        _distributeAsOwner(ipId, _vault(ipId), royaltyShares);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    function mintAndRegisterIpAndMakeDerivativeAndDistributeRoyaltyTokens(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        MakeDerivative calldata derivData,
        RoyaltyShare[] calldata royaltyShares,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        _collectMintFees(derivData);
        _makeDerivative(ipId, derivData);
        _distributeAsOwner(ipId, _vault(ipId), royaltyShares);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    function registerIpAndAttachPILTermsAndDeployRoyaltyVault(
        address nftContract,
        uint256 tokenId,
        IPMetadata calldata ipMetadata,
        LicenseTermsData[] calldata licenseTermsData,
        SignatureData calldata sigMetadataAndAttachAndConfig
    ) external returns (address ipId, uint256[] memory licenseTermsIds, address ipRoyaltyVault) {
        if (licenseTermsData.length == 0) revert Workflow__NoLicenseTermsData();
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](3);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, ATTACH_LICENSE_TERMS);
        permissions[2] = _permission(ipId, Addr.LICENSING_MODULE, SET_LICENSING_CONFIG);
        _grantWithSig(ipId, permissions, sigMetadataAndAttachAndConfig);
        _setMetadata(ipId, ipMetadata);
        licenseTermsIds = _registerAndAttach(ipId, licenseTermsData);
        ipRoyaltyVault = _vault(ipId);
    }

    function registerIpAndMakeDerivativeAndDeployRoyaltyVault(
        address nftContract,
        uint256 tokenId,
        IPMetadata calldata ipMetadata,
        MakeDerivative calldata derivData,
        SignatureData calldata sigMetadataAndRegister
    ) external returns (address ipId, address ipRoyaltyVault) {
        ipId = _register(nftContract, tokenId);
        TransientPermission[] memory permissions = new TransientPermission[](2);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        permissions[1] = _permission(ipId, Addr.LICENSING_MODULE, REGISTER_DERIVATIVE);
        _grantWithSig(ipId, permissions, sigMetadataAndRegister);
        _setMetadata(ipId, ipMetadata);
        _collectMintFees(derivData);
        _makeDerivative(ipId, derivData);
        ipRoyaltyVault = _vault(ipId);
    }

    /// The owner signs the IP account's approval of this workflow for the total; the tokens then move.
    function distributeRoyaltyTokens(
        address ipId,
        RoyaltyShare[] calldata royaltyShares,
        SignatureData calldata sigApproveRoyaltyTokens
    ) external {
        if (msg.sender != sigApproveRoyaltyTokens.signer) {
            revert Workflow__CallerNotSigner(msg.sender, sigApproveRoyaltyTokens.signer);
        }
        address vault = IRoyaltyModule(Addr.ROYALTY_MODULE).ipRoyaltyVaults(ipId);
        if (vault == address(0)) revert RoyaltyTokenDistributionWorkflows__RoyaltyVaultNotDeployed();
        uint256 total = _total(royaltyShares);
        IIPAccount(ipId).executeWithSig(
            vault,
            0,
            abi.encodeCall(IERC20.approve, (address(this), total)),
            sigApproveRoyaltyTokens.signer,
            sigApproveRoyaltyTokens.deadline,
            sigApproveRoyaltyTokens.signature
        );
        for (uint256 i; i < royaltyShares.length; i++) {
            TokenOps.pull(vault, ipId, royaltyShares[i].recipient, royaltyShares[i].percentage);
        }
    }

    /// This workflow owns the IP during the mint flows, so it moves the tokens through the IP account itself.
    function _distributeAsOwner(address ipId, address vault, RoyaltyShare[] calldata royaltyShares) private {
        _total(royaltyShares);
        for (uint256 i; i < royaltyShares.length; i++) {
            bytes memory transfer =
                abi.encodeCall(IERC20.transfer, (royaltyShares[i].recipient, royaltyShares[i].percentage));
            IIPAccount(ipId).execute(vault, 0, transfer);
        }
    }

    function _vault(address ipId) private returns (address vault) {
        IRoyaltyModule royalty = IRoyaltyModule(Addr.ROYALTY_MODULE);
        vault = royalty.ipRoyaltyVaults(ipId);
        if (vault == address(0)) vault = royalty.deployVault(ipId);
    }

    function _total(RoyaltyShare[] calldata royaltyShares) private pure returns (uint256 total) {
        for (uint256 i; i < royaltyShares.length; i++) {
            total += royaltyShares[i].percentage;
        }
        if (total > RT_SUPPLY) revert RoyaltyTokenDistributionWorkflows__TotalSharesExceedSupply(total, RT_SUPPLY);
    }
}
