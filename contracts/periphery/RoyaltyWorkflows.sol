// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {ClaimRevenueData} from "../lib/Structs.sol";
import {IIpRoyaltyVault, IRoyaltyModule, IRoyaltyPolicy} from "../lib/Interfaces.sol";
import {Revert} from "../lib/TokenOps.sol";
import {WorkflowBase} from "./WorkflowBase.sol";

/// Claims an ancestor's revenue in one call: moves what each child owes it from the royalty policies into its
/// vault (nothing due is not an error), then claims every listed currency from the vault for the claimer.
contract RoyaltyWorkflows is WorkflowBase {
    bytes4 private constant LAP_ZERO = bytes4(keccak256("RoyaltyPolicyLAP__ZeroClaimableRoyalty()"));
    bytes4 private constant LRP_ZERO = bytes4(keccak256("RoyaltyPolicyLRP__ZeroClaimableRoyalty()"));

    error RoyaltyWorkflows__InvalidInput();
    error RoyaltyWorkflows__NoRoyaltyVault(address ipId);

    function claimAllRevenue(address ancestorIpId, address claimer, ClaimRevenueData[] calldata claimRevenueData)
        external
        returns (uint256[] memory amountsClaimed)
    {
        address[] memory currencies = new address[](claimRevenueData.length);
        for (uint256 i; i < claimRevenueData.length; i++) {
            ClaimRevenueData calldata d = claimRevenueData[i];
            _transferToVault(d.royaltyPolicy, d.childIpId, ancestorIpId, d.currencyToken);
            currencies[i] = d.currencyToken;
        }
        return _claim(ancestorIpId, claimer, currencies);
    }

    /// Older form: each child with its policy, for every listed currency.
    function claimAllRevenue(
        address ancestorIpId,
        address claimer,
        address[] calldata childIpIds,
        address[] calldata royaltyPolicies,
        address[] calldata currencyTokens
    ) external returns (uint256[] memory amountsClaimed) {
        if (childIpIds.length != royaltyPolicies.length || currencyTokens.length == 0) {
            revert RoyaltyWorkflows__InvalidInput();
        }
        for (uint256 i; i < childIpIds.length; i++) {
            for (uint256 j; j < currencyTokens.length; j++) {
                _transferToVault(royaltyPolicies[i], childIpIds[i], ancestorIpId, currencyTokens[j]);
            }
        }
        return _claim(ancestorIpId, claimer, currencyTokens);
    }

    function _transferToVault(address policy, address childIpId, address ancestorIpId, address token) private {
        try IRoyaltyPolicy(policy).transferToVault(childIpId, ancestorIpId, token) {}
        catch (bytes memory err) {
            bytes4 sel = Revert.selector(err);
            if (sel != LAP_ZERO && sel != LRP_ZERO) Revert.bubble(err);
        }
    }

    function _claim(address ancestorIpId, address claimer, address[] memory currencies)
        private
        returns (uint256[] memory)
    {
        address vault = IRoyaltyModule(Addr.ROYALTY_MODULE).ipRoyaltyVaults(ancestorIpId);
        if (vault == address(0)) revert RoyaltyWorkflows__NoRoyaltyVault(ancestorIpId);
        return IIpRoyaltyVault(vault).claimRevenueOnBehalfByTokenBatch(claimer, _unique(currencies));
    }

    function _unique(address[] memory list) private pure returns (address[] memory out) {
        out = new address[](list.length);
        uint256 n;
        for (uint256 i; i < list.length; i++) {
            bool seen;
            for (uint256 j; j < n; j++) {
                if (out[j] == list[i]) seen = true;
            }
            if (!seen) out[n++] = list[i];
        }
        assembly {
            mstore(out, n)
        }
    }
}
