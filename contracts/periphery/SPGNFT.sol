// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {SPGInitParams} from "../lib/Structs.sol";
import {ERC721} from "../lib/ERC721.sol";
import {IERC20} from "../lib/Interfaces.sol";
import {TokenOps} from "../lib/TokenOps.sol";

/// An NFT collection for IP assets (one minimal proxy per collection, created by RegistrationWorkflows):
/// admin and minter roles, an optional mint fee in an ERC-20, open/closed and public minting, a per-token URI
/// and duplicate detection by metadata hash.
contract SPGNFT is ERC721 {
    bytes32 public constant DEFAULT_ADMIN_ROLE = bytes32(0);
    bytes32 public constant MINTER_ROLE = bytes32(uint256(1));

    bool private _initialized;
    string private _baseURIValue;
    string private _contractURIValue;
    uint32 public maxSupply;
    uint256 public totalSupply;
    uint256 public mintFee;
    address public mintFeeToken;
    address public mintFeeRecipient;
    bool public mintOpen;
    bool public publicMinting;
    mapping(uint256 => string) private _tokenURIs;
    mapping(bytes32 => uint256) private _tokenIdByMetadataHash;
    mapping(bytes32 => mapping(address => bool)) private _roles;

    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    event MetadataUpdate(uint256 _tokenId);
    event ContractURIUpdated();

    error SPGNFT__AlreadyInitialized();
    error SPGNFT__ZeroAddressParam();
    error SPGNFT__ZeroMaxSupply();
    error SPGNFT__MaxSupplyReached();
    error SPGNFT__MintingClosed();
    error SPGNFT__MintingDenied();
    error SPGNFT__CallerNotPeripheryContract();
    error SPGNFT__CallerNotFeeRecipientOrAdmin();
    error SPGNFT__CallerNotTokenOwner(uint256 tokenId);
    error SPGNFT__DuplicatedNFTMetadataHash(address spgNftContract, uint256 tokenId, bytes32 nftMetadataHash);
    error AccessControlUnauthorizedAccount(address account, bytes32 neededRole);

    modifier onlyRole(bytes32 role) {
        if (!_roles[role][msg.sender]) revert AccessControlUnauthorizedAccount(msg.sender, role);
        _;
    }

    function initialize(SPGInitParams calldata p) external {
        if (_initialized) revert SPGNFT__AlreadyInitialized();
        if (p.owner == address(0) || (p.mintFee > 0 && p.mintFeeToken == address(0))) revert SPGNFT__ZeroAddressParam();
        if (p.maxSupply == 0) revert SPGNFT__ZeroMaxSupply();
        _initialized = true;
        _name = p.name;
        _symbol = p.symbol;
        _baseURIValue = p.baseURI;
        _contractURIValue = p.contractURI;
        maxSupply = p.maxSupply;
        mintFee = p.mintFee;
        mintFeeToken = p.mintFeeToken;
        mintFeeRecipient = p.mintFeeRecipient;
        mintOpen = p.mintOpen;
        publicMinting = p.isPublicMinting;
        _grant(DEFAULT_ADMIN_ROLE, p.owner);
        _grant(MINTER_ROLE, p.owner);
    }

    // --- minting ---

    function mint(address to, string calldata nftMetadataURI, bytes32 nftMetadataHash, bool allowDuplicates)
        external
        returns (uint256 tokenId)
    {
        if (!publicMinting && !_roles[MINTER_ROLE][msg.sender]) revert SPGNFT__MintingDenied();
        return _mintToken(to, msg.sender, nftMetadataURI, nftMetadataHash, allowDuplicates);
    }

    /// For the workflows: they check the caller's minter role themselves and pass the user as the payer.
    function mintByPeriphery(
        address to,
        address payer,
        string calldata nftMetadataURI,
        bytes32 nftMetadataHash,
        bool allowDuplicates
    ) external returns (uint256 tokenId) {
        if (
            msg.sender != Addr.REGISTRATION_WORKFLOWS && msg.sender != Addr.LICENSE_ATTACHMENT_WORKFLOWS
                && msg.sender != Addr.DERIVATIVE_WORKFLOWS && msg.sender != Addr.ROYALTY_TOKEN_DISTRIBUTION_WORKFLOWS
                && msg.sender != Addr.GROUPING_WORKFLOWS
        ) revert SPGNFT__CallerNotPeripheryContract();
        return _mintToken(to, payer, nftMetadataURI, nftMetadataHash, allowDuplicates);
    }

    function _mintToken(
        address to,
        address payer,
        string calldata nftMetadataURI,
        bytes32 nftMetadataHash,
        bool allowDuplicates
    ) private returns (uint256 tokenId) {
        if (!mintOpen) revert SPGNFT__MintingClosed();
        if (totalSupply >= maxSupply) revert SPGNFT__MaxSupplyReached();
        if (nftMetadataHash != bytes32(0)) {
            uint256 existing = _tokenIdByMetadataHash[nftMetadataHash];
            if (!allowDuplicates && existing != 0) {
                revert SPGNFT__DuplicatedNFTMetadataHash(address(this), existing, nftMetadataHash);
            }
        }
        if (mintFee > 0) TokenOps.pull(mintFeeToken, payer, address(this), mintFee);
        tokenId = ++totalSupply;
        if (nftMetadataHash != bytes32(0) && _tokenIdByMetadataHash[nftMetadataHash] == 0) {
            _tokenIdByMetadataHash[nftMetadataHash] = tokenId;
        }
        _tokenURIs[tokenId] = nftMetadataURI;
        _mint(to, tokenId);
        emit MetadataUpdate(tokenId);
    }

    // --- metadata ---

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        return string.concat(_baseURIValue, _tokenURIs[tokenId]);
    }

    function baseURI() external view returns (string memory) {
        return _baseURIValue;
    }

    function contractURI() external view returns (string memory) {
        return _contractURIValue;
    }

    function setTokenURI(uint256 tokenId, string calldata tokenUri) external {
        if (ownerOf(tokenId) != msg.sender) revert SPGNFT__CallerNotTokenOwner(tokenId);
        _tokenURIs[tokenId] = tokenUri;
        emit MetadataUpdate(tokenId);
    }

    function setBaseURI(string calldata newBaseURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _baseURIValue = newBaseURI;
    }

    function setContractURI(string calldata newContractURI) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _contractURIValue = newContractURI;
        emit ContractURIUpdated();
    }

    // --- settings and fees ---

    function setMintFee(uint256 fee) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (fee > 0 && mintFeeToken == address(0)) revert SPGNFT__ZeroAddressParam();
        mintFee = fee;
    }

    function setMintFeeToken(address token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token == address(0) && mintFee > 0) revert SPGNFT__ZeroAddressParam();
        mintFeeToken = token;
    }

    function setMintFeeRecipient(address recipient) external {
        if (msg.sender != mintFeeRecipient && !_roles[DEFAULT_ADMIN_ROLE][msg.sender]) {
            revert SPGNFT__CallerNotFeeRecipientOrAdmin();
        }
        mintFeeRecipient = recipient;
    }

    function setMintOpen(bool open) external onlyRole(DEFAULT_ADMIN_ROLE) {
        mintOpen = open;
    }

    function setPublicMinting(bool isPublic) external onlyRole(DEFAULT_ADMIN_ROLE) {
        publicMinting = isPublic;
    }

    /// Sends the collected mint fees in `token` to the fee recipient.
    function withdrawToken(address token) external {
        TokenOps.push(token, mintFeeRecipient, IERC20(token).balanceOf(address(this)));
    }

    // --- roles ---

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[role][account];
    }

    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _grant(role, account);
    }

    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_roles[role][account]) {
            _roles[role][account] = false;
            emit RoleRevoked(role, account, msg.sender);
        }
    }

    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == 0x49064906 || interfaceId == 0x7965db0b || super.supportsInterface(interfaceId);
    }

    function _grant(bytes32 role, address account) private {
        if (!_roles[role][account]) {
            _roles[role][account] = true;
            emit RoleGranted(role, account, msg.sender);
        }
    }
}
