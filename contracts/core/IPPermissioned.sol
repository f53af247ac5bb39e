// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {IAccessController, IIPAssetRegistry} from "../lib/Interfaces.sol";

error Module__IpNotRegistered(address ipId);

/// Module calls that act for an IP: allowed to the IP account itself, its owner, or a permitted signer.
abstract contract IPPermissioned {
    modifier verifyPermission(address ipId) {
        _verifyPermission(ipId);
        _;
    }

    function _verifyPermission(address ipId) internal view {
        if (msg.sender == ipId) {
            if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(ipId)) revert Module__IpNotRegistered(ipId);
            return;
        }
        IAccessController(Addr.ACCESS_CONTROLLER).checkPermission(ipId, msg.sender, address(this), msg.sig);
    }
}
