// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {ERC20} from "../lib/ERC20.sol";
import {IRoyaltyModule} from "../lib/Interfaces.sol";
import {TokenOps} from "../lib/TokenOps.sol";

/// One IP's royalty vault and its Royalty Tokens (RT, 6 decimals). Revenue added to the vault is claimable by
/// RT holders pro rata: claimable = accumulated * balance / supply - debt; transfers move the debt with the
/// tokens, so revenue earned before a transfer stays with the sender.
contract IpRoyaltyVault is ERC20 {
    address public ipId;
    bool private _initialized;
    address[] private _tokens;
    mapping(address => bool) private _knownToken;
    mapping(address => uint256) private _accumulated;
    mapping(address => mapping(address => int256)) private _debt;

    event RevenueTokenAddedToVault(address token, uint256 amount);
    event RevenueTokenClaimed(address claimer, address token, uint256 amount);

    error IpRoyaltyVault__AlreadyInitialized();
    error IpRoyaltyVault__NotAllowedCaller();
    error IpRoyaltyVault__NotAllowedToAddTokenToVault();
    error IpRoyaltyVault__NotWhitelistedRoyaltyToken();
    error IpRoyaltyVault__ZeroAmount();
    error IpRoyaltyVault__NoClaimableTokens();

    function initialize(
        string calldata name_,
        string calldata symbol_,
        uint32 supply,
        address ipIdAddress,
        address rtsRecipient
    ) external {
        if (msg.sender != Addr.ROYALTY_MODULE) revert IpRoyaltyVault__NotAllowedCaller();
        if (_initialized) revert IpRoyaltyVault__AlreadyInitialized();
        _initialized = true;
        _name = name_;
        _symbol = symbol_;
        ipId = ipIdAddress;
        _mint(rtsRecipient, supply);
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function tokens() external view returns (address[] memory) {
        return _tokens;
    }

    /// Called by the royalty module and the royalty policies right after they transfer `amount` in.
    function updateVaultBalance(address token, uint256 amount) external {
        IRoyaltyModule royalty = IRoyaltyModule(Addr.ROYALTY_MODULE);
        if (msg.sender != Addr.ROYALTY_MODULE && !royalty.isWhitelistedRoyaltyPolicy(msg.sender)) {
            revert IpRoyaltyVault__NotAllowedToAddTokenToVault();
        }
        if (!royalty.isWhitelistedRoyaltyToken(token)) revert IpRoyaltyVault__NotWhitelistedRoyaltyToken();
        if (amount == 0) revert IpRoyaltyVault__ZeroAmount();
        if (!_knownToken[token]) {
            _knownToken[token] = true;
            _tokens.push(token);
        }
        _accumulated[token] += amount;
        emit RevenueTokenAddedToVault(token, amount);
    }

    function claimableRevenue(address claimer, address token) public view returns (uint256) {
        if (totalSupply == 0) return 0;
        int256 due = int256(_accumulated[token] * balanceOf[claimer] / totalSupply) - _debt[token][claimer];
        return due > 0 ? uint256(due) : 0;
    }

    function claimRevenueOnBehalf(address claimer, address token) external returns (uint256 amount) {
        amount = _claim(claimer, token);
        if (amount == 0) revert IpRoyaltyVault__NoClaimableTokens();
    }

    /// Claims each listed token for `claimer`; tokens with nothing due are skipped, all-empty reverts.
    function claimRevenueOnBehalfByTokenBatch(address claimer, address[] calldata tokenList)
        external
        returns (uint256[] memory amounts)
    {
        amounts = new uint256[](tokenList.length);
        uint256 total;
        for (uint256 i; i < tokenList.length; i++) {
            amounts[i] = _claim(claimer, tokenList[i]);
            total += amounts[i];
        }
        if (total == 0) revert IpRoyaltyVault__NoClaimableTokens();
    }

    function _claim(address claimer, address token) private returns (uint256 amount) {
        amount = claimableRevenue(claimer, token);
        if (amount == 0) return 0;
        _debt[token][claimer] += int256(amount);
        TokenOps.push(token, claimer, amount);
        emit RevenueTokenClaimed(claimer, token, amount);
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (from != address(0) && to != address(0)) {
            for (uint256 i; i < _tokens.length; i++) {
                address token = _tokens[i];
                int256 moved = int256(_accumulated[token] * amount / totalSupply);
                _debt[token][from] -= moved;
                _debt[token][to] += moved;
            }
        }
        super._update(from, to, amount);
    }
}
