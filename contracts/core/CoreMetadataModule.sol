// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {AccountStorage} from "../lib/AccountStorage.sol";
import {IPPermissioned} from "./IPPermissioned.sol";
import {IERC721Metadata, IIPAccount} from "../lib/Interfaces.sol";

/// Writes an IP's metadata URI/hash and a copy of its NFT's tokenURI into the IP account; can freeze them.
contract CoreMetadataModule is IPPermissioned {
    using AccountStorage for IIPAccount;

    event MetadataURISet(address indexed ipId, string metadataURI, bytes32 metadataHash);
    event NFTTokenURISet(address indexed ipId, string nftTokenURI, bytes32 nftMetadataHash);
    event MetadataFrozen(address indexed ipId);

    error CoreMetadataModule__MetadataAlreadyFrozen();

    function name() external pure returns (string memory) {
        return "CORE_METADATA_MODULE";
    }

    function setAll(address ipId, string calldata metadataURI, bytes32 metadataHash, bytes32 nftMetadataHash)
        external
        verifyPermission(ipId)
    {
        _notFrozen(ipId);
        _setMetadataURI(ipId, metadataURI, metadataHash);
        _updateNftTokenURI(ipId, nftMetadataHash);
    }

    function setMetadataURI(address ipId, string calldata metadataURI, bytes32 metadataHash)
        external
        verifyPermission(ipId)
    {
        _notFrozen(ipId);
        _setMetadataURI(ipId, metadataURI, metadataHash);
    }

    function updateNftTokenURI(address ipId, bytes32 nftMetadataHash) external verifyPermission(ipId) {
        _notFrozen(ipId);
        _updateNftTokenURI(ipId, nftMetadataHash);
    }

    function freezeMetadata(address ipId) external verifyPermission(ipId) {
        IIPAccount(ipId).setBool("IMMUTABLE", true);
        emit MetadataFrozen(ipId);
    }

    function isMetadataFrozen(address ipId) public view returns (bool) {
        return IIPAccount(ipId).getBool(address(this), "IMMUTABLE");
    }

    function _notFrozen(address ipId) private view {
        if (isMetadataFrozen(ipId)) revert CoreMetadataModule__MetadataAlreadyFrozen();
    }

    function _setMetadataURI(address ipId, string calldata metadataURI, bytes32 metadataHash) private {
        IIPAccount(ipId).setString("METADATA_URI", metadataURI);
        IIPAccount(ipId).setBytes32("METADATA_HASH", metadataHash);
        emit MetadataURISet(ipId, metadataURI, metadataHash);
    }

    function _updateNftTokenURI(address ipId, bytes32 nftMetadataHash) private {
        (, address tokenContract, uint256 tokenId) = IIPAccount(ipId).token();
        string memory uri = IERC721Metadata(tokenContract).tokenURI(tokenId);
        IIPAccount(ipId).setString("NFT_TOKEN_URI", uri);
        IIPAccount(ipId).setBytes32("NFT_METADATA_HASH", nftMetadataHash);
        emit NFTTokenURISet(ipId, uri, nftMetadataHash);
    }
}
