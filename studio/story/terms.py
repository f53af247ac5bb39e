"""The catalogue's PIL terms as Story's ABI structs, and back.

The catalogue keeps terms chain-independent ("lap", "WIP"); here they meet the canonical addresses, which
are the same on the devnet, Aeneid and mainnet.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from studio.licensing import LicenseCatalog, PilTerms, WorkTerms, effective_pil
from studio.licensing.story_rules import story_field_name
from studio.store.publications import Publication
from studio.story.devnet.addresses import ROYALTY_POLICY_LAP, ROYALTY_POLICY_LRP, WIP
from studio.story.errors import ImportFailed
from studio.story.prediction import Prediction

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
POLICY_ADDRESSES = {"lap": ROYALTY_POLICY_LAP, "lrp": ROYALTY_POLICY_LRP}
CURRENCY_ADDRESSES = {"WIP": WIP}


def policy_address(policy: str | None) -> str:
    return POLICY_ADDRESSES[policy] if policy else ZERO_ADDRESS


def policy_name(address: str) -> str | None:
    for name, known in POLICY_ADDRESSES.items():
        if known.lower() == address.lower():
            return name
    if int(address, 16) == 0:
        return None
    raise ImportFailed(f"the terms use a royalty policy the studio does not know ({address})",
                       hint="only LAP and LRP terms can be imported")


def terms_struct(pil: PilTerms) -> dict[str, Any]:
    """`PILTerms` in ABI field order, addresses filled in."""
    fields = pil.story_fields()
    fields["royaltyPolicy"] = policy_address(pil.royalty_policy)
    fields["commercializerChecker"] = pil.commercializer_checker or ZERO_ADDRESS
    fields["currency"] = CURRENCY_ADDRESSES[pil.currency] if pil.currency else ZERO_ADDRESS
    return fields


def pil_from_struct(struct: dict[str, Any]) -> PilTerms:
    currency = str(struct["currency"])
    if int(currency, 16) == 0:
        symbol = None
    elif currency.lower() == WIP.lower():
        symbol = "WIP"
    else:
        raise ImportFailed(f"the terms are paid in a currency the studio does not know ({currency})",
                           hint="only WIP terms can be imported")
    checker = str(struct["commercializerChecker"])
    return PilTerms(
        transferable=bool(struct["transferable"]),
        royalty_policy=policy_name(str(struct["royaltyPolicy"])),
        default_minting_fee=int(struct["defaultMintingFee"]),
        expiration=int(struct["expiration"]),
        commercial_use=bool(struct["commercialUse"]),
        commercial_attribution=bool(struct["commercialAttribution"]),
        commercializer_checker=None if int(checker, 16) == 0 else checker,
        commercializer_checker_data=bytes(struct["commercializerCheckerData"]),
        commercial_rev_share=int(struct["commercialRevShare"]),
        commercial_rev_ceiling=int(struct["commercialRevCeiling"]),
        derivatives_allowed=bool(struct["derivativesAllowed"]),
        derivatives_attribution=bool(struct["derivativesAttribution"]),
        derivatives_approval=bool(struct["derivativesApproval"]),
        derivatives_reciprocal=bool(struct["derivativesReciprocal"]),
        derivative_rev_ceiling=int(struct["derivativeRevCeiling"]),
        currency=symbol,
        uri=str(struct["uri"]),
    )


def licensing_config(rev_share_override: int | None, minting_fee: int) -> dict[str, Any]:
    """A licensing config that raises the rev share (Story's raise-only override) and keeps the fee."""
    return {
        "isSet": bool(rev_share_override),
        "mintingFee": minting_fee if rev_share_override else 0,
        "licensingHook": ZERO_ADDRESS,
        "hookData": b"",
        "commercialRevShare": rev_share_override or 0,
        "disabled": False,
        "expectMinimumGroupRewardShare": 0,
        "expectGroupRewardPool": ZERO_ADDRESS,
    }


def matching_terms(pil: PilTerms, catalog: LicenseCatalog) -> WorkTerms:
    """The catalogue license (with its parameters set) whose Story terms are exactly `pil`."""
    for lic in catalog.all():
        if not lic.is_pil:
            continue
        params: dict[str, Any] = {}
        if "rev_share" in lic.parameters:
            params["rev_share"] = pil.commercial_rev_share
        if "minting_fee" in lic.parameters:
            params["minting_fee"] = pil.default_minting_fee
        if lic.pil.royalty_policy is not None and pil.royalty_policy is not None:
            params["royalty_policy"] = pil.royalty_policy
        base = replace(lic.pil, **{k: v for k, v in (("commercial_rev_share", params.get("rev_share")),
                                                      ("default_minting_fee", params.get("minting_fee")),
                                                      ("royalty_policy", params.get("royalty_policy")))
                                   if v is not None})
        if base != pil:
            continue
        terms = WorkTerms(lic, **_explicit(lic.pil, params))
        if effective_pil(terms) == pil:
            return terms
    raise ImportFailed(
        "the IP's license terms match no license of the studio's catalogue",
        hint="add a license file with these PIL terms to the licenses folder, then import again",
    )


def _explicit(base: PilTerms, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters that differ from the license's defaults are stored on the work."""
    defaults = {"rev_share": base.commercial_rev_share, "minting_fee": base.default_minting_fee,
                "royalty_policy": base.royalty_policy}
    return {k: v for k, v in params.items() if v != defaults[k]}


def story_terms(pub: Publication | None, catalog: LicenseCatalog) -> WorkTerms | None:
    """The terms a confirmed publication carries on its network, as the catalogue names them."""
    prediction = Prediction.of(pub) if pub is not None and pub.on_chain else None
    if prediction is None or not prediction.terms:
        return None
    stored = dict(prediction.terms)
    values = {}
    for f in fields(PilTerms):
        value = stored.get(story_field_name(f.name))
        if f.name == "commercializer_checker_data":
            value = bytes.fromhex(str(value or "").removeprefix("0x"))
        values[f.name] = value
    return matching_terms(PilTerms(**values), catalog)
