// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {AccountStorage} from "../lib/AccountStorage.sol";
import {Addr} from "../lib/Addresses.sol";
import {LicensingConfig} from "../lib/Structs.sol";
import {Initializable} from "../lib/Initializable.sol";
import {IIPAccount, IIPAssetRegistry, IPILicenseTemplate} from "../lib/Interfaces.sol";
import {GroupLicenseRules} from "./GroupLicenseRules.sol";

/// Which license terms each IP offers, its per-license configs, its expiry, and the parent/child graph of
/// derivatives (kept here: anvil has no IP-graph precompile). Group IPs follow GroupLicenseRules.
contract LicenseRegistry is Initializable, GroupLicenseRules {
    using AccountStorage for IIPAccount;

    uint256 public constant MAX_PARENTS = 16;
    uint256 public constant MAX_ANCESTORS = 1024;
    bytes32 internal constant EXPIRATION_TIME = "EXPIRATION_TIME";

    struct AttachedTerms {
        address licenseTemplate;
        uint256 licenseTermsId;
    }

    address private _defaultTemplate;
    uint256 private _defaultTermsId;
    mapping(address => bool) private _templates;
    mapping(address => AttachedTerms[]) private _attached;
    mapping(address => mapping(bytes32 => bool)) private _isAttached;
    mapping(address => address) private _ipTemplate;
    mapping(bytes32 => LicensingConfig) private _configs;
    mapping(address => address[]) private _parents;
    mapping(address => address[]) private _children;
    mapping(address => mapping(address => uint256)) private _parentTermsId;
    mapping(address => uint256) private _ancestorsCount;

    event LicenseTemplateRegistered(address indexed licenseTemplate);
    event DefaultLicenseTermsSet(address licenseTemplate, uint256 licenseTermsId);
    event ExpirationTimeSet(address indexed ipId, uint256 expireTime);
    event LicensingConfigSetForLicense(
        address indexed ipId, address indexed licenseTemplate, uint256 indexed licenseTermsId
    );

    error LicenseRegistry__CallerNotLicensingModule();
    error LicenseRegistry__UnregisteredLicenseTemplate(address licenseTemplate);
    error LicenseRegistry__LicenseTermsNotExists(address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__LicenseTermsAlreadyAttached(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__UnmatchedLicenseTemplate(address ipId, address licenseTemplate, address newLicenseTemplate);
    error LicenseRegistry__IpExpired(address ipId);
    error LicenseRegistry__NoParentIp();
    error LicenseRegistry__TooManyParents(uint256 count, uint256 max);
    error LicenseRegistry__TooManyAncestors(address childIpId, uint256 count, uint256 max);
    error LicenseRegistry__DerivativeAlreadyRegistered(address childIpId);
    error LicenseRegistry__DerivativeIpAlreadyHasChild(address childIpId);
    error LicenseRegistry__DerivativeIpAlreadyHasLicense(address childIpId);
    error LicenseRegistry__DerivativeIsParent(address ipId);
    error LicenseRegistry__ParentIpNotRegistered(address parentIpId);
    error LicenseRegistry__ParentIpExpired(address ipId);
    error LicenseRegistry__DuplicateParentIp(address childIpId, address parentIpId);
    error LicenseRegistry__ParentIpUnmatchedLicenseTemplate(address ipId, address licenseTemplate);
    error LicenseRegistry__ParentIpHasNoLicenseTerms(address ipId, uint256 licenseTermsId);
    error LicenseRegistry__LicensorIpHasNoLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseRegistry__IndexOutOfBounds(address ipId, uint256 index, uint256 length);

    modifier onlyLicensingModule() {
        if (msg.sender != Addr.LICENSING_MODULE) revert LicenseRegistry__CallerNotLicensingModule();
        _;
    }

    /// Registers the PIL template and makes its terms id 1 (NCSR) the default terms.
    function initialize() external initializer {
        _templates[Addr.PIL_TEMPLATE] = true;
        emit LicenseTemplateRegistered(Addr.PIL_TEMPLATE);
        _setDefault(Addr.PIL_TEMPLATE, 1);
    }

    function registerLicenseTemplate(address licenseTemplate) external onlyAdmin {
        _templates[licenseTemplate] = true;
        emit LicenseTemplateRegistered(licenseTemplate);
    }

    function setDefaultLicenseTerms(address licenseTemplate, uint256 licenseTermsId) external onlyAdmin {
        _setDefault(licenseTemplate, licenseTermsId);
    }

    function getDefaultLicenseTerms() external view returns (address licenseTemplate, uint256 licenseTermsId) {
        return (_defaultTemplate, _defaultTermsId);
    }

    function isRegisteredLicenseTemplate(address licenseTemplate) public view returns (bool) {
        return _templates[licenseTemplate];
    }

    function exists(address licenseTemplate, uint256 licenseTermsId) public view returns (bool) {
        return _templates[licenseTemplate] && IPILicenseTemplate(licenseTemplate).exists(licenseTermsId);
    }

    // --- writes (LicensingModule only) ---

    function attachLicenseTermsToIp(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        onlyLicensingModule
    {
        if (!_templates[licenseTemplate]) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        if (!IPILicenseTemplate(licenseTemplate).exists(licenseTermsId)) {
            revert LicenseRegistry__LicenseTermsNotExists(licenseTemplate, licenseTermsId);
        }
        _checkGroupAttach(ipId, licenseTemplate, licenseTermsId, _attached[ipId].length);
        if (isExpiredNow(ipId)) revert LicenseRegistry__IpExpired(ipId);
        address current = _ipTemplate[ipId];
        if (current != address(0) && current != licenseTemplate) {
            revert LicenseRegistry__UnmatchedLicenseTemplate(ipId, current, licenseTemplate);
        }
        if (_isAttached[ipId][_termsKey(licenseTemplate, licenseTermsId)]) {
            revert LicenseRegistry__LicenseTermsAlreadyAttached(ipId, licenseTemplate, licenseTermsId);
        }
        _attach(ipId, licenseTemplate, licenseTermsId);
    }

    /// Links a child to its parents: every child and parent rule is checked here, then the child inherits the
    /// parents' terms and the earliest expiry.
    function registerDerivativeIp(
        address childIpId,
        address[] calldata parentIpIds,
        address licenseTemplate,
        uint256[] calldata licenseTermsIds,
        bool isUsingLicenseToken
    ) external onlyLicensingModule {
        if (parentIpIds.length == 0) revert LicenseRegistry__NoParentIp();
        if (parentIpIds.length > MAX_PARENTS) revert LicenseRegistry__TooManyParents(parentIpIds.length, MAX_PARENTS);
        if (!_templates[licenseTemplate]) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        if (_parents[childIpId].length > 0) revert LicenseRegistry__DerivativeAlreadyRegistered(childIpId);
        if (_children[childIpId].length > 0) revert LicenseRegistry__DerivativeIpAlreadyHasChild(childIpId);
        if (_attached[childIpId].length > 0) revert LicenseRegistry__DerivativeIpAlreadyHasLicense(childIpId);

        uint256 expireTime = IPILicenseTemplate(licenseTemplate).getEarlierExpireTime(licenseTermsIds, block.timestamp);
        for (uint256 i; i < parentIpIds.length; i++) {
            address parent = parentIpIds[i];
            _checkGroupLink(childIpId, parent, parentIpIds.length);
            _checkParent(childIpId, parent, licenseTemplate, licenseTermsIds[i], isUsingLicenseToken);
            _parents[childIpId].push(parent);
            _children[parent].push(childIpId);
            _parentTermsId[childIpId][parent] = licenseTermsIds[i];
            if (!_isAttached[childIpId][_termsKey(licenseTemplate, licenseTermsIds[i])]) {
                _attach(childIpId, licenseTemplate, licenseTermsIds[i]);
            }
            uint256 parentExpire = getExpireTime(parent);
            if (parentExpire != 0 && (expireTime == 0 || parentExpire < expireTime)) expireTime = parentExpire;
        }
        if (expireTime != 0) {
            IIPAccount(childIpId).setUint256(EXPIRATION_TIME, expireTime);
            emit ExpirationTimeSet(childIpId, expireTime);
        }
        uint256 ancestors = _collectAncestors(childIpId).length;
        if (ancestors > MAX_ANCESTORS) revert LicenseRegistry__TooManyAncestors(childIpId, ancestors, MAX_ANCESTORS);
        _ancestorsCount[childIpId] = ancestors;
    }

    function setLicensingConfigForLicense(
        address ipId,
        address licenseTemplate,
        uint256 licenseTermsId,
        LicensingConfig calldata licensingConfig
    ) external onlyLicensingModule {
        _configs[_configKey(ipId, licenseTemplate, licenseTermsId)] = licensingConfig;
        emit LicensingConfigSetForLicense(ipId, licenseTemplate, licenseTermsId);
    }

    // --- reads ---

    /// What LicensingModule needs before minting: the licensor is not expired and offers these terms; its
    /// owner may also mint a private license for existing terms it has not attached, under its own template.
    function verifyMintLicenseToken(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        bool isMintedByIpOwner
    ) external view returns (LicensingConfig memory) {
        _checkGroupLicensor(licensorIpId);
        if (isExpiredNow(licensorIpId)) revert LicenseRegistry__ParentIpExpired(licensorIpId);
        // A group's owner gets no private licenses: a group licenses only the one set of terms it offers.
        if (isMintedByIpOwner && !_isGroup(licensorIpId)) {
            if (!exists(licenseTemplate, licenseTermsId)) {
                revert LicenseRegistry__LicenseTermsNotExists(licenseTemplate, licenseTermsId);
            }
            address current = _ipTemplate[licensorIpId];
            if (current != address(0) && current != licenseTemplate) {
                revert LicenseRegistry__UnmatchedLicenseTemplate(licensorIpId, current, licenseTemplate);
            }
        } else if (!_isAttached[licensorIpId][_termsKey(licenseTemplate, licenseTermsId)]) {
            revert LicenseRegistry__LicensorIpHasNoLicenseTerms(licensorIpId, licenseTemplate, licenseTermsId);
        }
        return _configs[_configKey(licensorIpId, licenseTemplate, licenseTermsId)];
    }

    function hasIpAttachedLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)
        public
        view
        override
        returns (bool)
    {
        return _isAttached[ipId][_termsKey(licenseTemplate, licenseTermsId)];
    }

    function getAttachedLicenseTermsCount(address ipId) external view returns (uint256) {
        return _attached[ipId].length;
    }

    function getAttachedLicenseTerms(address ipId, uint256 index)
        external
        view
        returns (address licenseTemplate, uint256 licenseTermsId)
    {
        if (index >= _attached[ipId].length) {
            revert LicenseRegistry__IndexOutOfBounds(ipId, index, _attached[ipId].length);
        }
        AttachedTerms storage a = _attached[ipId][index];
        return (a.licenseTemplate, a.licenseTermsId);
    }

    function getLicensingConfig(address ipId, address licenseTemplate, uint256 licenseTermsId)
        public
        view
        override
        returns (LicensingConfig memory)
    {
        return _configs[_configKey(ipId, licenseTemplate, licenseTermsId)];
    }

    /// The share a derivative of `ipId` pays under these terms: the licensor's raised override if set, else the
    /// terms' commercialRevShare.
    function getRoyaltyPercent(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        view
        returns (uint32)
    {
        LicensingConfig storage c = _configs[_configKey(ipId, licenseTemplate, licenseTermsId)];
        if (c.isSet && c.commercialRevShare != 0) return c.commercialRevShare;
        (, uint32 pct,,) = IPILicenseTemplate(licenseTemplate).getRoyaltyPolicy(licenseTermsId);
        return pct;
    }

    function isDerivativeIp(address ipId) external view returns (bool) {
        return _parents[ipId].length > 0;
    }

    function hasDerivativeIps(address ipId) external view returns (bool) {
        return _children[ipId].length > 0;
    }

    function getParentIpCount(address childIpId) external view returns (uint256) {
        return _parents[childIpId].length;
    }

    function getParentIp(address childIpId, uint256 index) external view returns (address) {
        if (index >= _parents[childIpId].length) {
            revert LicenseRegistry__IndexOutOfBounds(childIpId, index, _parents[childIpId].length);
        }
        return _parents[childIpId][index];
    }

    function getParentIps(address childIpId) external view returns (address[] memory) {
        return _parents[childIpId];
    }

    function isParentIp(address parentIpId, address childIpId) external view returns (bool) {
        address[] storage ps = _parents[childIpId];
        for (uint256 i; i < ps.length; i++) {
            if (ps[i] == parentIpId) return true;
        }
        return false;
    }

    function getParentLicenseTerms(address childIpId, address parentIpId)
        external
        view
        returns (address licenseTemplate, uint256 licenseTermsId)
    {
        return (_ipTemplate[childIpId], _parentTermsId[childIpId][parentIpId]);
    }

    function getDerivativeIpCount(address parentIpId) external view returns (uint256) {
        return _children[parentIpId].length;
    }

    function getDerivativeIp(address parentIpId, uint256 index) external view returns (address) {
        if (index >= _children[parentIpId].length) {
            revert LicenseRegistry__IndexOutOfBounds(parentIpId, index, _children[parentIpId].length);
        }
        return _children[parentIpId][index];
    }

    function getAncestorsCount(address ipId) external view returns (uint256) {
        return _ancestorsCount[ipId];
    }

    /// Every distinct ancestor, nearest first (breadth-first).
    function getAncestors(address ipId) external view returns (address[] memory) {
        return _collectAncestors(ipId);
    }

    function getLicenseTemplate(address ipId) external view returns (address) {
        return _ipTemplate[ipId];
    }

    function getExpireTime(address ipId) public view override returns (uint256) {
        if (ipId.code.length == 0) return 0;
        return IIPAccount(ipId).getUint256(address(this), EXPIRATION_TIME);
    }

    function isExpiredNow(address ipId) public view returns (bool) {
        uint256 t = getExpireTime(ipId);
        return t != 0 && t < block.timestamp;
    }

    // --- internals ---


    function _checkParent(
        address childIpId,
        address parent,
        address licenseTemplate,
        uint256 licenseTermsId,
        bool isUsingLicenseToken
    ) private view {
        if (parent == childIpId) revert LicenseRegistry__DerivativeIsParent(parent);
        if (!IIPAssetRegistry(Addr.IP_ASSET_REGISTRY).isRegistered(parent)) {
            revert LicenseRegistry__ParentIpNotRegistered(parent);
        }
        if (isExpiredNow(parent)) revert LicenseRegistry__ParentIpExpired(parent);
        // Parents are pushed as they pass, so an earlier copy of this parent is already in the list.
        address[] storage seen = _parents[childIpId];
        for (uint256 j; j < seen.length; j++) {
            if (seen[j] == parent) revert LicenseRegistry__DuplicateParentIp(childIpId, parent);
        }
        address parentTemplate = _ipTemplate[parent];
        if (parentTemplate != address(0) && parentTemplate != licenseTemplate) {
            revert LicenseRegistry__ParentIpUnmatchedLicenseTemplate(parent, licenseTemplate);
        }
        if (!isUsingLicenseToken && !_isAttached[parent][_termsKey(licenseTemplate, licenseTermsId)]) {
            revert LicenseRegistry__ParentIpHasNoLicenseTerms(parent, licenseTermsId);
        }
    }

    function _attach(address ipId, address licenseTemplate, uint256 licenseTermsId) private {
        _isAttached[ipId][_termsKey(licenseTemplate, licenseTermsId)] = true;
        _attached[ipId].push(AttachedTerms(licenseTemplate, licenseTermsId));
        _ipTemplate[ipId] = licenseTemplate;
    }

    function _setDefault(address licenseTemplate, uint256 licenseTermsId) private {
        if (!_templates[licenseTemplate]) revert LicenseRegistry__UnregisteredLicenseTemplate(licenseTemplate);
        if (!IPILicenseTemplate(licenseTemplate).exists(licenseTermsId)) {
            revert LicenseRegistry__LicenseTermsNotExists(licenseTemplate, licenseTermsId);
        }
        _defaultTemplate = licenseTemplate;
        _defaultTermsId = licenseTermsId;
        emit DefaultLicenseTermsSet(licenseTemplate, licenseTermsId);
    }

    /// Breadth-first walk up the parent graph. The result array doubles as the queue; its size is bounded by
    /// the parents' recorded ancestor counts, so no reallocation is needed.
    function _collectAncestors(address ipId) private view returns (address[] memory out) {
        address[] storage direct = _parents[ipId];
        uint256 bound;
        for (uint256 i; i < direct.length; i++) {
            bound += _ancestorsCount[direct[i]] + 1;
        }
        out = new address[](bound);
        uint256 len;
        for (uint256 i; i < direct.length; i++) {
            len = _pushUnique(out, len, direct[i]);
        }
        for (uint256 head; head < len; head++) {
            address[] storage ps = _parents[out[head]];
            for (uint256 i; i < ps.length; i++) {
                len = _pushUnique(out, len, ps[i]);
            }
        }
        assembly {
            mstore(out, len)
        }
    }

    function _pushUnique(address[] memory list, uint256 len, address item) private pure returns (uint256) {
        for (uint256 i; i < len; i++) {
            if (list[i] == item) return len;
        }
        list[len] = item;
        return len + 1;
    }

    function _termsKey(address licenseTemplate, uint256 licenseTermsId) private pure returns (bytes32) {
        return keccak256(abi.encode(licenseTemplate, licenseTermsId));
    }

    function _configKey(address ipId, address licenseTemplate, uint256 licenseTermsId) private pure returns (bytes32) {
        return keccak256(abi.encode(ipId, licenseTemplate, licenseTermsId));
    }
}
