// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

error Clones__DeployFailed();

/// EIP-1167 minimal proxies, built from the byte layout in the EIP.
library Clones {
    function clone(address implementation) internal returns (address instance) {
        bytes memory code = creationCode(implementation);
        assembly {
            instance := create(0, add(code, 32), mload(code))
        }
        if (instance == address(0)) revert Clones__DeployFailed();
    }

    function cloneDeterministic(address implementation, bytes32 salt) internal returns (address instance) {
        bytes memory code = creationCode(implementation);
        assembly {
            instance := create2(0, add(code, 32), mload(code), salt)
        }
        if (instance == address(0)) revert Clones__DeployFailed();
    }

    /// Init code that returns the 45-byte EIP-1167 runtime delegating every call to `implementation`.
    function creationCode(address implementation) internal pure returns (bytes memory) {
        return abi.encodePacked(
            hex"3d602d80600a3d3981f3", hex"363d3d373d3d3d363d73", implementation, hex"5af43d82803e903d91602b57fd5bf3"
        );
    }
}
