// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {IIPAccount} from "./Interfaces.sol";

/// Typed values over an IP account's two stores: strings go into the bytes store, numbers and booleans into
/// the bytes32 store, so that readers of Story's IP accounts (getBytes / getBytes32) find them where they look.
library AccountStorage {
    function setString(IIPAccount account, bytes32 key, string memory value) internal {
        account.setBytes(key, bytes(value));
    }

    function setUint256(IIPAccount account, bytes32 key, uint256 value) internal {
        account.setBytes32(key, bytes32(value));
    }

    function setBool(IIPAccount account, bytes32 key, bool value) internal {
        account.setBytes32(key, value ? bytes32(uint256(1)) : bytes32(0));
    }

    function getUint256(IIPAccount account, address namespace, bytes32 key) internal view returns (uint256) {
        return uint256(account.getBytes32(namespace_(namespace), key));
    }

    function getBool(IIPAccount account, address namespace, bytes32 key) internal view returns (bool) {
        return account.getBytes32(namespace_(namespace), key) != 0;
    }

    function namespace_(address module) internal pure returns (bytes32) {
        return bytes32(uint256(uint160(module)));
    }
}
