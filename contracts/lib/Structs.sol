// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

// Field order is the ABI tuple order clients encode; it must not change.

struct PILTerms {
    bool transferable;
    address royaltyPolicy;
    uint256 defaultMintingFee;
    uint256 expiration;
    bool commercialUse;
    bool commercialAttribution;
    address commercializerChecker;
    bytes commercializerCheckerData;
    uint32 commercialRevShare;
    uint256 commercialRevCeiling;
    bool derivativesAllowed;
    bool derivativesAttribution;
    bool derivativesApproval;
    bool derivativesReciprocal;
    uint256 derivativeRevCeiling;
    address currency;
    string uri;
}

struct LicensingConfig {
    bool isSet;
    uint256 mintingFee;
    address licensingHook;
    bytes hookData;
    uint32 commercialRevShare;
    bool disabled;
    uint32 expectMinimumGroupRewardShare;
    address expectGroupRewardPool;
}

struct IPMetadata {
    string ipMetadataURI;
    bytes32 ipMetadataHash;
    string nftMetadataURI;
    bytes32 nftMetadataHash;
}

struct SignatureData {
    address signer;
    uint256 deadline;
    bytes signature;
}

struct MakeDerivative {
    address[] parentIpIds;
    address licenseTemplate;
    uint256[] licenseTermsIds;
    bytes royaltyContext;
    uint256 maxMintingFee;
    uint32 maxRts;
    uint32 maxRevenueShare;
}

struct LicenseTermsData {
    PILTerms terms;
    LicensingConfig licensingConfig;
}

struct LicenseData {
    address licenseTemplate;
    uint256 licenseTermsId;
    LicensingConfig licensingConfig;
}

struct RoyaltyShare {
    address recipient;
    uint32 percentage;
}

struct ClaimRevenueData {
    address childIpId;
    address royaltyPolicy;
    address currencyToken;
}

struct SPGInitParams {
    string name;
    string symbol;
    string baseURI;
    string contractURI;
    uint32 maxSupply;
    uint256 mintFee;
    address mintFeeToken;
    address mintFeeRecipient;
    address owner;
    bool mintOpen;
    bool isPublicMinting;
}

struct Call {
    address target;
    uint256 value;
    bytes data;
}

struct TransientPermission {
    address ipAccount;
    address signer;
    address to;
    bytes4 func;
    uint8 permission;
}

struct LicenseTokenMetadata {
    address licensorIpId;
    address licenseTemplate;
    uint256 licenseTermsId;
    bool transferable;
    uint32 commercialRevShare;
}
