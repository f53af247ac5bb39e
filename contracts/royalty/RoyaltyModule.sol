// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr, MAX_PERCENT} from "../lib/Addresses.sol";
import {Clones} from "../lib/Clones.sol";
import {Initializable} from "../lib/Initializable.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {Revert, TokenOps} from "../lib/TokenOps.sol";
import {
    IGroupIPAssetRegistry, IIPAssetRegistry, IIpRoyaltyVault, ILicenseRegistry, IRoyaltyPolicy
} from "../lib/Interfaces.sol";

/// Routes every royalty payment and minting fee: a treasury cut, then each royalty policy's stack share of the
/// receiver to the policy contract (ancestors pull from there), the rest to the receiver's vault.
contract RoyaltyModule is Initializable, ReentrancyGuard {
    uint32 public constant RT_SUPPLY = 100_000_000;

    mapping(address => bool) private _policies;
    mapping(address => bool) private _tokens;
    uint32 public royaltyFeePercent;
    address public treasury;
    uint256 public maxAccumulatedRoyaltyPolicies;
    mapping(address => address) public ipRoyaltyVaults;
    mapping(address => uint32) public globalRoyaltyStack;
    mapping(address => address[]) private _accumulated;
    mapping(address => mapping(address => mapping(address => uint256))) public totalRevenueTokensAccounted;

    event RoyaltyPolicyWhitelistUpdated(address royaltyPolicy, bool allowed);
    event RoyaltyTokenWhitelistUpdated(address token, bool allowed);
    event RoyaltyFeePercentSet(uint256 royaltyFeePercent);
    event TreasurySet(address treasury);
    event IpRoyaltyVaultDeployed(address ipId, address ipRoyaltyVault);
    event LicensedWithRoyalty(address ipId, address royaltyPolicy, uint32 licensePercent, bytes externalData);
    event LinkedToParents(
        address ipId,
        address[] parentIpIds,
        address[] licenseRoyaltyPolicies,
        uint32[] licensesPercent,
        bytes externalData
    );
    event RoyaltyPaid(
        address receiverIpId, address payerIpId, address sender, address token, uint256 amount, uint256 amountAfterFee
    );
    event LicenseMintingFeePaid(
        address receiverIpId, address payerAddress, address token, uint256 amount, uint256 amountAfterFee
    );

    error RoyaltyModule__NotAllowedCaller();
    error RoyaltyModule__ZeroRoyaltyPolicy();
    error RoyaltyModule__ZeroRoyaltyToken();
    error RoyaltyModule__ZeroTreasury();
    error RoyaltyModule__AboveMaxPercent();
    error RoyaltyModule__NotWhitelistedRoyaltyPolicy(address royaltyPolicy);
    error RoyaltyModule__NotWhitelistedRoyaltyToken();
    error RoyaltyModule__ZeroAmount();
    error RoyaltyModule__ReceiverIsNotRegistered(address receiverIpId);
    error RoyaltyModule__IpExpired();
    error RoyaltyModule__PaymentAmountIsTooLow();
    error RoyaltyModule__AboveAccumulatedRoyaltyPoliciesLimit();
    error RoyaltyModule__ExceedsMaxRts(uint256 rtsRequired, uint32 maxRts);
    error RoyaltyModule__IpRoyaltyVaultAlreadyDeployed(address ipId);
    error RoyaltyModule__IpIsNotRegistered(address ipId);
    error RoyaltyModule__GroupRewardPoolNotWhitelisted(address groupId, address rewardPool);

    modifier onlyLicensingModule() {
        if (msg.sender != Addr.LICENSING_MODULE) revert RoyaltyModule__NotAllowedCaller();
        _;
    }

    /// Whitelists LAP, LRP and WIP; the initialiser is admin and treasury; no fee.
    function initialize() external initializer {
        maxAccumulatedRoyaltyPolicies = 15;
        treasury = msg.sender;
        _setPolicy(Addr.ROYALTY_POLICY_LAP, true);
        _setPolicy(Addr.ROYALTY_POLICY_LRP, true);
        _setToken(Addr.WIP, true);
    }

    // --- admin ---

    function whitelistRoyaltyPolicy(address royaltyPolicy, bool allowed) external onlyAdmin {
        if (royaltyPolicy == address(0)) revert RoyaltyModule__ZeroRoyaltyPolicy();
        _setPolicy(royaltyPolicy, allowed);
    }

    function whitelistRoyaltyToken(address token, bool allowed) external onlyAdmin {
        if (token == address(0)) revert RoyaltyModule__ZeroRoyaltyToken();
        _setToken(token, allowed);
    }

    function setRoyaltyFeePercent(uint32 feePercent) external onlyAdmin {
        if (feePercent > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
        royaltyFeePercent = feePercent;
        emit RoyaltyFeePercentSet(feePercent);
    }

    function setTreasury(address newTreasury) external onlyAdmin {
        if (newTreasury == address(0)) revert RoyaltyModule__ZeroTreasury();
        treasury = newTreasury;
        emit TreasurySet(newTreasury);
    }

    // --- reads ---

    function isWhitelistedRoyaltyPolicy(address royaltyPolicy) external view returns (bool) {
        return _policies[royaltyPolicy];
    }

    function isWhitelistedRoyaltyToken(address token) external view returns (bool) {
        return _tokens[token];
    }

    function maxPercent() external pure returns (uint32) {
        return MAX_PERCENT;
    }

    function accumulatedRoyaltyPolicies(address ipId) external view returns (address[] memory) {
        return _accumulated[ipId];
    }

    function hasAncestorIp(address ipId, address ancestorIpId) external view returns (bool) {
        address[] memory ancestors = ILicenseRegistry(Addr.LICENSE_REGISTRY).getAncestors(ipId);
        for (uint256 i; i < ancestors.length; i++) {
            if (ancestors[i] == ancestorIpId) return true;
        }
        return false;
    }

    // --- vaults ---

    function deployVault(address ipId) external returns (address) {
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(ipId)) revert RoyaltyModule__IpIsNotRegistered(ipId);
        if (ipRoyaltyVaults[ipId] != address(0)) revert RoyaltyModule__IpRoyaltyVaultAlreadyDeployed(ipId);
        return _deployVault(ipId);
    }

    // --- licensing hooks ---

    function onLicenseMinting(address ipId, address royaltyPolicy, uint32 licensePercent, bytes calldata externalData)
        external
        onlyLicensingModule
        nonReentrant
    {
        if (!_policies[royaltyPolicy]) revert RoyaltyModule__NotWhitelistedRoyaltyPolicy(royaltyPolicy);
        if (licensePercent > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
        if (ipRoyaltyVaults[ipId] == address(0)) _deployVault(ipId);
        IRoyaltyPolicy(royaltyPolicy).onLicenseMinting(ipId, licensePercent, externalData);
        emit LicensedWithRoyalty(ipId, royaltyPolicy, licensePercent, externalData);
    }

    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData,
        uint32 maxRts
    ) external onlyLicensingModule nonReentrant {
        if (ipRoyaltyVaults[ipId] == address(0)) _deployVault(ipId);
        _accumulatePolicies(ipId, parentIpIds, licenseRoyaltyPolicies, licensesPercent);
        bytes memory call = abi.encodeCall(
            IRoyaltyPolicy.onLinkToParents, (ipId, parentIpIds, licenseRoyaltyPolicies, licensesPercent, externalData)
        );
        uint256 rtsRequired = _notifyPolicies(licenseRoyaltyPolicies, call);
        if (rtsRequired > maxRts) revert RoyaltyModule__ExceedsMaxRts(rtsRequired, maxRts);
        _updateGlobalStack(ipId);
        emit LinkedToParents(ipId, parentIpIds, licenseRoyaltyPolicies, licensesPercent, externalData);
    }

    // --- payments ---

    function payRoyaltyOnBehalf(address receiverIpId, address payerIpId, address token, uint256 amount)
        external
        nonReentrant
    {
        if (!_tokens[token]) revert RoyaltyModule__NotWhitelistedRoyaltyToken();
        if (amount == 0) revert RoyaltyModule__ZeroAmount();
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(receiverIpId)) {
            revert RoyaltyModule__ReceiverIsNotRegistered(receiverIpId);
        }
        if (ILicenseRegistry(Addr.LICENSE_REGISTRY).isExpiredNow(receiverIpId)) {
            revert RoyaltyModule__IpExpired();
        }
        uint256 amountAfterFee = _pay(receiverIpId, msg.sender, token, amount);
        emit RoyaltyPaid(receiverIpId, payerIpId, msg.sender, token, amount, amountAfterFee);
    }

    function payLicenseMintingFee(address receiverIpId, address payerAddress, address token, uint256 amount)
        external
        onlyLicensingModule
        nonReentrant
    {
        if (!_tokens[token]) revert RoyaltyModule__NotWhitelistedRoyaltyToken();
        if (amount == 0) revert RoyaltyModule__ZeroAmount();
        uint256 amountAfterFee = _pay(receiverIpId, payerAddress, token, amount);
        emit LicenseMintingFeePaid(receiverIpId, payerAddress, token, amount, amountAfterFee);
    }

    // --- internals ---

    function _pay(address receiverIpId, address payer, address token, uint256 amount)
        private
        returns (uint256 amountAfterFee)
    {
        // A group pool paying its members is exempt: the fee was taken when the revenue reached the group.
        uint256 fee;
        if (!IGroupIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isWhitelistedGroupRewardPool(msg.sender)) {
            fee = amount * royaltyFeePercent / MAX_PERCENT;
            if (royaltyFeePercent > 0 && fee == 0) revert RoyaltyModule__PaymentAmountIsTooLow();
            TokenOps.pull(token, payer, treasury, fee);
        }
        amountAfterFee = amount - fee;
        uint256 toVault = amountAfterFee;
        address[] storage policies = _accumulated[receiverIpId];
        for (uint256 i; i < policies.length; i++) {
            address policy = policies[i];
            if (!_policies[policy]) continue;
            uint32 stack = IRoyaltyPolicy(policy).getPolicyRoyaltyStack(receiverIpId);
            if (stack == 0) continue;
            uint256 share = amountAfterFee * stack / MAX_PERCENT;
            TokenOps.pull(token, payer, policy, share);
            toVault -= share;
            totalRevenueTokensAccounted[receiverIpId][token][policy] += amountAfterFee;
        }
        address vault = ipRoyaltyVaults[receiverIpId];
        if (vault == address(0)) vault = _deployVault(receiverIpId);
        if (toVault > 0) {
            TokenOps.pull(token, payer, vault, toVault);
            IIpRoyaltyVault(vault).updateVaultBalance(token, toVault);
        }
    }

    /// The royalty tokens go to the IP account, or for a group to its reward pool, which collects for members.
    function _deployVault(address ipId) private returns (address vault) {
        address receiver = ipId;
        IGroupIPAssetRegistry groups = IGroupIPAssetRegistry(Addr.IP_ASSET_REGISTRY);
        if (groups.isRegisteredGroup(ipId)) {
            receiver = groups.getGroupRewardPool(ipId);
            if (!groups.isWhitelistedGroupRewardPool(receiver)) {
                revert RoyaltyModule__GroupRewardPoolNotWhitelisted(ipId, receiver);
            }
        }
        vault = Clones.cloneDeterministic(Addr.IP_ROYALTY_VAULT_IMPL, bytes32(uint256(uint160(ipId))));
        IIpRoyaltyVault(vault).initialize("Royalty Token", "RT", RT_SUPPLY, ipId, receiver);
        ipRoyaltyVaults[ipId] = vault;
        emit IpRoyaltyVaultDeployed(ipId, vault);
    }

    /// A child's policies are its parents' plus the ones it links with now (at most 15 in all).
    function _accumulatePolicies(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent
    ) private {
        address[] storage acc = _accumulated[ipId];
        for (uint256 i; i < parentIpIds.length; i++) {
            address policy = licenseRoyaltyPolicies[i];
            if (!_policies[policy]) revert RoyaltyModule__NotWhitelistedRoyaltyPolicy(policy);
            if (licensesPercent[i] > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
            _addUnique(acc, policy);
            address[] storage parentPolicies = _accumulated[parentIpIds[i]];
            for (uint256 j; j < parentPolicies.length; j++) {
                _addUnique(acc, parentPolicies[j]);
            }
        }
        if (acc.length > maxAccumulatedRoyaltyPolicies) {
            revert RoyaltyModule__AboveAccumulatedRoyaltyPoliciesLimit();
        }
    }

    /// Tells each distinct policy of the link about it; returns the royalty tokens they require in all.
    function _notifyPolicies(address[] calldata licenseRoyaltyPolicies, bytes memory call)
        private
        returns (uint256 rtsRequired)
    {
        for (uint256 i; i < licenseRoyaltyPolicies.length; i++) {
            if (!_firstOccurrence(licenseRoyaltyPolicies, i)) continue;
            (bool ok, bytes memory ret) = licenseRoyaltyPolicies[i].call(call);
            if (!ok) Revert.bubble(ret);
            rtsRequired += abi.decode(ret, (uint32));
        }
    }

    function _updateGlobalStack(address ipId) private {
        uint256 stack;
        address[] storage policies = _accumulated[ipId];
        for (uint256 i; i < policies.length; i++) {
            stack += IRoyaltyPolicy(policies[i]).getPolicyRoyaltyStack(ipId);
        }
        if (stack > MAX_PERCENT) revert RoyaltyModule__AboveMaxPercent();
        globalRoyaltyStack[ipId] = uint32(stack);
    }

    function _addUnique(address[] storage list, address item) private {
        for (uint256 i; i < list.length; i++) {
            if (list[i] == item) return;
        }
        list.push(item);
    }

    function _firstOccurrence(address[] calldata list, uint256 index) private pure returns (bool) {
        for (uint256 i; i < index; i++) {
            if (list[i] == list[index]) return false;
        }
        return true;
    }

    function _setPolicy(address royaltyPolicy, bool allowed) private {
        _policies[royaltyPolicy] = allowed;
        emit RoyaltyPolicyWhitelistUpdated(royaltyPolicy, allowed);
    }

    function _setToken(address token, bool allowed) private {
        _tokens[token] = allowed;
        emit RoyaltyTokenWhitelistUpdated(token, allowed);
    }
}
