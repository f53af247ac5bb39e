// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {TransientPermission} from "../lib/Structs.sol";
import {IIPAccount, IIPAssetRegistry} from "../lib/Interfaces.sol";

/// Who may act for an IP account. The owner always may; others need a permission for (signer, to, func), either
/// stored or transient (EIP-1153, gone at the end of the transaction: what workflows receive through signatures).
contract AccessController {
    uint8 internal constant ABSTAIN = 0;
    uint8 internal constant ALLOW = 1;
    uint8 internal constant DENY = 2;

    mapping(bytes32 => uint8) private _permissions;

    event PermissionSet(
        address ipAccountOwner,
        address indexed ipAccount,
        address indexed signer,
        address indexed to,
        bytes4 func,
        uint8 permission
    );
    event TransientPermissionSet(
        address ipAccountOwner,
        address indexed ipAccount,
        address indexed signer,
        address indexed to,
        bytes4 func,
        uint8 permission
    );

    error AccessController__IPAccountIsZeroAddress();
    error AccessController__IPAccountIsNotValid(address ipAccount);
    error AccessController__SignerIsZeroAddress();
    error AccessController__PermissionIsNotValid();
    error AccessController__CallerIsNotIPAccountOrOwner();
    error AccessController__PermissionDenied(address ipAccount, address signer, address to, bytes4 func);

    function setPermission(address ipAccount, address signer, address to, bytes4 func, uint8 permission) public {
        address ipOwner = _checkSetter(ipAccount, signer, permission);
        _permissions[_key(ipAccount, signer, to, func)] = permission;
        emit PermissionSet(ipOwner, ipAccount, signer, to, func, permission);
    }

    function setAllPermissions(address ipAccount, address signer, uint8 permission) external {
        setPermission(ipAccount, signer, address(0), bytes4(0), permission);
    }

    function setTransientPermission(address ipAccount, address signer, address to, bytes4 func, uint8 permission)
        public
    {
        address ipOwner = _checkSetter(ipAccount, signer, permission);
        bytes32 slot = _key(ipAccount, signer, to, func);
        assembly {
            tstore(slot, permission)
        }
        emit TransientPermissionSet(ipOwner, ipAccount, signer, to, func, permission);
    }

    function setBatchTransientPermissions(TransientPermission[] calldata permissions) external {
        for (uint256 i; i < permissions.length; i++) {
            TransientPermission calldata p = permissions[i];
            setTransientPermission(p.ipAccount, p.signer, p.to, p.func, p.permission);
        }
    }

    function getPermission(address ipAccount, address signer, address to, bytes4 func) external view returns (uint8) {
        return _permissions[_key(ipAccount, signer, to, func)];
    }

    function getTransientPermission(address ipAccount, address signer, address to, bytes4 func)
        public
        view
        returns (uint8 permission)
    {
        bytes32 slot = _key(ipAccount, signer, to, func);
        assembly {
            permission := tload(slot)
        }
    }

    /// Reverts unless `signer` may call `func` on `to` for `ipAccount`. Most specific rule first: transient,
    /// then stored (exact function, any function of `to`, anything).
    function checkPermission(address ipAccount, address signer, address to, bytes4 func) external view {
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(ipAccount)) {
            revert AccessController__IPAccountIsNotValid(ipAccount);
        }
        if (signer != address(0) && signer == IIPAccount(ipAccount).owner()) return;
        uint8 p = getTransientPermission(ipAccount, signer, to, func);
        if (p == ABSTAIN) p = _permissions[_key(ipAccount, signer, to, func)];
        if (p == ABSTAIN) p = _permissions[_key(ipAccount, signer, to, bytes4(0))];
        if (p == ABSTAIN) p = _permissions[_key(ipAccount, signer, address(0), bytes4(0))];
        if (p != ALLOW) revert AccessController__PermissionDenied(ipAccount, signer, to, func);
    }

    function _checkSetter(address ipAccount, address signer, uint8 permission) private view returns (address ipOwner) {
        if (ipAccount == address(0)) revert AccessController__IPAccountIsZeroAddress();
        if (signer == address(0)) revert AccessController__SignerIsZeroAddress();
        if (permission > DENY) revert AccessController__PermissionIsNotValid();
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(ipAccount)) {
            revert AccessController__IPAccountIsNotValid(ipAccount);
        }
        ipOwner = IIPAccount(ipAccount).owner();
        if (msg.sender != ipAccount && msg.sender != ipOwner) revert AccessController__CallerIsNotIPAccountOrOwner();
    }

    function _key(address ipAccount, address signer, address to, bytes4 func) private pure returns (bytes32) {
        return keccak256(abi.encode(ipAccount, signer, to, func));
    }
}
