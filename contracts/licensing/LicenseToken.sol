// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.26;

import {Addr, MAX_PERCENT} from "../lib/Addresses.sol";
import {LicenseTokenMetadata} from "../lib/Structs.sol";
import {ERC721} from "../lib/ERC721.sol";
import {IPILicenseTemplate} from "../lib/Interfaces.sol";
import {Strings} from "../lib/Strings.sol";

/// License tokens: one ERC-721 per license minted, carrying the licensor, the terms and the revenue share
/// frozen at mint time. Burned when used to register a derivative.
contract LicenseToken is ERC721 {
    uint256 public totalMintedTokens;
    mapping(uint256 => LicenseTokenMetadata) private _meta;
    mapping(address => uint256) private _mintedByLicensor;

    event LicenseTokenMinted(address indexed minter, address indexed receiver, uint256 indexed tokenId);

    error LicenseToken__CallerNotLicensingModule();
    error LicenseToken__NotTransferable();
    error LicenseToken__InvalidRoyaltyPercent(uint32 royaltyPercent, address licensorIpId, address licenseTemplate, uint256 licenseTermsId);
    error LicenseToken__CallerAndChildIPNotTokenOwner(
        uint256 tokenId, address caller, address childIpId, address actualTokenOwner
    );
    error LicenseToken__AllLicenseTokensMustFromSameLicenseTemplate(
        address licenseTemplate, address anotherLicenseTemplate
    );
    error LicenseToken__ChildIPAlreadyHasBeenMintedLicenseTokens(address childIpId);

    modifier onlyLicensingModule() {
        if (msg.sender != Addr.LICENSING_MODULE) revert LicenseToken__CallerNotLicensingModule();
        _;
    }

    function name() public pure override returns (string memory) {
        return "Programmable IP License Token";
    }

    function symbol() public pure override returns (string memory) {
        return "PILicenseToken";
    }

    function mintLicenseTokens(
        address licensorIpId,
        address licenseTemplate,
        uint256 licenseTermsId,
        uint256 amount,
        address minter,
        address receiver,
        uint32 commercialRevShare
    ) external onlyLicensingModule returns (uint256 startLicenseTokenId) {
        if (commercialRevShare > MAX_PERCENT) {
            revert LicenseToken__InvalidRoyaltyPercent(commercialRevShare, licensorIpId, licenseTemplate, licenseTermsId);
        }
        bool transferable = IPILicenseTemplate(licenseTemplate).isLicenseTransferable(licenseTermsId);
        startLicenseTokenId = totalMintedTokens;
        for (uint256 i; i < amount; i++) {
            uint256 tokenId = startLicenseTokenId + i;
            _meta[tokenId] =
                LicenseTokenMetadata(licensorIpId, licenseTemplate, licenseTermsId, transferable, commercialRevShare);
            _mint(receiver, tokenId);
            emit LicenseTokenMinted(minter, receiver, tokenId);
        }
        totalMintedTokens = startLicenseTokenId + amount;
        _mintedByLicensor[licensorIpId] += amount;
    }

    function burnLicenseTokens(address, uint256[] calldata tokenIds) external onlyLicensingModule {
        for (uint256 i; i < tokenIds.length; i++) {
            _burn(tokenIds[i]);
        }
    }

    /// Checks the tokens a child wants to link with and returns what they license.
    function validateLicenseTokensForDerivative(address caller, address childIpId, uint256[] calldata tokenIds)
        external
        view
        returns (
            address licenseTemplate,
            address[] memory licensorIpIds,
            uint256[] memory licenseTermsIds,
            uint32[] memory commercialRevShares
        )
    {
        if (_mintedByLicensor[childIpId] > 0) revert LicenseToken__ChildIPAlreadyHasBeenMintedLicenseTokens(childIpId);
        licensorIpIds = new address[](tokenIds.length);
        licenseTermsIds = new uint256[](tokenIds.length);
        commercialRevShares = new uint32[](tokenIds.length);
        for (uint256 i; i < tokenIds.length; i++) {
            address holder = ownerOf(tokenIds[i]);
            if (holder != caller && holder != childIpId) {
                revert LicenseToken__CallerAndChildIPNotTokenOwner(tokenIds[i], caller, childIpId, holder);
            }
            LicenseTokenMetadata storage m = _meta[tokenIds[i]];
            if (i == 0) licenseTemplate = m.licenseTemplate;
            else if (m.licenseTemplate != licenseTemplate) {
                revert LicenseToken__AllLicenseTokensMustFromSameLicenseTemplate(licenseTemplate, m.licenseTemplate);
            }
            licensorIpIds[i] = m.licensorIpId;
            licenseTermsIds[i] = m.licenseTermsId;
            commercialRevShares[i] = m.commercialRevShare;
        }
    }

    function getLicenseTokenMetadata(uint256 tokenId) external view returns (LicenseTokenMetadata memory) {
        ownerOf(tokenId);
        return _meta[tokenId];
    }

    function getLicensorIpId(uint256 tokenId) external view returns (address) {
        return _meta[tokenId].licensorIpId;
    }

    function getLicenseTermsId(uint256 tokenId) external view returns (uint256) {
        return _meta[tokenId].licenseTermsId;
    }

    function getLicenseTemplate(uint256 tokenId) external view returns (address) {
        return _meta[tokenId].licenseTemplate;
    }

    function getTotalTokensByLicensor(address licensorIpId) external view returns (uint256) {
        return _mintedByLicensor[licensorIpId];
    }

    function tokenURI(uint256 tokenId) external view returns (string memory) {
        ownerOf(tokenId);
        LicenseTokenMetadata storage m = _meta[tokenId];
        return string.concat(
            "data:application/json,{\"name\":\"License #",
            Strings.toString(tokenId),
            "\",\"licenseTermsId\":",
            Strings.toString(m.licenseTermsId),
            ",\"commercialRevShare\":",
            Strings.toString(m.commercialRevShare),
            "}"
        );
    }

    function _beforeTransfer(address, address, uint256 tokenId) internal view override {
        if (!_meta[tokenId].transferable) revert LicenseToken__NotTransferable();
    }
}
