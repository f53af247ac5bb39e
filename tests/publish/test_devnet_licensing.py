"""PIL terms on the devnet: validation (§1.2), dedup by hash, the NCSR default, attaching, configs."""

from __future__ import annotations

import pytest
from devnet_chain import NO_CONFIG, PCT, ZERO, commercial_remix, pil_terms

from studio.story.devnet.addresses import PIL_TEMPLATE, ROYALTY_POLICY_LAP, WIP

NCSR_URI = (
    "https://github.com/piplabs/pil-document/blob/998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json"
)
NOT_WHITELISTED = "0x000000000000000000000000000000000000dEaD"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"royaltyPolicy": NOT_WHITELISTED, "currency": WIP}, "PILicenseTemplate__RoyaltyPolicyNotWhitelisted"),
        ({"currency": NOT_WHITELISTED}, "PILicenseTemplate__CurrencyTokenNotWhitelisted"),
        (
            {"commercialUse": True, "royaltyPolicy": ROYALTY_POLICY_LAP},
            "PILicenseTemplate__RoyaltyPolicyRequiresCurrencyToken",
        ),
        ({"defaultMintingFee": 1}, "PILicenseTemplate__MintingFeeRequiresRoyaltyPolicy"),
        ({"commercialAttribution": True}, "PILicenseTemplate__CommercialDisabled_CantAddAttribution"),
        ({"commercializerChecker": NOT_WHITELISTED}, "PILicenseTemplate__CommercialDisabled_CantAddCommercializers"),
        ({"commercialRevShare": 5 * PCT}, "PILicenseTemplate__CommercialDisabled_CantAddRevShare"),
        ({"commercialRevCeiling": 10}, "PILicenseTemplate__CommercialDisabled_CantAddRevCeiling"),
        ({"derivativeRevCeiling": 10}, "PILicenseTemplate__CommercialDisabled_CantAddDerivRevCeiling"),
        (
            {"royaltyPolicy": ROYALTY_POLICY_LAP, "currency": WIP},
            "PILicenseTemplate__CommercialDisabled_CantAddRoyaltyPolicy",
        ),
        ({"commercialUse": True, "currency": WIP}, "PILicenseTemplate__CommercialEnabled_RoyaltyPolicyRequired"),
        (
            {"commercialUse": True, "royaltyPolicy": ROYALTY_POLICY_LAP, "currency": WIP, "commercializerChecker": WIP},
            "PILicenseTemplate__CommercializerCheckerDoesNotSupportHook",
        ),
        (
            {"derivativesAllowed": False, "derivativesReciprocal": False},
            "PILicenseTemplate__DerivativesDisabled_CantAddAttribution",
        ),
        (
            {
                "derivativesAllowed": False,
                "derivativesAttribution": False,
                "derivativesReciprocal": False,
                "derivativesApproval": True,
            },
            "PILicenseTemplate__DerivativesDisabled_CantAddApproval",
        ),
        (
            {"derivativesAllowed": False, "derivativesAttribution": False},
            "PILicenseTemplate__DerivativesDisabled_CantAddReciprocal",
        ),
    ],
)
def test_invalid_terms_are_refused(chain, overrides, error) -> None:
    fn = chain.c("PILicenseTemplate").functions.registerLicenseTerms(pil_terms(**overrides))
    assert chain.revert_name(fn) == error


def test_rev_share_above_100_percent_registers_but_cannot_be_licensed(chain) -> None:
    # §1.2: no cap at registration; the cap bites when a license is minted.
    terms = commercial_remix(150)
    template = chain.c("PILicenseTemplate")
    receipt = chain.send(template.functions.registerLicenseTerms(terms))
    (registered,) = chain.events(receipt, "PILicenseTemplate", "LicenseTermsRegistered")
    ip, _ = chain.register_root(commercial_remix(10))
    chain.send(chain.c("LicensingModule").functions.attachLicenseTerms(ip, PIL_TEMPLATE, registered["licenseTermsId"]))
    mint = chain.c("LicensingModule").functions.mintLicenseTokens(
        ip, PIL_TEMPLATE, registered["licenseTermsId"], 1, chain.bob, b"", 0, 0
    )
    assert chain.revert_name(mint, chain.bob) == "RoyaltyModule__AboveMaxPercent"


def test_ncsr_is_id_1_and_the_default(chain) -> None:
    template = chain.c("PILicenseTemplate")
    ncsr = template.functions.getLicenseTerms(1).call()
    assert ncsr[0] is True and ncsr[4] is False and ncsr[10] is True and ncsr[13] is True
    assert ncsr[16] == NCSR_URI
    assert template.functions.getLicenseTermsId(pil_terms(uri=NCSR_URI)).call() == 1
    assert chain.c("LicenseRegistry").functions.getDefaultLicenseTerms().call() == [PIL_TEMPLATE, 1]
    assert template.functions.exists(1).call() and not template.functions.exists(2).call()


def test_identical_terms_get_the_same_id_without_an_event(chain) -> None:
    template = chain.c("PILicenseTemplate")
    first = chain.send(template.functions.registerLicenseTerms(commercial_remix(10)))
    (event,) = chain.events(first, "PILicenseTemplate", "LicenseTermsRegistered")
    assert event["licenseTermsId"] == 2 and event["licenseTemplate"] == PIL_TEMPLATE
    again = chain.send(template.functions.registerLicenseTerms(commercial_remix(10)))
    assert chain.events(again, "PILicenseTemplate", "LicenseTermsRegistered") == []
    assert template.functions.getLicenseTermsId(commercial_remix(10)).call() == 2
    other = chain.send(template.functions.registerLicenseTerms(commercial_remix(11)))
    assert chain.events(other, "PILicenseTemplate", "LicenseTermsRegistered")[0]["licenseTermsId"] == 3
    assert template.functions.totalRegisteredLicenseTerms().call() == 3


def test_uri_is_json_escaped_before_hashing(chain) -> None:
    # The stored URI is escaped, so the unescaped lookup misses (§1.2's documented quirk).
    template = chain.c("PILicenseTemplate")
    terms = pil_terms(uri='say "hi"\n')
    chain.send(template.functions.registerLicenseTerms(terms))
    assert template.functions.getLicenseTerms(2).call()[16] == 'say \\"hi\\"\\n'
    assert template.functions.getLicenseTermsId(terms).call() == 0


def test_root_register_attaches_terms_and_creates_ip_account(chain) -> None:
    ip, ids = chain.register_root(commercial_remix(10, fee=5))
    registry = chain.c("LicenseRegistry")
    assert ids == [2]
    assert chain.c("IPAssetRegistry").functions.isRegistered(ip).call()
    assert registry.functions.hasIpAttachedLicenseTerms(ip, PIL_TEMPLATE, 2).call()
    assert registry.functions.getAttachedLicenseTermsCount(ip).call() == 1
    assert registry.functions.getAttachedLicenseTerms(ip, 0).call() == [PIL_TEMPLATE, 2]
    assert registry.functions.getRoyaltyPercent(ip, PIL_TEMPLATE, 2).call() == 10 * PCT
    assert not registry.functions.isDerivativeIp(ip).call()
    account = chain.c("IPAccountImpl", ip)
    chain_id, nft, token_id = account.functions.token().call()
    assert chain_id == 1315 and nft == chain.spg and token_id == 1
    assert account.functions.owner().call() == chain.alice
    fee = chain.c("LicensingModule").functions.predictMintingLicenseFee(ip, PIL_TEMPLATE, 2, 3, chain.bob, b"").call()
    assert fee == [WIP, 15]


def test_attaching_twice_is_refused_but_the_workflow_swallows_it(chain) -> None:
    ip, ids = chain.register_root(commercial_remix(10))
    licensing = chain.c("LicensingModule")
    again = licensing.functions.attachLicenseTerms(ip, PIL_TEMPLATE, ids[0])
    assert chain.revert_name(again) == "LicenseRegistry__LicenseTermsAlreadyAttached"
    assert chain.revert_name(again, chain.bob) == "AccessController__PermissionDenied"
    # The workflow form: the same terms twice in one call attach once, and the call succeeds.
    ip2, attached = chain.register_root(commercial_remix(10), commercial_remix(10))
    assert attached == [2]
    assert chain.c("LicenseRegistry").functions.getAttachedLicenseTermsCount(ip2).call() == 1


def test_default_terms_attach(chain) -> None:
    ip = chain.register_bare()
    chain.send(chain.c("LicensingModule").functions.attachDefaultLicenseTerms(ip))
    assert chain.c("LicenseRegistry").functions.hasIpAttachedLicenseTerms(ip, PIL_TEMPLATE, 1).call()


def test_royalty_override_is_raise_only(chain) -> None:
    ip, (terms_id,) = chain.register_root(commercial_remix(10))
    licensing = chain.c("LicensingModule")
    lower = dict(NO_CONFIG, isSet=True, commercialRevShare=5 * PCT)
    fn = licensing.functions.setLicensingConfig(ip, PIL_TEMPLATE, terms_id, lower)
    assert chain.revert_name(fn) == "LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent"
    higher = dict(NO_CONFIG, isSet=True, commercialRevShare=20 * PCT)
    chain.send(licensing.functions.setLicensingConfig(ip, PIL_TEMPLATE, terms_id, higher))
    assert chain.c("LicenseRegistry").functions.getRoyaltyPercent(ip, PIL_TEMPLATE, terms_id).call() == 20 * PCT
    # Non-commercial terms have no share to override.
    ncsr_config = licensing.functions.setLicensingConfig(ip, PIL_TEMPLATE, 1, higher)
    assert chain.revert_name(ncsr_config) == "LicensingModule__CurrentLicenseNotAllowOverrideRoyaltyPercent"
    template = chain.c("PILicenseTemplate")
    assert template.functions.canOverrideRoyaltyPercent(terms_id, 10 * PCT).call()
    assert not template.functions.canOverrideRoyaltyPercent(terms_id, 10 * PCT - 1).call()


def test_disabled_license_cannot_be_minted(chain) -> None:
    ip, (terms_id,) = chain.register_root(commercial_remix(10))
    licensing = chain.c("LicensingModule")
    chain.send(
        licensing.functions.setLicensingConfig(ip, PIL_TEMPLATE, terms_id, dict(NO_CONFIG, isSet=True, disabled=True))
    )
    mint = licensing.functions.mintLicenseTokens(ip, PIL_TEMPLATE, terms_id, 1, chain.bob, b"", 0, 0)
    assert chain.revert_name(mint, chain.bob) == "LicensingModule__LicenseDisabled"
    assert chain.revert_name(chain.derivative_fn([ip], [terms_id], owner=chain.bob), chain.bob) == (
        "LicensingModule__LicenseDisabled"
    )


def test_license_tokens_minted_and_used_for_a_derivative(chain) -> None:
    ip, (terms_id,) = chain.register_root(commercial_remix(10))
    licensing = chain.c("LicensingModule")
    receipt = chain.send(
        licensing.functions.mintLicenseTokens(ip, PIL_TEMPLATE, terms_id, 2, chain.bob, b"", 0, 0), chain.bob
    )
    (minted,) = chain.events(receipt, "LicensingModule", "LicenseTokensMinted")
    assert minted["amount"] == 2 and minted["receiver"] == chain.bob and minted["licenseTermsId"] == terms_id
    tokens = chain.events(receipt, "LicenseToken", "LicenseTokenMinted")
    assert [t["tokenId"] for t in tokens] == [0, 1]
    license_token = chain.c("LicenseToken")
    assert license_token.functions.ownerOf(0).call() == chain.bob
    assert license_token.functions.getTotalTokensByLicensor(ip).call() == 2

    child = chain.register_bare(chain.bob)
    chain.send(licensing.functions.registerDerivativeWithLicenseTokens(child, [0], b"", 0), chain.bob)
    registry = chain.c("LicenseRegistry")
    assert registry.functions.getParentIp(child, 0).call() == ip
    assert registry.functions.hasIpAttachedLicenseTerms(child, PIL_TEMPLATE, terms_id).call()
    assert chain.revert_name(license_token.functions.ownerOf(0)) == "ERC721NonexistentToken"
    # The licensor has minted, so it can no longer become a derivative itself.
    other_root, (other_terms,) = chain.register_root(commercial_remix(5))
    assert (
        chain.revert_name(
            licensing.functions.registerDerivative(ip, [other_root], [other_terms], PIL_TEMPLATE, b"", 0, 0, 0)
        )
        == "LicensingModule__DerivativeAlreadyHasBeenMintedLicenseTokens"
    )


def test_private_license_needs_the_owner(chain) -> None:
    ip, _ = chain.register_root(commercial_remix(10))
    template = chain.c("PILicenseTemplate")
    chain.send(template.functions.registerLicenseTerms(commercial_remix(30)))
    licensing = chain.c("LicensingModule")
    by_stranger = licensing.functions.mintLicenseTokens(ip, PIL_TEMPLATE, 3, 1, chain.bob, b"", 0, 0)
    assert chain.revert_name(by_stranger, chain.bob) == "LicenseRegistry__LicensorIpHasNoLicenseTerms"
    chain.send(licensing.functions.mintLicenseTokens(ip, PIL_TEMPLATE, 3, 1, chain.bob, b"", 0, 0), chain.alice)
    assert chain.c("LicenseToken").functions.ownerOf(0).call() == chain.bob
    assert ip != ZERO
