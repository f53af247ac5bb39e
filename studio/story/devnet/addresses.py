"""Story's canonical contract addresses (identical on Aeneid and mainnet), where the devnet places its contracts.

One table, keyed by the devnet contract placed there; the constants below read from it. The per-IP proxies
(IP accounts, royalty vaults, collections) point at implementations kept at Story's beacon addresses.
"""

from __future__ import annotations

DEVNET_CHAIN_ID = 1315

CANONICAL: dict[str, str] = {
    "ERC6551Registry": "0x000000006551c19487814612e58FE06813775758",
    "AccessController": "0xcCF37d0a503Ee1D4C11208672e622ed3DFB2275a",
    "IPAssetRegistry": "0x77319B4031e6eF1250907aa00018B8B1c67a244b",
    "ModuleRegistry": "0x022DBAAeA5D8fB31a0Ad793335e39Ced5D631fa5",
    "CoreMetadataModule": "0x6E81a25C99C6e8430aeC7353325EB138aFE5DC16",
    "LicensingModule": "0x04fbd8a2e56dd85CFD5500A4A4DfA955B9f1dE6f",
    "PILicenseTemplate": "0x2E896b0b2Fdb7457499B56AAaA4AE55BCB4Cd316",
    "LicenseRegistry": "0x529a750E02d8E2f15649c13D69a465286a780e24",
    "LicenseToken": "0xFe3838BFb30B34170F00030B52eA4893d8aAC6bC",
    "RoyaltyModule": "0xD2f60c40fEbccf6311f8B47c4f2Ec6b040400086",
    "RoyaltyPolicyLAP": "0xBe54FB168b3c982b7AaE60dB6CF75Bd8447b390E",
    "RoyaltyPolicyLRP": "0x9156e603C949481883B1d3355c6f1132D191fC41",
    "RegistrationWorkflows": "0xbe39E1C756e921BD25DF86e7AAa31106d1eb0424",
    "LicenseAttachmentWorkflows": "0xcC2E862bCee5B6036Db0de6E06Ae87e524a79fd8",
    "DerivativeWorkflows": "0x9e2d496f72C547C2C535B167e06ED8729B374a4f",
    "RoyaltyWorkflows": "0x9515faE61E0c0447C6AC6dEe5628A2097aFE1890",
    "RoyaltyTokenDistributionWorkflows": "0xa38f42B8d33809917f23997B8423054aAB97322C",
    "WIP": "0x1514000000000000000000000000000000000000",
    "Multicall3": "0xcA11bde05977b3631167028862bE2a173976CA11",
    "DisputeModule": "0x9b7A9c70AFF961C799110954fc06F3093aeb94C5",
    "GroupingModule": "0x69D3a7aa9edb72Bc226E745A7cCdd50D947b69Ac",
    "GroupNFT": "0x4709798FeA84C84ae2475fF0c25344115eE1529f",
    "EvenSplitGroupPool": "0xf96f2c30b41Cb6e0290de43C8528ae83d4f33F89",
    "GroupingWorkflows": "0xD7c0beb3aa4DCD4723465f1ecAd045676c24CDCd",
    # implementations behind the per-IP minimal proxies (Story's beacon addresses)
    "IPAccountImpl": "0x00b800138e4D82D1eea48b414d2a2A8Aee9A33b1",
    "IpRoyaltyVault": "0x6928ba25Aa5c410dd855dFE7e95713d83e402AA6",
    "SPGNFT": "0xD2926B9ecaE85fF59B6FB0ff02f568a680c01218",
}

ERC6551_REGISTRY = CANONICAL["ERC6551Registry"]
ACCESS_CONTROLLER = CANONICAL["AccessController"]
IP_ASSET_REGISTRY = CANONICAL["IPAssetRegistry"]
MODULE_REGISTRY = CANONICAL["ModuleRegistry"]
CORE_METADATA_MODULE = CANONICAL["CoreMetadataModule"]
LICENSING_MODULE = CANONICAL["LicensingModule"]
PIL_TEMPLATE = CANONICAL["PILicenseTemplate"]
LICENSE_REGISTRY = CANONICAL["LicenseRegistry"]
LICENSE_TOKEN = CANONICAL["LicenseToken"]
ROYALTY_MODULE = CANONICAL["RoyaltyModule"]
ROYALTY_POLICY_LAP = CANONICAL["RoyaltyPolicyLAP"]
ROYALTY_POLICY_LRP = CANONICAL["RoyaltyPolicyLRP"]
REGISTRATION_WORKFLOWS = CANONICAL["RegistrationWorkflows"]
LICENSE_ATTACHMENT_WORKFLOWS = CANONICAL["LicenseAttachmentWorkflows"]
DERIVATIVE_WORKFLOWS = CANONICAL["DerivativeWorkflows"]
ROYALTY_WORKFLOWS = CANONICAL["RoyaltyWorkflows"]
ROYALTY_TOKEN_DISTRIBUTION_WORKFLOWS = CANONICAL["RoyaltyTokenDistributionWorkflows"]
WIP = CANONICAL["WIP"]
MULTICALL3 = CANONICAL["Multicall3"]
DISPUTE_MODULE = CANONICAL["DisputeModule"]
GROUPING_MODULE = CANONICAL["GroupingModule"]
GROUP_NFT = CANONICAL["GroupNFT"]
EVEN_SPLIT_GROUP_POOL = CANONICAL["EvenSplitGroupPool"]
GROUPING_WORKFLOWS = CANONICAL["GroupingWorkflows"]
IP_ACCOUNT_IMPL = CANONICAL["IPAccountImpl"]
IP_ROYALTY_VAULT_IMPL = CANONICAL["IpRoyaltyVault"]
SPG_NFT_IMPL = CANONICAL["SPGNFT"]

# Contracts whose storage is set up by an argument-less initialize() after placement, in this order
# (the template's terms id 1 must exist before the license registry makes it the default; the grouping module
# whitelists the even-split pool in the IP asset registry).
INITIALIZED_IN_ORDER: tuple[str, ...] = (
    "ModuleRegistry", "RoyaltyModule", "PILicenseTemplate", "LicenseRegistry", "GroupingModule",
)
