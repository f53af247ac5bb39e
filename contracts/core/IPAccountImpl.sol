// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {Call} from "../lib/Structs.sol";
import {IAccessController, IERC721, IModuleRegistry} from "../lib/Interfaces.sol";
import {Revert} from "../lib/TokenOps.sol";

/// The account of one IP asset: an ERC-6551 token-bound account owned by whoever owns the NFT. Modules act on the
/// IP through it (execute), and it keeps per-module key/value metadata (name, URIs, expiry) the way Story's IP
/// accounts do: two stores, `bytes` and `bytes32`, each keyed by a namespace (the writing module's address,
/// left-padded to bytes32) and a key. Strings are stored as bytes; numbers, booleans and hashes as bytes32.
contract IPAccountImpl {
    bytes32 public state;
    mapping(bytes32 => mapping(bytes32 => bytes)) public bytesData;
    mapping(bytes32 => mapping(bytes32 => bytes32)) public bytes32Data;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant EXECUTE_TYPEHASH =
        keccak256("Execute(address to,uint256 value,bytes data,bytes32 nonce,uint256 deadline)");
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    event Executed(address indexed to, uint256 value, bytes data, bytes32 nonce);
    event ExecutedWithSig(
        address indexed to,
        uint256 value,
        bytes data,
        bytes32 nonce,
        uint256 deadline,
        address indexed signer,
        bytes signature
    );

    error IPAccount__InvalidSigner();
    error IPAccount__InvalidSignature();
    error IPAccount__ExpiredSignature();
    error IPAccount__InvalidCalldata();
    error IPAccount__InvalidOperation();
    error IPAccount__EmptyBatch();
    error IPAccountStorage__NotRegisteredModule(address module);
    error IPAccountStorage__InvalidBatchLengths();

    receive() external payable {}

    function token() public view returns (uint256 chainId, address tokenContract, uint256 tokenId) {
        bytes memory footer = new bytes(96);
        assembly {
            extcodecopy(address(), add(footer, 32), 0x4d, 96)
        }
        return abi.decode(footer, (uint256, address, uint256));
    }

    function owner() public view returns (address) {
        (uint256 chainId, address tokenContract, uint256 tokenId) = token();
        if (chainId != block.chainid || tokenContract.code.length == 0) return address(0);
        try IERC721(tokenContract).ownerOf(tokenId) returns (address o) {
            return o;
        } catch {
            return address(0);
        }
    }

    /// ERC-6551: `data` is abi.encode(to, calldata) of the intended call.
    function isValidSigner(address signer, bytes calldata data) external view returns (bytes4) {
        (address to, bytes memory callData) = abi.decode(data, (address, bytes));
        return _isValidSigner(signer, to, callData) ? this.isValidSigner.selector : bytes4(0);
    }

    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        return _executeChecked(to, value, data);
    }

    function execute(address to, uint256 value, bytes calldata data, uint8 operation)
        external
        payable
        returns (bytes memory)
    {
        if (operation != 0) revert IPAccount__InvalidOperation();
        return _executeChecked(to, value, data);
    }

    function executeBatch(Call[] calldata calls, uint8 operation) external payable returns (bytes[] memory results) {
        if (operation != 0) revert IPAccount__InvalidOperation();
        if (calls.length == 0) revert IPAccount__EmptyBatch();
        results = new bytes[](calls.length);
        for (uint256 i; i < calls.length; i++) {
            results[i] = _executeChecked(calls[i].target, calls[i].value, calls[i].data);
        }
    }

    function executeWithSig(
        address to,
        uint256 value,
        bytes calldata data,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external payable returns (bytes memory result) {
        if (signer == address(0)) revert IPAccount__InvalidSigner();
        if (deadline < block.timestamp) revert IPAccount__ExpiredSignature();
        bytes32 nonce = _nextState(to, value, data);
        bytes32 structHash = keccak256(abi.encode(EXECUTE_TYPEHASH, to, value, keccak256(data), nonce, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", _domainSeparator(), structHash));
        if (!_signatureValid(signer, digest, signature)) revert IPAccount__InvalidSignature();
        if (!_isValidSigner(signer, to, data)) revert IPAccount__InvalidSigner();
        state = nonce;
        result = _call(to, value, data);
        emit ExecutedWithSig(to, value, data, nonce, deadline, signer, signature);
    }

    // --- per-module metadata (namespace = the writing module) ---

    function setBytes(bytes32 key, bytes calldata value) external {
        _onlyModule();
        bytesData[_namespace(msg.sender)][key] = value;
    }

    function setBytesBatch(bytes32[] calldata keys, bytes[] calldata values) external {
        _onlyModule();
        if (keys.length != values.length) revert IPAccountStorage__InvalidBatchLengths();
        for (uint256 i; i < keys.length; i++) {
            bytesData[_namespace(msg.sender)][keys[i]] = values[i];
        }
    }

    function setBytes32(bytes32 key, bytes32 value) external {
        _onlyModule();
        bytes32Data[_namespace(msg.sender)][key] = value;
    }

    function setBytes32Batch(bytes32[] calldata keys, bytes32[] calldata values) external {
        _onlyModule();
        if (keys.length != values.length) revert IPAccountStorage__InvalidBatchLengths();
        for (uint256 i; i < keys.length; i++) {
            bytes32Data[_namespace(msg.sender)][keys[i]] = values[i];
        }
    }

    function getBytes(bytes32 key) external view returns (bytes memory) {
        return bytesData[_namespace(msg.sender)][key];
    }

    function getBytes(bytes32 namespace, bytes32 key) external view returns (bytes memory) {
        return bytesData[namespace][key];
    }

    function getBytes32(bytes32 key) external view returns (bytes32) {
        return bytes32Data[_namespace(msg.sender)][key];
    }

    function getBytes32(bytes32 namespace, bytes32 key) external view returns (bytes32) {
        return bytes32Data[namespace][key];
    }

    function getBytesBatch(bytes32[] calldata namespaces, bytes32[] calldata keys)
        external
        view
        returns (bytes[] memory values)
    {
        if (namespaces.length != keys.length) revert IPAccountStorage__InvalidBatchLengths();
        values = new bytes[](keys.length);
        for (uint256 i; i < keys.length; i++) {
            values[i] = bytesData[namespaces[i]][keys[i]];
        }
    }

    function getBytes32Batch(bytes32[] calldata namespaces, bytes32[] calldata keys)
        external
        view
        returns (bytes32[] memory values)
    {
        if (namespaces.length != keys.length) revert IPAccountStorage__InvalidBatchLengths();
        values = new bytes32[](keys.length);
        for (uint256 i; i < keys.length; i++) {
            values[i] = bytes32Data[namespaces[i]][keys[i]];
        }
    }

    // --- receiving tokens ---

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x6faff5f1 // ERC-6551 account
            || interfaceId == 0x150b7a02; // ERC-721 receiver
    }

    // --- internals ---

    function _executeChecked(address to, uint256 value, bytes calldata data) private returns (bytes memory result) {
        if (!_isValidSigner(msg.sender, to, data)) revert IPAccount__InvalidSigner();
        bytes32 nonce = _nextState(to, value, data);
        state = nonce;
        result = _call(to, value, data);
        emit Executed(to, value, data, nonce);
    }

    /// The state chain that signatures commit to: each execution hashes the previous state with the call, in
    /// the encoding of execute(address,uint256,bytes), whichever entry point ran it.
    function _nextState(address to, uint256 value, bytes calldata data) private view returns (bytes32) {
        return keccak256(abi.encode(state, abi.encodeWithSignature("execute(address,uint256,bytes)", to, value, data)));
    }

    function _isValidSigner(address signer, address to, bytes memory data) private view returns (bool) {
        if (data.length > 0 && data.length < 4) revert IPAccount__InvalidCalldata();
        bytes4 selector;
        if (data.length >= 4) {
            assembly {
                selector := mload(add(data, 32))
            }
        }
        try IAccessController(Addr.ACCESS_CONTROLLER).checkPermission(address(this), signer, to, selector) {
            return true;
        } catch {
            return false;
        }
    }

    function _call(address to, uint256 value, bytes calldata data) private returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) Revert.bubble(ret);
        return ret;
    }

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256("Story Protocol IP Account"), keccak256("1"), block.chainid, address(this)
            )
        );
    }

    function _signatureValid(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        if (signer.code.length > 0) {
            (bool ok, bytes memory ret) =
                signer.staticcall(abi.encodeWithSignature("isValidSignature(bytes32,bytes)", digest, signature));
            return ok && ret.length >= 32 && abi.decode(ret, (bytes4)) == 0x1626ba7e;
        }
        if (signature.length != 65) return false;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27;
        if (uint256(s) > HALF_ORDER) return false;
        address recovered = ecrecover(digest, v, r, s);
        return recovered != address(0) && recovered == signer;
    }

    function _namespace(address module) private pure returns (bytes32) {
        return bytes32(uint256(uint160(module)));
    }

    function _onlyModule() private view {
        if (
            msg.sender != Addr.IP_ASSET_REGISTRY && msg.sender != Addr.LICENSE_REGISTRY
                && !IModuleRegistry(Addr.MODULE_REGISTRY).isRegistered(msg.sender)
        ) revert IPAccountStorage__NotRegisteredModule(msg.sender);
    }
}
