// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

/// ERC-6551 token-bound account registry: one account per (implementation, salt, chainId, token), deployed with
/// CREATE2 as a minimal proxy whose runtime code carries the token it is bound to in a 128-byte footer.
contract ERC6551Registry {
    event ERC6551AccountCreated(
        address account,
        address indexed implementation,
        bytes32 salt,
        uint256 chainId,
        address indexed tokenContract,
        uint256 indexed tokenId
    );

    error AccountCreationFailed();

    function createAccount(address implementation, bytes32 salt, uint256 chainId, address tokenContract, uint256 tokenId)
        external
        returns (address)
    {
        bytes memory code = _creationCode(implementation, salt, chainId, tokenContract, tokenId);
        address predicted = _predict(code, salt);
        if (predicted.code.length != 0) return predicted;
        address created;
        assembly {
            created := create2(0, add(code, 32), mload(code), salt)
        }
        if (created == address(0)) revert AccountCreationFailed();
        emit ERC6551AccountCreated(created, implementation, salt, chainId, tokenContract, tokenId);
        return created;
    }

    function account(address implementation, bytes32 salt, uint256 chainId, address tokenContract, uint256 tokenId)
        external
        view
        returns (address)
    {
        return _predict(_creationCode(implementation, salt, chainId, tokenContract, tokenId), salt);
    }

    function _predict(bytes memory code, bytes32 salt) private view returns (address) {
        bytes32 h = keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, keccak256(code)));
        return address(uint160(uint256(h)));
    }

    /// EIP-1167 proxy (45 bytes) followed by abi.encode(salt, chainId, tokenContract, tokenId): 173 bytes of runtime.
    function _creationCode(address implementation, bytes32 salt, uint256 chainId, address tokenContract, uint256 tokenId)
        private
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(
            hex"3d60ad80600a3d3981f3363d3d373d3d3d363d73",
            implementation,
            hex"5af43d82803e903d91602b57fd5bf3",
            abi.encode(salt, chainId, tokenContract, tokenId)
        );
    }
}
