// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr} from "../lib/Addresses.sol";
import {LicensingConfig} from "../lib/Structs.sol";
import {ReentrancyGuard} from "../lib/ReentrancyGuard.sol";
import {
    IAccessController,
    IIPAssetRegistry,
    ILicenseRegistry,
    ILicenseToken,
    IPILicenseTemplate,
    IRoyaltyModule
} from "../lib/Interfaces.sol";
import {IPPermissioned} from "../core/IPPermissioned.sol";
import {GroupConfigRules} from "./GroupConfigRules.sol";

/// The entry point of licensing: attach terms, mint license tokens, link derivatives, configure licenses.
/// Fees are paid through RoyaltyModule from msg.sender (a user, or a workflow that collected them).
contract LicensingModule is IPPermissioned, ReentrancyGuard, GroupConfigRules {
    uint256 public constant MAX_ANCESTORS = 1024;

    struct DerivativeRequest {
        address childIpId;
        address[] parentIpIds;
        uint256[] licenseTermsIds;
        address licenseTemplate;
        bytes royaltyContext;
        uint256 maxMintingFee;
        uint32 maxRts;
        uint32 maxRevenueShare;
    }

    event LicenseTermsAttached(
        address indexed caller, address indexed ipId, address licenseTemplate, uint256 licenseTermsId
    );
    event LicenseTokensMinted(
        address indexed caller,
        address indexed licensorIpId,
        address licenseTemplate,
        uint256 indexed licenseTermsId,
        uint256 amount,
        address receiver,
        uint256 startLicenseTokenId
    );
    event DerivativeRegistered(
        address indexed caller,
        address indexed childIpId,
        uint256[] licenseTokenIds,
        address[] parentIpIds,
        uint256[] licenseTermsIds,
        address licenseTemplate
    );

    error LicensingModule__DerivativesCannotAddLicenseTerms();
    error LicensingModule__MintAmountZero();
    error LicensingModule__ReceiverZeroAddress();
    error LicensingModule__LicensorIpNotRegistered();
    error LicensingModule__LicenseTermsNotFound(address licenseTemplate, uint256 licenseTermsId);
    error LicensingModule__LicenseDisabled(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicensingModule__LicensorIpHasTooManyAncestors(address licensorIpId, uint256 ancestors);
    error LicensingModule__LicenseDenyMintLicenseToken(
        address licenseTemplate, uint256 licenseTermsId, address licensorIpId
    );
    error LicensingModule__MintingFeeExceedMaxMintingFee(uint256 mintingFee, uint256 maxMintingFee);
    error LicensingModule__ExceedMaxRevenueShare(address parentIpId, address licenseTemplate, uint256 licenseTermsId, uint32 allocatedRevenueShare, uint32 maxRevenueShare);
    error LicenseToken__CommercialRevenueShareExceedMaxRevenueShare(
        uint32 commercialRevenueShare, uint32 maxRevenueShare, address licensorIpId, address licenseTemplate,
        uint256 licenseTermsId
    );
    error LicensingModule__NoParentIp();
    error LicensingModule__NoLicenseToken();
    error LicensingModule__LicenseTermsLengthMismatch(uint256 parentIpIdsLength, uint256 licenseTermsIdsLength);
    error LicensingModule__UnregisteredLicenseTemplate(address licenseTemplate);
    error LicensingModule__LicenseNotCompatibleForDerivative(address childIpId);
    error LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens(address childIpId);
    error LicensingModule__RoyaltyPolicyMismatch(address royaltyPolicy, address anotherRoyaltyPolicy);
    error LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent(
        address licenseTemplate, uint256 licenseTermsId, uint32 newRoyaltyPercent
    );
    error LicensingModule__LicensingConfigMintingFeeBelowLicenseTerms(address licenseTemplate, uint256 licenseTermsId, uint256 mintingFee, uint256 defaultMintingFee);
    error LicensingModule__LicensingHookNotSupported(address licensingHook);

    function name() external pure returns (string memory) {
        return "LICENSING_MODULE";
    }

    function attachLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        verifyPermission(ipId)
    {
        _attach(ipId, licenseTemplate, licenseTermsId);
    }

    function attachDefaultLicenseTerms(address ipId) external verifyPermission(ipId) {
        (address licenseTemplate, uint256 licenseTermsId) = _registry().getDefaultLicenseTerms();
        _attach(ipId, licenseTemplate, licenseTermsId);
    }

    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address receiver,
        bytes calldata royaltyContext,
        uint256 maxMintingFee,
        uint32 maxRevenueShare
    ) external nonReentrant returns (uint256 startLicenseTokenId) {
        uint32 royaltyPercent =
            _verifyMint(licensorIpId, licenseTemplate, licenseTermsId, amount, receiver, maxRevenueShare);
        _chargeMint(licensorIpId, licenseTemplate, licenseTermsId, amount, royaltyPercent, royaltyContext, maxMintingFee);
        startLicenseTokenId = ILicenseToken(Addr.LICENSE_TOKEN).mintLicenseTokens(
            licensorIpId, licenseTemplate, licenseTermsId, amount, msg.sender, receiver, royaltyPercent
        );
        emit LicenseTokensMinted(
            msg.sender, licensorIpId, licenseTemplate, licenseTermsId, amount, receiver, startLicenseTokenId
        );
    }

    function registerDerivative(
        address childIpId,
        address[] calldata parentIpIds,
        uint256[] calldata licenseTermsIds,
        address licenseTemplate,
        bytes calldata royaltyContext,
        uint256 maxMintingFee,
        uint32 maxRts,
        uint32 maxRevenueShare
    ) external nonReentrant verifyPermission(childIpId) {
        // Eight arguments do not fit the EVM stack alongside the work below; gather them first.
        DerivativeRequest memory r;
        r.childIpId = childIpId;
        r.parentIpIds = parentIpIds;
        r.licenseTermsIds = licenseTermsIds;
        r.licenseTemplate = licenseTemplate;
        r.royaltyContext = royaltyContext;
        r.maxMintingFee = maxMintingFee;
        r.maxRts = maxRts;
        r.maxRevenueShare = maxRevenueShare;
        _registerDerivative(r);
    }

    function registerDerivativeWithLicenseTokens(
        address childIpId,
        uint256[] calldata licenseTokenIds,
        bytes calldata royaltyContext,
        uint32 maxRts
    ) external nonReentrant verifyPermission(childIpId) {
        if (licenseTokenIds.length == 0) revert LicensingModule__NoLicenseToken();
        DerivativeRequest memory r;
        r.childIpId = childIpId;
        r.royaltyContext = royaltyContext;
        r.maxRts = maxRts;
        uint32[] memory royaltyPercents;
        (r.licenseTemplate, r.parentIpIds, r.licenseTermsIds, royaltyPercents) =
            ILicenseToken(Addr.LICENSE_TOKEN).validateLicenseTokensForDerivative(msg.sender, childIpId, licenseTokenIds);
        _checkLinkable(r.childIpId, r.parentIpIds, r.licenseTermsIds, r.licenseTemplate);
        _registry().registerDerivativeIp(r.childIpId, r.parentIpIds, r.licenseTemplate, r.licenseTermsIds, true);
        address royaltyPolicy;
        for (uint256 i; i < r.licenseTermsIds.length; i++) {
            (address policy,,,) = IPILicenseTemplate(r.licenseTemplate).getRoyaltyPolicy(r.licenseTermsIds[i]);
            if (i == 0) royaltyPolicy = policy;
            else if (policy != royaltyPolicy) revert LicensingModule__RoyaltyPolicyMismatch(royaltyPolicy, policy);
        }
        // The shares are the ones frozen into the tokens when they were minted.
        if (royaltyPolicy != address(0)) _linkRoyalty(r, royaltyPolicy, royaltyPercents);
        ILicenseToken(Addr.LICENSE_TOKEN).burnLicenseTokens(msg.sender, licenseTokenIds);
        emit DerivativeRegistered(
            msg.sender, r.childIpId, licenseTokenIds, r.parentIpIds, r.licenseTermsIds, r.licenseTemplate
        );
    }

    function setLicensingConfig(
        address ipId,
        address licenseTemplate,
        uint256 licenseTermsId,
        LicensingConfig calldata licensingConfig
    ) external verifyPermission(ipId) {
        _checkGroupConfig(ipId, licenseTemplate, licenseTermsId, licensingConfig);
        if (!_registry().isRegisteredLicenseTemplate(licenseTemplate)) {
            revert LicensingModule__UnregisteredLicenseTemplate(licenseTemplate);
        }
        IPILicenseTemplate template = IPILicenseTemplate(licenseTemplate);
        if (!template.exists(licenseTermsId)) revert LicensingModule__LicenseTermsNotFound(licenseTemplate, licenseTermsId);
        // The devnet registers no licensing hooks, so none can be configured.
        if (licensingConfig.licensingHook != address(0)) {
            revert LicensingModule__LicensingHookNotSupported(licensingConfig.licensingHook);
        }
        uint32 newShare = licensingConfig.commercialRevShare;
        if (newShare != 0 && !template.canOverrideRoyaltyPercent(licenseTermsId, newShare)) {
            revert LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent(licenseTemplate, licenseTermsId, newShare);
        }
        (,, uint256 defaultFee,) = template.getRoyaltyPolicy(licenseTermsId);
        if (licensingConfig.isSet && licensingConfig.mintingFee < defaultFee) {
            revert LicensingModule__LicensingConfigMintingFeeBelowLicenseTerms(
                licenseTemplate, licenseTermsId, licensingConfig.mintingFee, defaultFee
            );
        }
        _registry().setLicensingConfigForLicense(ipId, licenseTemplate, licenseTermsId, licensingConfig);
    }

    /// The fee for `amount` licenses, after the checks a mint would make on the licensor: one who does not
    /// offer the terms (and is not the caller's own IP) is refused here, as the workflows' fee step shows.
    function predictMintingLicenseFee(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address receiver,
        bytes calldata
    ) external view returns (address currencyToken, uint256 tokenAmount) {
        if (amount == 0) revert LicensingModule__MintAmountZero();
        if (receiver == address(0)) revert LicensingModule__ReceiverZeroAddress();
        LicensingConfig memory config = _registry().verifyMintLicenseToken(
            licensorIpId, licenseTemplate, licenseTermsId, _isOwnerOrPermitted(licensorIpId)
        );
        (address policy,, uint256 defaultFee, address currency) =
            IPILicenseTemplate(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        currencyToken = currency;
        if (policy != address(0)) tokenAmount = (config.isSet ? config.mintingFee : defaultFee) * amount;
    }

    // --- internals ---

    function _attach(address ipId, address licenseTemplate, uint256 licenseTermsId) private {
        if (_registry().isDerivativeIp(ipId)) revert LicensingModule__DerivativesCannotAddLicenseTerms();
        _registry().attachLicenseTermsToIp(ipId, licenseTemplate, licenseTermsId);
        emit LicenseTermsAttached(msg.sender, ipId, licenseTemplate, licenseTermsId);
    }

    /// The checks and effects of linking, in order: arrays, template rules, no minted licenses, the registry's
    /// child and parent rules, per-parent fees and stack checks, the revenue-share ceiling, royalty links.
    function _registerDerivative(DerivativeRequest memory r) private {
        if (r.parentIpIds.length == 0) revert LicensingModule__NoParentIp();
        if (r.parentIpIds.length != r.licenseTermsIds.length) {
            revert LicensingModule__LicenseTermsLengthMismatch(r.parentIpIds.length, r.licenseTermsIds.length);
        }
        _checkLinkable(r.childIpId, r.parentIpIds, r.licenseTermsIds, r.licenseTemplate);
        _registry().registerDerivativeIp(r.childIpId, r.parentIpIds, r.licenseTemplate, r.licenseTermsIds, false);
        (address royaltyPolicy, uint32[] memory royaltyPercents) = _payParents(r);
        uint256 totalShare;
        for (uint256 i; i < royaltyPercents.length; i++) {
            totalShare += royaltyPercents[i];
            if (r.maxRevenueShare != 0 && totalShare > r.maxRevenueShare) {
                revert LicensingModule__ExceedMaxRevenueShare(
                    r.parentIpIds[i], r.licenseTemplate, r.licenseTermsIds[i], uint32(totalShare), r.maxRevenueShare
                );
            }
        }
        if (royaltyPolicy != address(0)) _linkRoyalty(r, royaltyPolicy, royaltyPercents);
        emit DerivativeRegistered(
            msg.sender, r.childIpId, new uint256[](0), r.parentIpIds, r.licenseTermsIds, r.licenseTemplate
        );
    }

    /// Everything that must hold before license tokens are minted; returns the share they will carry.
    function _verifyMint(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address receiver,
        uint32 maxRevenueShare
    ) private returns (uint32 royaltyPercent) {
        if (amount == 0) revert LicensingModule__MintAmountZero();
        if (receiver == address(0)) revert LicensingModule__ReceiverZeroAddress();
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(licensorIpId)) {
            revert LicensingModule__LicensorIpNotRegistered();
        }
        bool byOwner = _isOwnerOrPermitted(licensorIpId);
        LicensingConfig memory config =
            _registry().verifyMintLicenseToken(licensorIpId, licenseTemplate, licenseTermsId, byOwner);
        if (config.disabled) revert LicensingModule__LicenseDisabled(licensorIpId, licenseTemplate, licenseTermsId);
        IPILicenseTemplate template = IPILicenseTemplate(licenseTemplate);
        if (template.allowDerivativeRegistration(licenseTermsId)) {
            uint256 ancestors = _registry().getAncestorsCount(licensorIpId);
            if (ancestors >= MAX_ANCESTORS) revert LicensingModule__LicensorIpHasTooManyAncestors(licensorIpId, ancestors);
        }
        if (!template.verifyMintLicenseToken(licenseTermsId, receiver, licensorIpId, amount)) {
            revert LicensingModule__LicenseDenyMintLicenseToken(licenseTemplate, licenseTermsId, licensorIpId);
        }
        royaltyPercent = _registry().getRoyaltyPercent(licensorIpId, licenseTemplate, licenseTermsId);
        if (maxRevenueShare != 0 && royaltyPercent > maxRevenueShare) {
            revert LicenseToken__CommercialRevenueShareExceedMaxRevenueShare(
                royaltyPercent, maxRevenueShare, licensorIpId, licenseTemplate, licenseTermsId
            );
        }
    }

    function _chargeMint(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        uint32 royaltyPercent,
        bytes calldata royaltyContext,
        uint256 maxMintingFee
    ) private {
        (address royaltyPolicy, uint256 fee, address currency) =
            _parentFee(licensorIpId, licenseTemplate, licenseTermsId);
        fee *= amount;
        if (maxMintingFee != 0 && fee > maxMintingFee) {
            revert LicensingModule__MintingFeeExceedMaxMintingFee(fee, maxMintingFee);
        }
        if (royaltyPolicy != address(0)) {
            _royalty().onLicenseMinting(licensorIpId, royaltyPolicy, royaltyPercent, royaltyContext);
            if (fee > 0) _royalty().payLicenseMintingFee(licensorIpId, msg.sender, currency, fee);
        }
    }

    /// Steps 3-4 of linking: the template's rules for every parent, and a child that never licensed anything.
    function _checkLinkable(
        address childIpId,
        address[] memory parentIpIds,
        uint256[] memory licenseTermsIds,
        address licenseTemplate
    ) private {
        if (!_registry().isRegisteredLicenseTemplate(licenseTemplate)) {
            revert LicensingModule__UnregisteredLicenseTemplate(licenseTemplate);
        }
        if (
            !IPILicenseTemplate(licenseTemplate).verifyRegisterDerivativeForAllParents(
                childIpId, parentIpIds, licenseTermsIds, msg.sender
            )
        ) revert LicensingModule__LicenseNotCompatibleForDerivative(childIpId);
        if (ILicenseToken(Addr.LICENSE_TOKEN).getTotalTokensByLicensor(childIpId) > 0) {
            revert LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens(childIpId);
        }
    }

    /// Step 6 of linking, per parent: its config, one royalty policy for all, the stack check and vault via
    /// onLicenseMinting, and the minting fee paid by the caller, within maxMintingFee (0 = no limit).
    function _payParents(DerivativeRequest memory r)
        private
        returns (address royaltyPolicy, uint32[] memory royaltyPercents)
    {
        royaltyPercents = new uint32[](r.parentIpIds.length);
        uint256 totalFee;
        for (uint256 i; i < r.parentIpIds.length; i++) {
            address parent = r.parentIpIds[i];
            uint256 termsId = r.licenseTermsIds[i];
            (address policy, uint256 fee, address currency) = _parentFee(parent, r.licenseTemplate, termsId);
            if (i == 0) royaltyPolicy = policy;
            else if (policy != royaltyPolicy) revert LicensingModule__RoyaltyPolicyMismatch(royaltyPolicy, policy);
            royaltyPercents[i] = _registry().getRoyaltyPercent(parent, r.licenseTemplate, termsId);
            if (policy != address(0)) {
                _royalty().onLicenseMinting(parent, policy, royaltyPercents[i], r.royaltyContext);
                if (fee > 0) _royalty().payLicenseMintingFee(parent, msg.sender, currency, fee);
            }
            totalFee += fee;
            if (r.maxMintingFee != 0 && totalFee > r.maxMintingFee) {
                revert LicensingModule__MintingFeeExceedMaxMintingFee(totalFee, r.maxMintingFee);
            }
        }
    }

    function _parentFee(address parentIpId, address licenseTemplate, uint256 licenseTermsId)
        private
        view
        returns (address policy, uint256 fee, address currency)
    {
        LicensingConfig memory config = _registry().getLicensingConfig(parentIpId, licenseTemplate, licenseTermsId);
        if (config.disabled) revert LicensingModule__LicenseDisabled(parentIpId, licenseTemplate, licenseTermsId);
        uint256 defaultFee;
        (policy,, defaultFee, currency) = IPILicenseTemplate(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        fee = config.isSet ? config.mintingFee : defaultFee;
    }

    function _isOwnerOrPermitted(address ipId) private view returns (bool) {
        if (msg.sender == ipId) return true;
        try IAccessController(Addr.ACCESS_CONTROLLER).checkPermission(ipId, msg.sender, address(this), msg.sig) {
            return true;
        } catch {
            return false;
        }
    }

    function _linkRoyalty(DerivativeRequest memory r, address royaltyPolicy, uint32[] memory royaltyPercents) private {
        _royalty().onLinkToParents(
            r.childIpId,
            r.parentIpIds,
            _repeat(royaltyPolicy, r.parentIpIds.length),
            royaltyPercents,
            r.royaltyContext,
            r.maxRts
        );
    }

    function _repeat(address item, uint256 n) private pure returns (address[] memory out) {
        out = new address[](n);
        for (uint256 i; i < n; i++) {
            out[i] = item;
        }
    }

    function _registry() private pure returns (ILicenseRegistry) {
        return ILicenseRegistry(Addr.LICENSE_REGISTRY);
    }

    function _royalty() private pure returns (IRoyaltyModule) {
        return IRoyaltyModule(Addr.ROYALTY_MODULE);
    }
}
