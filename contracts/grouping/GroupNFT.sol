// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {ERC721} from "../lib/ERC721.sol";

/// The NFT behind every group IP: the grouping module mints one per group (ids from 0) to the registrant, so
/// whoever holds the token owns the group.
contract GroupNFT is ERC721 {
    uint256 public totalSupply;

    event GroupNFTMinted(address indexed minter, address indexed receiver, uint256 indexed tokenId);

    error GroupNFT__CallerNotGroupingModule(address caller);

    function name() public pure override returns (string memory) {
        return "Programmable IP Group IP NFT";
    }

    function symbol() public pure override returns (string memory) {
        return "GroupNFT";
    }

    function mintGroupNft(address minter, address receiver) external returns (uint256 groupNftId) {
        if (msg.sender != Addr.GROUPING_MODULE) revert GroupNFT__CallerNotGroupingModule(msg.sender);
        groupNftId = totalSupply++;
        _mint(receiver, groupNftId);
        emit GroupNFTMinted(minter, receiver, groupNftId);
    }
}
