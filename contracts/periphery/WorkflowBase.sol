// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IPMetadata, LicenseTermsData, MakeDerivative, SignatureData, TransientPermission} from "../lib/Structs.sol";
import {
    ICoreMetadataModule,
    IERC20,
    IERC721,
    IIPAccount,
    IIPAssetRegistry,
    ILicensingModule,
    IPILicenseTemplate,
    ISPGNFT
} from "../lib/Interfaces.sol";
import {Revert, TokenOps} from "../lib/TokenOps.sol";

interface IAccessControllerWrites {
    function setTransientPermission(address ipAccount, address signer, address to, bytes4 func, uint8 permission)
        external;
    function setBatchTransientPermissions(TransientPermission[] calldata permissions) external;
}

/// What the workflows share: minting on a collection for the caller, registering, metadata, permissions granted
/// by the owner's EIP-712 signature, and multicall.
abstract contract WorkflowBase {
    bytes32 internal constant MINTER_ROLE = bytes32(uint256(1));
    uint8 internal constant ALLOW = 1;
    bytes4 private constant ALREADY_ATTACHED =
        bytes4(keccak256("LicenseRegistry__LicenseTermsAlreadyAttached(address,address,uint256)"));
    bytes4 internal constant SET_ALL = bytes4(keccak256("setAll(address,string,bytes32,bytes32)"));
    bytes4 internal constant ATTACH_LICENSE_TERMS = bytes4(keccak256("attachLicenseTerms(address,address,uint256)"));
    bytes4 internal constant SET_LICENSING_CONFIG = bytes4(
        keccak256("setLicensingConfig(address,address,uint256,(bool,uint256,address,bytes,uint32,bool,uint32,address))")
    );
    bytes4 internal constant REGISTER_DERIVATIVE =
        bytes4(keccak256("registerDerivative(address,address[],uint256[],address,bytes,uint256,uint32,uint32)"));
    bytes4 internal constant REGISTER_DERIVATIVE_WITH_LICENSE_TOKENS =
        bytes4(keccak256("registerDerivativeWithLicenseTokens(address,uint256[],bytes,uint32)"));

    error Workflow__CallerNotAuthorizedToMint();
    error Workflow__CallerNotSigner(address caller, address signer);
    error Workflow__NoLicenseTermsData();
    error Workflow__EmptyLicenseTokens();

    modifier onlyMintAuthorized(address spgNftContract) {
        if (!ISPGNFT(spgNftContract).hasRole(MINTER_ROLE, msg.sender) && !ISPGNFT(spgNftContract).publicMinting()) {
            revert Workflow__CallerNotAuthorizedToMint();
        }
        _;
    }

    function multicall(bytes[] calldata data) external returns (bytes[] memory results) {
        results = new bytes[](data.length);
        for (uint256 i; i < data.length; i++) {
            (bool ok, bytes memory ret) = address(this).delegatecall(data[i]);
            if (!ok) Revert.bubble(ret);
            results[i] = ret;
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    /// Mints to this workflow (so it owns the new IP for the rest of the call) with the caller as fee payer.
    function _mintToSelf(address spgNftContract, IPMetadata calldata ipMetadata, bool allowDuplicates)
        internal
        returns (uint256 tokenId)
    {
        tokenId = ISPGNFT(spgNftContract).mintByPeriphery(
            address(this), msg.sender, ipMetadata.nftMetadataURI, ipMetadata.nftMetadataHash, allowDuplicates
        );
    }

    function _register(address nftContract, uint256 tokenId) internal returns (address) {
        return IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).register(block.chainid, nftContract, tokenId);
    }

    /// Skipped when there is nothing to write, as clients send empty metadata for "none".
    function _setMetadata(address ipId, IPMetadata calldata m) internal {
        if (bytes(m.ipMetadataURI).length == 0 && m.ipMetadataHash == 0 && m.nftMetadataHash == 0) return;
        ICoreMetadataModule(Addr.CORE_METADATA_MODULE).setAll(ipId, m.ipMetadataURI, m.ipMetadataHash, m.nftMetadataHash);
    }

    function _transferOut(address nftContract, uint256 tokenId, address recipient) internal {
        IERC721(nftContract).safeTransferFrom(address(this), recipient, tokenId);
    }

    function _permission(address ipId, address to, bytes4 func) internal view returns (TransientPermission memory) {
        return TransientPermission(ipId, address(this), to, func, ALLOW);
    }

    /// Runs the owner-signed AccessController call through the IP account: exactly the calldata the owner
    /// signed (one permission: setTransientPermission; several: setBatchTransientPermissions).
    function _grantWithSig(address ipId, TransientPermission[] memory permissions, SignatureData calldata sig)
        internal
    {
        if (msg.sender != sig.signer) revert Workflow__CallerNotSigner(msg.sender, sig.signer);
        bytes memory data;
        if (permissions.length == 1) {
            TransientPermission memory p = permissions[0];
            data = abi.encodeCall(
                IAccessControllerWrites.setTransientPermission, (p.ipAccount, p.signer, p.to, p.func, p.permission)
            );
        } else {
            data = abi.encodeCall(IAccessControllerWrites.setBatchTransientPermissions, (permissions));
        }
        IIPAccount(ipId).executeWithSig(Addr.ACCESS_CONTROLLER, 0, data, sig.signer, sig.deadline, sig.signature);
    }

    /// Registers each set of terms (or finds its id), attaches it unless already attached, applies its config.
    function _registerAndAttach(address ipId, LicenseTermsData[] calldata licenseTermsData)
        internal
        returns (uint256[] memory licenseTermsIds)
    {
        licenseTermsIds = new uint256[](licenseTermsData.length);
        ILicensingModule licensing = ILicensingModule(Addr.LICENSING_MODULE);
        for (uint256 i; i < licenseTermsData.length; i++) {
            uint256 id = IPILicenseTemplate(Addr.PIL_TEMPLATE).registerLicenseTerms(licenseTermsData[i].terms);
            licenseTermsIds[i] = id;
            try licensing.attachLicenseTerms(ipId, Addr.PIL_TEMPLATE, id) {}
            catch (bytes memory err) {
                if (Revert.selector(err) != ALREADY_ATTACHED) Revert.bubble(err);
            }
            if (licenseTermsData[i].licensingConfig.isSet) {
                licensing.setLicensingConfig(ipId, Addr.PIL_TEMPLATE, id, licenseTermsData[i].licensingConfig);
            }
        }
    }

    /// Pulls each parent's predicted fee from the caller and lets the royalty module take it from here.
    function _collectMintFees(MakeDerivative calldata d) internal {
        ILicensingModule licensing = ILicensingModule(Addr.LICENSING_MODULE);
        for (uint256 i; i < d.parentIpIds.length; i++) {
            (address token, uint256 fee) = licensing.predictMintingLicenseFee(
                d.parentIpIds[i], d.licenseTemplate, d.licenseTermsIds[i], 1, address(this), ""
            );
            if (fee == 0) continue;
            TokenOps.pull(token, msg.sender, address(this), fee);
            uint256 allowed = IERC20(token).allowance(address(this), Addr.ROYALTY_MODULE);
            TokenOps.approve(token, Addr.ROYALTY_MODULE, allowed + fee);
        }
    }

    function _makeDerivative(address ipId, MakeDerivative calldata d) internal {
        ILicensingModule(Addr.LICENSING_MODULE).registerDerivative(
            ipId,
            d.parentIpIds,
            d.licenseTermsIds,
            d.licenseTemplate,
            d.royaltyContext,
            d.maxMintingFee,
            d.maxRts,
            d.maxRevenueShare
        );
    }
}
