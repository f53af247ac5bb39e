// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {Initializable} from "../lib/Initializable.sol";

/// The modules allowed to write into IP accounts (and to act as licensing hooks or commercializer checkers).
contract ModuleRegistry is Initializable {
    mapping(string => address) private _modules;
    mapping(address => bool) private _isModule;

    event ModuleAdded(address indexed module, string name);
    event ModuleRemoved(address indexed module, string name);

    error ModuleRegistry__NameEmpty();
    error ModuleRegistry__ModuleAddressZero();
    error ModuleRegistry__NameAlreadyRegistered();
    error ModuleRegistry__ModuleAlreadyRegistered();
    error ModuleRegistry__ModuleNotRegistered();

    function initialize() external initializer {
        _register("LICENSING_MODULE", Addr.LICENSING_MODULE);
        _register("ROYALTY_MODULE", Addr.ROYALTY_MODULE);
        _register("CORE_METADATA_MODULE", Addr.CORE_METADATA_MODULE);
        _register("GROUPING_MODULE", Addr.GROUPING_MODULE);
        _register("DISPUTE_MODULE", Addr.DISPUTE_MODULE);
    }

    function registerModule(string calldata name, address moduleAddress) external onlyAdmin {
        _register(name, moduleAddress);
    }

    function removeModule(string calldata name) external onlyAdmin {
        address module = _modules[name];
        if (module == address(0)) revert ModuleRegistry__ModuleNotRegistered();
        delete _modules[name];
        delete _isModule[module];
        emit ModuleRemoved(module, name);
    }

    function isRegistered(address moduleAddress) external view returns (bool) {
        return _isModule[moduleAddress];
    }

    function getModule(string calldata name) external view returns (address) {
        return _modules[name];
    }

    function _register(string memory name, address moduleAddress) private {
        if (bytes(name).length == 0) revert ModuleRegistry__NameEmpty();
        if (moduleAddress == address(0)) revert ModuleRegistry__ModuleAddressZero();
        if (_modules[name] != address(0)) revert ModuleRegistry__NameAlreadyRegistered();
        if (_isModule[moduleAddress]) revert ModuleRegistry__ModuleAlreadyRegistered();
        _modules[name] = moduleAddress;
        _isModule[moduleAddress] = true;
        emit ModuleAdded(moduleAddress, name);
    }
}
