// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

abstract contract ReentrancyGuard {
    bytes32 private constant LOCK_SLOT = keccak256("remix-studio.devnet.reentrancy-lock");

    error ReentrancyGuard__ReentrantCall();

    modifier nonReentrant() {
        bytes32 slot = LOCK_SLOT;
        uint256 locked;
        assembly {
            locked := tload(slot)
        }
        if (locked != 0) revert ReentrancyGuard__ReentrantCall();
        assembly {
            tstore(slot, 1)
        }
        _;
        // Cleared at the end of the call, not of the transaction, so later calls in the same tx still work.
        assembly {
            tstore(slot, 0)
        }
    }
}
