// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

error Initializable__AlreadyInitialized();

/// anvil_setCode runs no constructor, so contracts with storage set it up in one initialize() call, once.
/// The account that initialises becomes the contract's admin.
abstract contract Initializable {
    bool private _initialized;
    address private _admin;

    error Admin__CallerNotAdmin(address caller);

    modifier initializer() {
        if (_initialized) revert Initializable__AlreadyInitialized();
        _initialized = true;
        _admin = msg.sender;
        _;
    }

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert Admin__CallerNotAdmin(msg.sender);
        _;
    }

    function initialized() external view returns (bool) {
        return _initialized;
    }

    function admin() public view returns (address) {
        return _admin;
    }
}
