// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IPMetadata, SignatureData, SPGInitParams, TransientPermission} from "../lib/Structs.sol";
import {Clones} from "../lib/Clones.sol";
import {ISPGNFT} from "../lib/Interfaces.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Creates collections and registers IP assets, minting the NFT first or from an NFT the caller owns.
contract RegistrationWorkflows is WorkflowBase {
    event CollectionCreated(address indexed spgNftContract);

    function createCollection(SPGInitParams calldata spgNftInitParams) external returns (address spgNftContract) {
        spgNftContract = Clones.clone(Addr.SPG_NFT_IMPL);
        ISPGNFT(spgNftContract).initialize(spgNftInitParams);
        emit CollectionCreated(spgNftContract);
    }

    function mintAndRegisterIp(
        address spgNftContract,
        address recipient,
        IPMetadata calldata ipMetadata,
        bool allowDuplicates
    ) external onlyMintAuthorized(spgNftContract) returns (address ipId, uint256 tokenId) {
        tokenId = _mintToSelf(spgNftContract, ipMetadata, allowDuplicates);
        ipId = _register(spgNftContract, tokenId);
        _setMetadata(ipId, ipMetadata);
        _transferOut(spgNftContract, tokenId, recipient);
    }

    /// The owner signs a transient permission for this workflow to set the metadata.
    function registerIp(
        address nftContract,
        uint256 tokenId,
        IPMetadata calldata ipMetadata,
        SignatureData calldata sigMetadata
    ) external returns (address ipId) {
        ipId = _register(nftContract, tokenId);
        if (bytes(ipMetadata.ipMetadataURI).length == 0 && ipMetadata.ipMetadataHash == 0 && ipMetadata.nftMetadataHash == 0)
        {
            return ipId;
        }
        TransientPermission[] memory permissions = new TransientPermission[](1);
        permissions[0] = _permission(ipId, Addr.CORE_METADATA_MODULE, SET_ALL);
        _grantWithSig(ipId, permissions, sigMetadata);
        _setMetadata(ipId, ipMetadata);
    }
}
