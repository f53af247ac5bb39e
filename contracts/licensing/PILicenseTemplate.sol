// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {PILTerms} from "../lib/Structs.sol";
import {Initializable} from "../lib/Initializable.sol";
import {IERC165, ILicenseRegistry, IModuleRegistry, IRoyaltyModule} from "../lib/Interfaces.sol";
import {Strings} from "../lib/Strings.sol";
import {IPPermissioned} from "../core/IPPermissioned.sol";

/// A module that may restrict who commercialises under some terms.
interface IHookModule {
    function verify(address caller, bytes calldata data) external returns (bool);
    function validateConfig(bytes calldata configData) external view;
}

/// The Programmable IP License template: registers PIL terms (validated, deduplicated by hash, ids from 1) and
/// answers the licensing rules for minting licenses and linking derivatives.
contract PILicenseTemplate is Initializable, IPPermissioned {
    mapping(uint256 => PILTerms) private _terms;
    mapping(bytes32 => uint256) private _idByHash;
    uint256 private _count;
    mapping(bytes32 => bool) private _approvals;

    string internal constant NCSR_URI =
        "https://github.com/piplabs/pil-document/blob/998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json";

    event LicenseTermsRegistered(uint256 indexed licenseTermsId, address indexed licenseTemplate, bytes licenseTerms);
    event DerivativeApproved(
        uint256 indexed licenseTermsId, address indexed ipId, address indexed caller, address childIpId, bool approved
    );

    error PILicenseTemplate__RoyaltyPolicyNotWhitelisted();
    error PILicenseTemplate__CurrencyTokenNotWhitelisted();
    error PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken();
    error PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy();
    error PILicenseTemplate__CommercialDisabled_CantAddAttribution();
    error PILicenseTemplate__CommercialDisabled_CantAddCommercializers();
    error PILicenseTemplate__CommercialDisabled_CantAddRevShare();
    error PILicenseTemplate__CommercialDisabled_CantAddRevCeiling();
    error PILicenseTemplate__CommercialDisabled_CantAddDerivRevCeiling();
    error PILicenseTemplate__CommercialDisabled_CantAddRoyaltyPolicy();
    error PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired();
    error PILicenseTemplate__CommercializerCheckerDoesNotSupportHook(address checker);
    error PILicenseTemplate__DerivativesDisabled_CantAddAttribution();
    error PILicenseTemplate__DerivativesDisabled_CantAddApproval();
    error PILicenseTemplate__DerivativesDisabled_CantAddReciprocal();
    error PILicenseTemplate__DerivativesDisabled_CantAddDerivRevCeiling();

    /// Registers Non-Commercial Social Remixing, which becomes id 1 (the protocol's default terms).
    function initialize() external initializer {
        PILTerms memory ncsr;
        ncsr.transferable = true;
        ncsr.derivativesAllowed = true;
        ncsr.derivativesAttribution = true;
        ncsr.derivativesReciprocal = true;
        ncsr.uri = NCSR_URI;
        _register(ncsr);
    }

    function name() external pure returns (string memory) {
        return "pil";
    }

    function registerLicenseTerms(PILTerms calldata terms) external returns (uint256) {
        _verifyTerms(terms);
        PILTerms memory stored = terms;
        stored.uri = Strings.escapeJson(terms.uri);
        return _register(stored);
    }

    function getLicenseTermsId(PILTerms calldata terms) external view returns (uint256) {
        return _idByHash[keccak256(abi.encode(terms))];
    }

    function getLicenseTerms(uint256 selectedLicenseTermsId) external view returns (PILTerms memory terms) {
        return _terms[selectedLicenseTermsId];
    }

    function exists(uint256 licenseTermsId) public view returns (bool) {
        return licenseTermsId != 0 && licenseTermsId <= _count;
    }

    function totalRegisteredLicenseTerms() external view returns (uint256) {
        return _count;
    }

    function getLicenseTermsURI(uint256 licenseTermsId) external view returns (string memory) {
        return _terms[licenseTermsId].uri;
    }

    function getRoyaltyPolicy(uint256 licenseTermsId)
        external
        view
        returns (address royaltyPolicy, uint32 royaltyPercent, uint256 mintingFee, address currency)
    {
        PILTerms storage t = _terms[licenseTermsId];
        return (t.royaltyPolicy, t.commercialRevShare, t.defaultMintingFee, t.currency);
    }

    function isLicenseTransferable(uint256 licenseTermsId) external view returns (bool) {
        return _terms[licenseTermsId].transferable;
    }

    function allowDerivativeRegistration(uint256 licenseTermsId) external view returns (bool) {
        return _terms[licenseTermsId].derivativesAllowed;
    }

    /// LAP cannot support groups, and approval-gated terms cannot be attached to a group.
    function canAttachToGroupIp(uint256 licenseTermsId) external view returns (bool) {
        PILTerms storage t = _terms[licenseTermsId];
        return !t.derivativesApproval && t.royaltyPolicy != Addr.ROYALTY_POLICY_LAP;
    }

    /// A licensor may raise, never lower, the share its derivatives pay; only for commercial terms.
    function canOverrideRoyaltyPercent(uint256 licenseTermsId, uint32 newRoyaltyPercent)
        external
        view
        returns (bool)
    {
        PILTerms storage t = _terms[licenseTermsId];
        return t.commercialUse && (newRoyaltyPercent == 0 || newRoyaltyPercent >= t.commercialRevShare);
    }

    function getExpireTime(uint256 licenseTermsId, uint256 start) public view returns (uint256) {
        uint256 expiration = _terms[licenseTermsId].expiration;
        return expiration == 0 ? 0 : start + expiration;
    }

    function getEarlierExpireTime(uint256[] calldata licenseTermsIds, uint256 start) external view returns (uint256) {
        uint256 earliest;
        for (uint256 i; i < licenseTermsIds.length; i++) {
            uint256 t = getExpireTime(licenseTermsIds[i], start);
            if (t != 0 && (earliest == 0 || t < earliest)) earliest = t;
        }
        return earliest;
    }

    function setApproval(address parentIpId, uint256 licenseTermsId, address childIpId, bool approved)
        external
        verifyPermission(parentIpId)
    {
        _approvals[keccak256(abi.encode(parentIpId, licenseTermsId, childIpId))] = approved;
        emit DerivativeApproved(licenseTermsId, parentIpId, msg.sender, childIpId, approved);
    }

    function isDerivativeApproved(address parentIpId, uint256 licenseTermsId, address childIpId)
        public
        view
        returns (bool)
    {
        return _approvals[keccak256(abi.encode(parentIpId, licenseTermsId, childIpId))];
    }

    /// False when the terms do not exist, when a derivative licensor lacks these exact terms or they are not
    /// reciprocal (a non-reciprocal derivative is a dead end), or when a commercializer checker says no.
    function verifyMintLicenseToken(uint256 licenseTermsId, address licensee, address licensorIpId, uint256)
        external
        returns (bool)
    {
        if (!exists(licenseTermsId)) return false;
        PILTerms storage t = _terms[licenseTermsId];
        ILicenseRegistry registry = ILicenseRegistry(Addr.LICENSE_REGISTRY);
        if (registry.isDerivativeIp(licensorIpId)) {
            if (!registry.hasIpAttachedLicenseTerms(licensorIpId, address(this), licenseTermsId)) return false;
            if (!t.derivativesReciprocal) return false;
        }
        return _commercializerAllows(t, licensee);
    }

    function verifyRegisterDerivative(address childIpId, address parentIpId, uint256 licenseTermsId, address licensee)
        public
        returns (bool)
    {
        if (!exists(licenseTermsId)) return false;
        PILTerms storage t = _terms[licenseTermsId];
        if (!t.derivativesAllowed) return false;
        if (ILicenseRegistry(Addr.LICENSE_REGISTRY).isDerivativeIp(parentIpId) && !t.derivativesReciprocal) {
            return false;
        }
        if (t.derivativesApproval && !isDerivativeApproved(parentIpId, licenseTermsId, childIpId)) return false;
        return _commercializerAllows(t, licensee);
    }

    /// With several parents: one commercial flag, one reciprocal flag, and with reciprocal one single terms id.
    function verifyCompatibleLicenses(uint256[] calldata licenseTermsIds) public view returns (bool) {
        if (licenseTermsIds.length < 2) return true;
        PILTerms storage first = _terms[licenseTermsIds[0]];
        for (uint256 i = 1; i < licenseTermsIds.length; i++) {
            PILTerms storage t = _terms[licenseTermsIds[i]];
            if (t.commercialUse != first.commercialUse) return false;
            if (t.derivativesReciprocal != first.derivativesReciprocal) return false;
            if (first.derivativesReciprocal && licenseTermsIds[i] != licenseTermsIds[0]) return false;
        }
        return true;
    }

    function verifyRegisterDerivativeForAllParents(
        address childIpId,
        address[] calldata parentIpIds,
        uint256[] calldata licenseTermsIds,
        address childIpOwner
    ) external returns (bool) {
        if (parentIpIds.length != licenseTermsIds.length) return false;
        if (!verifyCompatibleLicenses(licenseTermsIds)) return false;
        for (uint256 i; i < parentIpIds.length; i++) {
            if (!verifyRegisterDerivative(childIpId, parentIpIds[i], licenseTermsIds[i], childIpOwner)) return false;
        }
        return true;
    }

    function _register(PILTerms memory terms) private returns (uint256 id) {
        bytes memory encoded = abi.encode(terms);
        bytes32 h = keccak256(encoded);
        id = _idByHash[h];
        if (id != 0) return id;
        id = ++_count;
        _idByHash[h] = id;
        _terms[id] = terms;
        emit LicenseTermsRegistered(id, address(this), encoded);
    }

    function _commercializerAllows(PILTerms storage t, address licensee) private returns (bool) {
        if (t.commercializerChecker == address(0)) return true;
        return IHookModule(t.commercializerChecker).verify(licensee, t.commercializerCheckerData);
    }

    function _verifyTerms(PILTerms calldata terms) private view {
        IRoyaltyModule royalty = IRoyaltyModule(Addr.ROYALTY_MODULE);
        if (terms.royaltyPolicy != address(0) && !royalty.isWhitelistedRoyaltyPolicy(terms.royaltyPolicy)) {
            revert PILicenseTemplate__RoyaltyPolicyNotWhitelisted();
        }
        if (terms.currency != address(0) && !royalty.isWhitelistedRoyaltyToken(terms.currency)) {
            revert PILicenseTemplate__CurrencyTokenNotWhitelisted();
        }
        if (terms.royaltyPolicy != address(0) && terms.currency == address(0)) {
            revert PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken();
        }
        if (terms.defaultMintingFee > 0 && terms.royaltyPolicy == address(0)) {
            revert PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy();
        }
        _verifyCommercialUse(terms);
        _verifyDerivatives(terms);
    }

    function _verifyCommercialUse(PILTerms calldata terms) private view {
        if (!terms.commercialUse) {
            if (terms.commercialAttribution) revert PILicenseTemplate__CommercialDisabled_CantAddAttribution();
            if (terms.commercializerChecker != address(0)) {
                revert PILicenseTemplate__CommercialDisabled_CantAddCommercializers();
            }
            if (terms.commercialRevShare > 0) revert PILicenseTemplate__CommercialDisabled_CantAddRevShare();
            if (terms.commercialRevCeiling > 0) revert PILicenseTemplate__CommercialDisabled_CantAddRevCeiling();
            if (terms.derivativeRevCeiling > 0) revert PILicenseTemplate__CommercialDisabled_CantAddDerivRevCeiling();
            if (terms.royaltyPolicy != address(0)) revert PILicenseTemplate__CommercialDisabled_CantAddRoyaltyPolicy();
            return;
        }
        if (terms.royaltyPolicy == address(0)) revert PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired();
        if (terms.commercializerChecker != address(0)) {
            address checker = terms.commercializerChecker;
            bool isHook;
            if (checker.code.length > 0) {
                try IERC165(checker).supportsInterface(type(IHookModule).interfaceId) returns (bool ok) {
                    isHook = ok;
                } catch {}
            }
            if (!isHook || !IModuleRegistry(Addr.MODULE_REGISTRY).isRegistered(checker)) {
                revert PILicenseTemplate__CommercializerCheckerDoesNotSupportHook(checker);
            }
            IHookModule(checker).validateConfig(terms.commercializerCheckerData);
        }
    }

    function _verifyDerivatives(PILTerms calldata terms) private pure {
        if (terms.derivativesAllowed) return;
        if (terms.derivativesAttribution) revert PILicenseTemplate__DerivativesDisabled_CantAddAttribution();
        if (terms.derivativesApproval) revert PILicenseTemplate__DerivativesDisabled_CantAddApproval();
        if (terms.derivativesReciprocal) revert PILicenseTemplate__DerivativesDisabled_CantAddReciprocal();
        if (terms.derivativeRevCeiling > 0) revert PILicenseTemplate__DerivativesDisabled_CantAddDerivRevCeiling();
    }
}
