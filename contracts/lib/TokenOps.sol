// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {IERC20} from "./Interfaces.sol";

error TokenOps__TransferFailed(address token, address from, address to, uint256 amount);
error TokenOps__ApproveFailed(address token, address spender, uint256 amount);

/// ERC-20 calls that treat a missing or false return value as failure.
library TokenOps {
    function pull(address token, address from, address to, uint256 amount) internal {
        if (amount == 0) return;
        (bool ok, bytes memory ret) = token.call(abi.encodeCall(IERC20.transferFrom, (from, to, amount)));
        if (!ok) _bubble(ret);
        if (ret.length > 0 && !abi.decode(ret, (bool))) revert TokenOps__TransferFailed(token, from, to, amount);
    }

    function push(address token, address to, uint256 amount) internal {
        if (amount == 0) return;
        (bool ok, bytes memory ret) = token.call(abi.encodeCall(IERC20.transfer, (to, amount)));
        if (!ok) _bubble(ret);
        if (ret.length > 0 && !abi.decode(ret, (bool))) {
            revert TokenOps__TransferFailed(token, address(this), to, amount);
        }
    }

    function approve(address token, address spender, uint256 amount) internal {
        (bool ok, bytes memory ret) = token.call(abi.encodeCall(IERC20.approve, (spender, amount)));
        if (!ok) _bubble(ret);
        if (ret.length > 0 && !abi.decode(ret, (bool))) revert TokenOps__ApproveFailed(token, spender, amount);
    }

    function _bubble(bytes memory ret) private pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }
}

/// Re-raises a call's revert data unchanged, so clients decode the original custom error.
library Revert {
    function bubble(bytes memory ret) internal pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }

    function selector(bytes memory ret) internal pure returns (bytes4 sel) {
        if (ret.length < 4) return bytes4(0);
        assembly {
            sel := mload(add(ret, 32))
        }
    }
}
