// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {AccountStorage} from "../lib/AccountStorage.sol";
import {Addr} from "../lib/Addresses.sol";
import {IERC165, IERC721, IERC721Metadata, IERC6551Registry, IIPAccount} from "../lib/Interfaces.sol";
import {Strings} from "../lib/Strings.sol";
import {GroupIPAssetRegistry} from "./GroupIPAssetRegistry.sol";

/// Registers an ERC-721 token as an IP asset: creates its token-bound IP account at a deterministic address and
/// records the registration. Anyone may register any NFT; the IP belongs to whoever owns the token. Group IPs
/// are registered here too, by the grouping module (see GroupIPAssetRegistry).
contract IPAssetRegistry is GroupIPAssetRegistry {
    using AccountStorage for IIPAccount;

    mapping(address => bool) private _registered;
    uint256 public totalSupply;

    event IPRegistered(
        address ipId,
        uint256 indexed chainId,
        address indexed tokenContract,
        uint256 indexed tokenId,
        string name,
        string uri,
        uint256 registrationDate
    );
    event IPAccountRegistered(
        address indexed account,
        address indexed implementation,
        uint256 indexed chainId,
        address tokenContract,
        uint256 tokenId
    );

    error IPAssetRegistry__AlreadyRegistered();
    error IPAssetRegistry__UnsupportedChainId(uint256 chainId);
    error IPAssetRegistry__UnsupportedIERC721(address tokenContract);
    error IPAssetRegistry__InvalidToken(address tokenContract, uint256 tokenId);

    function register(uint256 chainid, address tokenContract, uint256 tokenId) external returns (address) {
        return _register(chainid, tokenContract, tokenId);
    }

    function _register(uint256 chainid, address tokenContract, uint256 tokenId)
        internal
        override
        returns (address id)
    {
        if (chainid != block.chainid) revert IPAssetRegistry__UnsupportedChainId(chainid);
        if (tokenContract.code.length == 0 || !_supportsErc721(tokenContract)) {
            revert IPAssetRegistry__UnsupportedIERC721(tokenContract);
        }
        try IERC721(tokenContract).ownerOf(tokenId) returns (address o) {
            if (o == address(0)) revert IPAssetRegistry__InvalidToken(tokenContract, tokenId);
        } catch {
            revert IPAssetRegistry__InvalidToken(tokenContract, tokenId);
        }
        id = IERC6551Registry(Addr.ERC6551_REGISTRY).createAccount(
            Addr.IP_ACCOUNT_IMPL, bytes32(0), chainid, tokenContract, tokenId
        );
        if (_registered[id]) revert IPAssetRegistry__AlreadyRegistered();
        _registered[id] = true;
        totalSupply++;

        string memory name = _name(chainid, tokenContract, tokenId);
        string memory uri = _uri(tokenContract, tokenId);
        IIPAccount(id).setString("NAME", name);
        IIPAccount(id).setString("URI", uri);
        IIPAccount(id).setUint256("REGISTRATION_DATE", block.timestamp);

        emit IPAccountRegistered(id, Addr.IP_ACCOUNT_IMPL, chainid, tokenContract, tokenId);
        emit IPRegistered(id, chainid, tokenContract, tokenId, name, uri, block.timestamp);
    }

    function ipId(uint256 chainId, address tokenContract, uint256 tokenId) external view returns (address) {
        return IERC6551Registry(Addr.ERC6551_REGISTRY).account(
            Addr.IP_ACCOUNT_IMPL, bytes32(0), chainId, tokenContract, tokenId
        );
    }

    function isRegistered(address id) external view returns (bool) {
        return _registered[id];
    }

    function _isRegistered(address id) internal view override returns (bool) {
        return _registered[id];
    }

    function getIPAccountImpl() external pure returns (address) {
        return Addr.IP_ACCOUNT_IMPL;
    }

    function _supportsErc721(address tokenContract) private view returns (bool) {
        try IERC165(tokenContract).supportsInterface(0x80ac58cd) returns (bool ok) {
            return ok;
        } catch {
            return false;
        }
    }

    function _name(uint256 chainid, address tokenContract, uint256 tokenId) private view returns (string memory) {
        string memory collection = "";
        try IERC721Metadata(tokenContract).name() returns (string memory n) {
            collection = n;
        } catch {}
        return string.concat(Strings.toString(chainid), ": ", collection, " #", Strings.toString(tokenId));
    }

    function _uri(address tokenContract, uint256 tokenId) private view returns (string memory uri) {
        try IERC721Metadata(tokenContract).tokenURI(tokenId) returns (string memory u) {
            uri = u;
        } catch {}
    }
}
