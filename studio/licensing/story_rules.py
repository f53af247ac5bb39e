"""Story's PIL terms (`PilTerms`) and the rules its PILicenseTemplate and LicensingModule enforce on them.

Each check returns the rules a set of terms breaks, as one-line texts that name the rule, so that the
catalogue loader and the work-terms validation can say exactly why Story would refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from studio.core.types import HUNDRED_PERCENT

ROYALTY_POLICIES = ("lap", "lrp")
# WIP is the revenue token Story whitelists on both networks; the studio knows no other.
CURRENCIES = ("WIP",)
UINT32_MAX = 2**32 - 1
UINT256_MAX = 2**256 - 1



@dataclass(frozen=True)
class PilTerms:
    """Story's PILTerms, field for field in ABI order, in Story's units.

    Addresses are symbolic so that the terms stay chain-independent: `royalty_policy` is "lap", "lrp" or
    None (the zero address), `currency` is "WIP" or None; the publisher maps them to addresses.
    Percentages use Story's scale (100% = 100_000_000), fees are wei, `expiration` is seconds (0 = never).
    """

    transferable: bool
    royalty_policy: str | None
    default_minting_fee: int
    expiration: int
    commercial_use: bool
    commercial_attribution: bool
    commercializer_checker: str | None
    commercializer_checker_data: bytes
    commercial_rev_share: int
    commercial_rev_ceiling: int
    derivatives_allowed: bool
    derivatives_attribution: bool
    derivatives_approval: bool
    derivatives_reciprocal: bool
    derivative_rev_ceiling: int
    currency: str | None
    uri: str

    def story_fields(self) -> dict[str, Any]:
        """The terms under Story's own (camelCase) field names, in ABI order."""
        return {story_field_name(f.name): getattr(self, f.name) for f in fields(self)}


def story_field_name(name: str) -> str:
    """A PilTerms field's name as Story's ABI spells it (camelCase)."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def registration_problems(terms: PilTerms) -> list[str]:
    """What `PILicenseTemplate.registerLicenseTerms` would revert on, plus the value ranges of the ABI."""
    problems: list[str] = []
    for name in ("default_minting_fee", "expiration", "commercial_rev_ceiling", "derivative_rev_ceiling"):
        value = getattr(terms, name)
        if not 0 <= value <= UINT256_MAX:
            problems.append(f"{name} must be a whole number from 0 to 2^256-1 (a uint256), not {value}")
    if not 0 <= terms.commercial_rev_share <= UINT32_MAX:
        problems.append("commercial_rev_share must fit a uint32 (100% = 100_000_000)")
    elif terms.commercial_rev_share > HUNDRED_PERCENT:
        # Registration accepts it, but every license mint and link would revert above 100%.
        problems.append("commercial_rev_share above 100% (100_000_000): Story refuses every mint and link")
    if terms.royalty_policy is not None and terms.royalty_policy not in ROYALTY_POLICIES:
        problems.append(
            f"royalty_policy {terms.royalty_policy!r} is not a whitelisted policy: use lap, lrp or none"
        )
    if terms.currency is not None and terms.currency not in CURRENCIES:
        problems.append(f"currency {terms.currency!r} is not a whitelisted royalty token: use WIP or none")
    if terms.royalty_policy is not None and terms.currency is None:
        problems.append("a royalty_policy requires a currency (royaltyPolicy != 0 needs currency != 0)")
    if terms.default_minting_fee > 0 and terms.royalty_policy is None:
        problems.append("a default_minting_fee above 0 requires a royalty_policy")
    if terms.commercializer_checker is not None:
        # Story accepts a registered IHookModule here; the studio cannot verify one offline.
        problems.append("commercializer_checker must be none: the studio supports no commercializer hooks")
    if terms.commercializer_checker_data:
        problems.append("commercializer_checker_data must be empty without a commercializer_checker")
    if not terms.commercial_use:
        for name in ("commercial_attribution", "commercial_rev_share", "commercial_rev_ceiling",
                     "derivative_rev_ceiling"):
            if getattr(terms, name):
                problems.append(f"commercial_use = false requires {name} to be false/0")
        if terms.royalty_policy is not None:
            problems.append("commercial_use = false requires royalty_policy = none")
    elif terms.royalty_policy is None:
        problems.append("commercial_use = true requires a royalty_policy (lap or lrp)")
    if not terms.derivatives_allowed:
        for name in ("derivatives_attribution", "derivatives_approval", "derivatives_reciprocal",
                     "derivative_rev_ceiling"):
            if getattr(terms, name):
                problems.append(f"derivatives_allowed = false requires {name} to be false/0")
    return problems


def override_problem(terms: PilTerms, override: int) -> str | None:
    """Why `setLicensingConfig(commercialRevShare=override)` would be refused (canOverrideRoyaltyPercent)."""
    if not 0 <= override <= HUNDRED_PERCENT:
        return f"a rev share override must be from 0 to 100% (0 to {HUNDRED_PERCENT}), not {override}"
    if not terms.commercial_use:
        return "a rev share override needs commercial terms"
    if override != 0 and override < terms.commercial_rev_share:
        return (
            f"a rev share override may only raise the terms' {terms.commercial_rev_share} units "
            f"(or be 0 for none), not lower it to {override}"
        )
    return None
