// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {PILTerms, LicensingConfig, SPGInitParams} from "./Structs.sol";

// Only what the contracts call on each other; each contract's full surface is in its own file.

interface IERC165 {
    function supportsInterface(bytes4 interfaceId) external view returns (bool);
}

interface IERC20 {
    function balanceOf(address account) external view returns (uint256);
    function allowance(address owner, address spender) external view returns (uint256);
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function approve(address spender, uint256 amount) external returns (bool);
}

interface IERC721 {
    function ownerOf(uint256 tokenId) external view returns (address);
    function safeTransferFrom(address from, address to, uint256 tokenId) external;
}

interface IERC721Metadata {
    function name() external view returns (string memory);
    function tokenURI(uint256 tokenId) external view returns (string memory);
}

interface IERC721Receiver {
    function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
        external
        returns (bytes4);
}

interface IERC6551Registry {
    function createAccount(address implementation, bytes32 salt, uint256 chainId, address tokenContract, uint256 tokenId)
        external
        returns (address);
    function account(address implementation, bytes32 salt, uint256 chainId, address tokenContract, uint256 tokenId)
        external
        view
        returns (address);
}

interface IIPAccount {
    function owner() external view returns (address);
    function token() external view returns (uint256, address, uint256);
    function execute(address to, uint256 value, bytes calldata data) external payable returns (bytes memory);
    function executeWithSig(
        address to,
        uint256 value,
        bytes calldata data,
        address signer,
        uint256 deadline,
        bytes calldata signature
    ) external payable returns (bytes memory);
    function setBytes(bytes32 key, bytes calldata value) external;
    function setBytes32(bytes32 key, bytes32 value) external;
    function getBytes(bytes32 namespace, bytes32 key) external view returns (bytes memory);
    function getBytes32(bytes32 key) external view returns (bytes32);
    function getBytes32(bytes32 namespace, bytes32 key) external view returns (bytes32);
}

interface IIPAssetRegistry {
    function isRegistered(address id) external view returns (bool);
    function register(uint256 chainid, address tokenContract, uint256 tokenId) external returns (address);
}

interface IAccessController {
    function checkPermission(address ipAccount, address signer, address to, bytes4 func) external view;
}

interface IModuleRegistry {
    function isRegistered(address moduleAddress) external view returns (bool);
}

interface ICoreMetadataModule {
    function setAll(address ipId, string calldata metadataURI, bytes32 metadataHash, bytes32 nftMetadataHash)
        external;
}

interface IPILicenseTemplate {
    function exists(uint256 licenseTermsId) external view returns (bool);
    function getRoyaltyPolicy(uint256 licenseTermsId)
        external
        view
        returns (address royaltyPolicy, uint32 royaltyPercent, uint256 mintingFee, address currency);
    function registerLicenseTerms(PILTerms calldata terms) external returns (uint256);
    function verifyMintLicenseToken(uint256 licenseTermsId, address licensee, address licensorIpId, uint256 amount)
        external
        returns (bool);
    function verifyRegisterDerivativeForAllParents(
        address childIpId,
        address[] calldata parentIpIds,
        uint256[] calldata licenseTermsIds,
        address childIpOwner
    ) external returns (bool);
    function canOverrideRoyaltyPercent(uint256 licenseTermsId, uint32 newRoyaltyPercent)
        external
        view
        returns (bool);
    function getEarlierExpireTime(uint256[] calldata licenseTermsIds, uint256 start) external view returns (uint256);
    function isLicenseTransferable(uint256 licenseTermsId) external view returns (bool);
    function allowDerivativeRegistration(uint256 licenseTermsId) external view returns (bool);
    function canAttachToGroupIp(uint256 licenseTermsId) external view returns (bool);
}

interface ILicenseRegistry {
    function attachLicenseTermsToIp(address ipId, address licenseTemplate, uint256 licenseTermsId) external;
    function registerDerivativeIp(
        address childIpId,
        address[] calldata parentIpIds,
        address licenseTemplate,
        uint256[] calldata licenseTermsIds,
        bool isUsingLicenseToken
    ) external;
    function verifyMintLicenseToken(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        bool isMintedByIpOwner
    ) external view returns (LicensingConfig memory);
    function setLicensingConfigForLicense(
        address ipId,
        address licenseTemplate,
        uint256 licenseTermsId,
        LicensingConfig calldata licensingConfig
    ) external;
    function getLicensingConfig(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        view
        returns (LicensingConfig memory);
    function getRoyaltyPercent(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        view
        returns (uint32);
    function hasIpAttachedLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId)
        external
        view
        returns (bool);
    function isDerivativeIp(address ipId) external view returns (bool);
    function getDefaultLicenseTerms() external view returns (address, uint256);
    function isRegisteredLicenseTemplate(address licenseTemplate) external view returns (bool);
    function isExpiredNow(address ipId) external view returns (bool);
    function getParentIps(address childIpId) external view returns (address[] memory);
    function getAncestors(address ipId) external view returns (address[] memory);
    function getAncestorsCount(address ipId) external view returns (uint256);
    function exists(address licenseTemplate, uint256 licenseTermsId) external view returns (bool);
    function hasDerivativeIps(address ipId) external view returns (bool);
    function getAttachedLicenseTermsCount(address ipId) external view returns (uint256);
    function getAttachedLicenseTerms(address ipId, uint256 index)
        external
        view
        returns (address licenseTemplate, uint256 licenseTermsId);
    function verifyGroupAddIp(
        address groupId,
        address groupRewardPool,
        address ipId,
        address groupLicenseTemplate,
        uint256 groupLicenseTermsId
    ) external view returns (LicensingConfig memory);
}

interface ILicenseToken {
    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address minter,
        address receiver,
        uint32 commercialRevShare
    ) external returns (uint256 startLicenseTokenId);
    function validateLicenseTokensForDerivative(address caller, address childIpId, uint256[] calldata tokenIds)
        external
        view
        returns (
            address licenseTemplate,
            address[] memory licensorIpIds,
            uint256[] memory licenseTermsIds,
            uint32[] memory commercialRevShares
        );
    function burnLicenseTokens(address holder, uint256[] calldata tokenIds) external;
    function getTotalTokensByLicensor(address licensorIpId) external view returns (uint256);
}

interface ILicensingModule {
    function attachLicenseTerms(address ipId, address licenseTemplate, uint256 licenseTermsId) external;
    function attachDefaultLicenseTerms(address ipId) external;
    function setLicensingConfig(
        address ipId,
        address licenseTemplate,
        uint256 licenseTermsId,
        LicensingConfig calldata licensingConfig
    ) external;
    function registerDerivativeWithLicenseTokens(
        address childIpId,
        uint256[] calldata licenseTokenIds,
        bytes calldata royaltyContext,
        uint32 maxRts
    ) external;
    function registerDerivative(
        address childIpId,
        address[] calldata parentIpIds,
        uint256[] calldata licenseTermsIds,
        address licenseTemplate,
        bytes calldata royaltyContext,
        uint256 maxMintingFee,
        uint32 maxRts,
        uint32 maxRevenueShare
    ) external;
    function predictMintingLicenseFee(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address receiver,
        bytes calldata royaltyContext
    ) external view returns (address currencyToken, uint256 tokenAmount);
}

interface IRoyaltyModule {
    function isWhitelistedRoyaltyPolicy(address royaltyPolicy) external view returns (bool);
    function isWhitelistedRoyaltyToken(address token) external view returns (bool);
    function ipRoyaltyVaults(address ipId) external view returns (address);
    function deployVault(address ipId) external returns (address);
    function globalRoyaltyStack(address ipId) external view returns (uint32);
    function totalRevenueTokensAccounted(address ipId, address token, address royaltyPolicy)
        external
        view
        returns (uint256);
    function onLicenseMinting(address ipId, address royaltyPolicy, uint32 licensePercent, bytes calldata externalData)
        external;
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licensesRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData,
        uint32 maxRts
    ) external;
    function payLicenseMintingFee(address receiverIpId, address payerAddress, address token, uint256 amount)
        external;
    function payRoyaltyOnBehalf(address receiverIpId, address payerIpId, address token, uint256 amount) external;
}

interface IRoyaltyPolicy {
    function onLicenseMinting(address ipId, uint32 licensePercent, bytes calldata externalData) external;
    function onLinkToParents(
        address ipId,
        address[] calldata parentIpIds,
        address[] calldata licenseRoyaltyPolicies,
        uint32[] calldata licensesPercent,
        bytes calldata externalData
    ) external returns (uint32 rtsRequired);
    function getPolicyRoyaltyStack(address ipId) external view returns (uint32);
    function transferToVault(address ipId, address ancestorIpId, address token) external returns (uint256);
}

interface IIpRoyaltyVault {
    function initialize(string calldata name, string calldata symbol, uint32 supply, address ipIdAddress, address rtsRecipient)
        external;
    function updateVaultBalance(address token, uint256 amount) external;
    function claimRevenueOnBehalfByTokenBatch(address claimer, address[] calldata tokenList)
        external
        returns (uint256[] memory);
    function claimableRevenue(address claimer, address token) external view returns (uint256);
    function claimRevenueOnBehalf(address claimer, address token) external returns (uint256);
}

interface ISPGNFT {
    function initialize(SPGInitParams calldata initParams) external;
    function mintByPeriphery(
        address to,
        address payer,
        string calldata nftMetadataURI,
        bytes32 nftMetadataHash,
        bool allowDuplicates
    ) external returns (uint256 tokenId);
    function hasRole(bytes32 role, address account) external view returns (bool);
    function publicMinting() external view returns (bool);
}

interface IGroupIPAssetRegistry {
    function registerGroup(address groupNft, uint256 groupNftId, address rewardPool, address registerFeePayer)
        external
        returns (address groupId);
    function whitelistGroupRewardPool(address rewardPool, bool allowed) external;
    function addGroupMember(address groupId, address[] calldata ipIds) external;
    function removeGroupMember(address groupId, address[] calldata ipIds) external;
    function isRegisteredGroup(address groupId) external view returns (bool);
    function getGroupRewardPool(address groupId) external view returns (address);
    function isWhitelistedGroupRewardPool(address rewardPool) external view returns (bool);
    function totalMembers(address groupId) external view returns (uint256);
}

interface IGroupNFT {
    function mintGroupNft(address minter, address receiver) external returns (uint256 groupNftId);
    function totalSupply() external view returns (uint256);
}

interface IGroupRewardPool {
    function addIp(address groupId, address ipId, uint256 minimumGroupRewardShare)
        external
        returns (uint256 totalGroupRewardShare);
    function removeIp(address groupId, address ipId) external;
    function depositReward(address groupId, address token, uint256 amount) external;
    function distributeRewards(address groupId, address token, address[] calldata ipIds)
        external
        returns (uint256[] memory rewards);
    function getAvailableReward(address groupId, address token, address[] calldata ipIds)
        external
        view
        returns (uint256[] memory);
}

interface IGroupingModule {
    function registerGroup(address groupPool) external returns (address groupId);
    function addIp(address groupIpId, address[] calldata ipIds, uint256 maxAllowedRewardShare) external;
    function claimReward(address groupId, address token, address[] calldata ipIds) external;
    function collectRoyalties(address groupId, address token) external returns (uint256 royalties);
}
