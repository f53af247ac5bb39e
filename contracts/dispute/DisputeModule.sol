// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

/// The devnet raises no disputes, so no IP is ever tagged. Clients (the Story SDK's group calls among them) ask
/// before acting; this answers them as Story would for an IP nobody has disputed.
contract DisputeModule {
    function name() external pure returns (string memory) {
        return "DISPUTE_MODULE";
    }

    function isIpTagged(address) external pure returns (bool) {
        return false;
    }
}
