// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {ERC20} from "../lib/ERC20.sol";

/// Wrapped IP: the native token as an ERC-20, one for one (the royalty currency of the devnet).
contract WIP is ERC20 {
    event Deposit(address indexed from, uint256 amount);
    event Withdrawal(address indexed to, uint256 amount);

    error WIP__ZeroAmount();
    error WIP__IPTransferFailed();

    receive() external payable {
        deposit();
    }

    function name() public pure override returns (string memory) {
        return "Wrapped IP";
    }

    function symbol() public pure override returns (string memory) {
        return "WIP";
    }

    function decimals() public pure override returns (uint8) {
        return 18;
    }

    function deposit() public payable {
        if (msg.value == 0) revert WIP__ZeroAmount();
        _mint(msg.sender, msg.value);
        emit Deposit(msg.sender, msg.value);
    }

    function withdraw(uint256 value) external {
        if (value == 0) revert WIP__ZeroAmount();
        _burn(msg.sender, value);
        (bool ok,) = msg.sender.call{value: value}("");
        if (!ok) revert WIP__IPTransferFailed();
        emit Withdrawal(msg.sender, value);
    }
}
