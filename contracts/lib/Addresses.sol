// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

/// Story's canonical addresses (identical on Aeneid and mainnet). The devnet places every contract at its
/// address with anvil_setCode, so contracts find each other through these constants instead of constructor
/// arguments, which setCode would never run.
library Addr {
    address internal constant ERC6551_REGISTRY = 0x000000006551c19487814612e58FE06813775758;
    address internal constant ACCESS_CONTROLLER = 0xcCF37d0a503Ee1D4C11208672e622ed3DFB2275a;
    address internal constant IP_ASSET_REGISTRY = 0x77319B4031e6eF1250907aa00018B8B1c67a244b;
    address internal constant MODULE_REGISTRY = 0x022DBAAeA5D8fB31a0Ad793335e39Ced5D631fa5;
    address internal constant CORE_METADATA_MODULE = 0x6E81a25C99C6e8430aeC7353325EB138aFE5DC16;
    address internal constant LICENSING_MODULE = 0x04fbd8a2e56dd85CFD5500A4A4DfA955B9f1dE6f;
    address internal constant PIL_TEMPLATE = 0x2E896b0b2Fdb7457499B56AAaA4AE55BCB4Cd316;
    address internal constant LICENSE_REGISTRY = 0x529a750E02d8E2f15649c13D69a465286a780e24;
    address internal constant LICENSE_TOKEN = 0xFe3838BFb30B34170F00030B52eA4893d8aAC6bC;
    address internal constant ROYALTY_MODULE = 0xD2f60c40fEbccf6311f8B47c4f2Ec6b040400086;
    address internal constant ROYALTY_POLICY_LAP = 0xBe54FB168b3c982b7AaE60dB6CF75Bd8447b390E;
    address internal constant ROYALTY_POLICY_LRP = 0x9156e603C949481883B1d3355c6f1132D191fC41;
    address internal constant REGISTRATION_WORKFLOWS = 0xbe39E1C756e921BD25DF86e7AAa31106d1eb0424;
    address internal constant LICENSE_ATTACHMENT_WORKFLOWS = 0xcC2E862bCee5B6036Db0de6E06Ae87e524a79fd8;
    address internal constant DERIVATIVE_WORKFLOWS = 0x9e2d496f72C547C2C535B167e06ED8729B374a4f;
    address internal constant ROYALTY_WORKFLOWS = 0x9515faE61E0c0447C6AC6dEe5628A2097aFE1890;
    address internal constant ROYALTY_TOKEN_DISTRIBUTION_WORKFLOWS = 0xa38f42B8d33809917f23997B8423054aAB97322C;
    address internal constant WIP = 0x1514000000000000000000000000000000000000;
    address internal constant MULTICALL3 = 0xcA11bde05977b3631167028862bE2a173976CA11;
    address internal constant DISPUTE_MODULE = 0x9b7A9c70AFF961C799110954fc06F3093aeb94C5;
    address internal constant GROUPING_MODULE = 0x69D3a7aa9edb72Bc226E745A7cCdd50D947b69Ac;
    address internal constant GROUP_NFT = 0x4709798FeA84C84ae2475fF0c25344115eE1529f;
    address internal constant EVEN_SPLIT_GROUP_POOL = 0xf96f2c30b41Cb6e0290de43C8528ae83d4f33F89;
    address internal constant GROUPING_WORKFLOWS = 0xD7c0beb3aa4DCD4723465f1ecAd045676c24CDCd;
    // Per-IP contracts are minimal proxies; their implementations sit at Story's beacon addresses.
    address internal constant IP_ACCOUNT_IMPL = 0x00b800138e4D82D1eea48b414d2a2A8Aee9A33b1;
    address internal constant IP_ROYALTY_VAULT_IMPL = 0x6928ba25Aa5c410dd855dFE7e95713d83e402AA6;
    address internal constant SPG_NFT_IMPL = 0xD2926B9ecaE85fF59B6FB0ff02f568a680c01218;
}

// Story's percentage scale: 100% = 100_000_000.
uint32 constant MAX_PERCENT = 100_000_000;
