"""Every decision of the license engine: a stable snake_case code, its default scope and severity, the rule
it applies and the message a creator reads.

Scopes say what a blocking reason stops: `make` (making the work or a derivative of it), `commercial`
(using it commercially), `publish` (registering it on Story now) or `train` (training a model on it). A
`block` stops its scope; `warn` and `info` only explain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.core.reasons import Reason, Scope, Severity
from studio.licensing.model_terms_codes import MODEL_TERMS_CODES
from studio.licensing.story_training_codes import STORY_TRAINING_CODES
from studio.licensing.training_codes import TRAINING_CODES


@dataclass(frozen=True)
class Code:
    severity: Severity
    scope: Scope
    rule: str
    template: str


_CODES: dict[str, Code] = {
    # --- Story's PIL rules -------------------------------------------------------------------------
    "pil_derivatives_not_allowed": Code(
        "block",
        "make",
        "PILicenseTemplate.verifyRegisterDerivative: derivativesAllowed",
        "“{title}” is licensed {license}, which allows no remixes. Choose another parent or ask its owner "
        "for a license that allows remixing.",
    ),
    "pil_parent_is_dead_end": Code(
        "block",
        "make",
        "verifyRegisterDerivative / verifyMintLicenseToken: a derivative parent needs derivativesReciprocal",
        "“{title}” is itself a remix under terms that are not reciprocal ({license}), so Story allows no "
        "remixes of it. Remix one of its ancestors instead.",
    ),
    "pil_approval_required": Code(
        "block",
        "make",
        "verifyRegisterDerivative: derivativesApproval needs isDerivativeApproved",
        "The terms of “{title}” ({license}) need its owner's approval for each remix. Ask the owner to "
        "approve this one first.",
    ),
    "pil_approval_by_you": Code(
        "info",
        "publish",
        "verifyRegisterDerivative: derivativesApproval (owner sets setApproval)",
        "“{title}” needs the owner's approval for each remix; you own it, so approve this remix when publishing.",
    ),
    "pil_parent_expired": Code(
        "block",
        "make",
        "LicenseRegistry: ParentIpExpired (expires_at ≤ now)",
        "The license of “{title}” expired on {date}. An expired work can no longer be remixed or linked.",
    ),
    "work_expired": Code(
        "block",
        "make",
        "LicenseRegistry: IpExpired / ParentIpExpired",
        "The terms of “{title}” expired on {date}: it can no longer be remixed, licensed or published.",
    ),
    "pil_commercial_mismatch": Code(
        "block",
        "publish",
        "PILicenseTemplate.verifyCompatibleLicenses: same commercialUse",
        "{titles} mix commercial and non-commercial Story terms; Story links no remix to both kinds at once.",
    ),
    "pil_reciprocal_mismatch": Code(
        "block",
        "publish",
        "verifyCompatibleLicenses: same derivativesReciprocal",
        "{titles} mix reciprocal and non-reciprocal Story terms; Story links no remix to both kinds at once.",
    ),
    "pil_terms_differ": Code(
        "block",
        "make",
        "verifyCompatibleLicenses: reciprocal parents need the identical licenseTermsId",
        "{titles} carry different reciprocal terms ({licenses}). A remix must carry exactly its parents' "
        "terms, so it cannot carry both: remix them separately.",
    ),
    "royalty_policy_mismatch": Code(
        "block",
        "publish",
        "LicensingModule: RoyaltyPolicyMismatch (all parents one royalty policy)",
        "{titles} use different royalty policies ({policies}); Story links a remix to parents of one policy only.",
    ),
    "too_many_parents": Code(
        "block",
        "make",
        "LicenseRegistry.MAX_PARENTS = 16",
        "{count} parents is too many: a work may have at most {limit}.",
    ),
    "too_many_ancestors": Code(
        "block",
        "make",
        "LicenseRegistry.MAX_ANCESTORS = 1024",
        "This work would have {count} ancestors; at most {limit} are allowed.",
    ),
    "duplicate_parent": Code(
        "block",
        "make",
        "LicenseRegistry: DuplicateParentIp",
        "“{title}” is listed twice as a parent; list each parent once.",
    ),
    "pil_non_commercial": Code(
        "block",
        "commercial",
        "PIL commercialUse = false (on every PIL ancestor)",
        "“{title}” is licensed {license}, which allows no commercial use of it or of anything made from it.",
    ),
    "pil_terms_inherited": Code(
        "info",
        "make",
        "LicenseRegistry.registerDerivativeIp attaches the parent's terms; derivatives cannot attach others",
        "Remixes of “{title}” carry its terms exactly: {license}{params}.",
    ),
    "pil_child_dead_end": Code(
        "info",
        "publish",
        "non-reciprocal terms: a derivative can be neither licensed nor remixed",
        "The terms of “{title}” ({license}) are not reciprocal: once published, this remix cannot be "
        "licensed or remixed on Story.",
    ),
    "license_must_be_inherited": Code(
        "block",
        "make",
        "reciprocal terms: the derivative inherits exactly the parent's terms",
        "A remix of “{title}” must carry its terms ({license}), not {requested}.",
    ),
    "inherited_terms_fixed": Code(
        "block",
        "make",
        "reciprocal terms: fee and royalty policy are part of the inherited terms",
        "The {what} of a remix of “{title}” is inherited ({inherited}); it cannot be set to {requested}.",
    ),
    "rev_share_below_inherited": Code(
        "block",
        "make",
        "PILicenseTemplate.canOverrideRoyaltyPercent: X == 0 or X ≥ the terms' revShare",
        "A rev share of {requested} is below the {inherited} inherited from “{title}”. A remix may raise "
        "the share its own remixes pay, never lower it.",
    ),
    "rev_share_needs_commercial_terms": Code(
        "block",
        "make",
        "canOverrideRoyaltyPercent: commercialUse",
        "A rev share needs commercial terms; {license} is not commercial.",
    ),
    "parameter_not_applicable": Code(
        "block",
        "make",
        "catalogue: a license's parameters",
        "{license} has no {what} to set: leave it out{suggest}.",
    ),
    "rev_share_raised": Code(
        "info",
        "publish",
        "setLicensingConfig(commercialRevShare = X), raise-only",
        "Remixes of this work will pay {requested} instead of the inherited {inherited}.",
    ),
    "parent_not_on_chain": Code(
        "block",
        "publish",
        "LicensingModule.registerDerivative: parents must be registered IPs with the terms attached",
        "Publish {titles} on Story first, or import its Story registration if it is there already: a remix "
        "links only to parents registered on Story.",
    ),
    "parent_published_first": Code(
        "info",
        "publish",
        "studio: publishing registers the user's own unpublished Story ancestors first, oldest first",
        "“{title}” is not on Story yet; it is yours, so publishing this work registers it first.",
    ),
    "already_on_chain": Code(
        "block",
        "publish",
        "LicenseRegistry: DerivativeAlreadyRegistered / one registration per work",
        "“{title}” is already registered on Story.",
    ),
    "flagged": Code(
        "block",
        "publish",
        "studio: a recorded derivative that breaks its parents' terms",
        "“{title}” is flagged: {flag}",
    ),
    "license_not_on_story": Code(
        "block",
        "publish",
        "studio: only licenses with a faithful PIL form are published",
        "{license} cannot be expressed faithfully as Story terms. Choose a PIL license to publish “{title}”.",
    ),
    "published_as_flavor": Code(
        "info",
        "publish",
        "studio: catalogue extra.on_story",
        "“{title}” ({license}) is published on Story under {flavor}.",
    ),
    # --- mixed lineages ----------------------------------------------------------------------------
    "all_rights_reserved": Code(
        "block",
        "make",
        "studio: no license means no permission",
        "“{title}” is all rights reserved: ask its owner for permission before remixing or using it.",
    ),
    "cc_no_derivatives": Code(
        "block",
        "make",
        "CC ND: adapted material may not be shared",
        "“{title}” is licensed {license}, which allows sharing it unchanged only: no remixes.",
    ),
    "cc_non_commercial": Code(
        "block",
        "commercial",
        "CC NC: no commercial use, also of adapted material",
        "“{title}” is licensed {license}: neither it nor anything made from it may be used commercially.",
    ),
    "share_alike_required": Code(
        "info",
        "make",
        "CC SA: adaptations under the same license",
        "“{title}” is licensed {license} (share-alike): its remixes must carry {license} too.",
    ),
    "share_alike_conflict": Code(
        "block",
        "make",
        "CC SA: two different share-alike licenses cannot both be satisfied",
        "{titles} require different share-alike licenses ({licenses}); no remix can carry both.",
    ),
    "share_alike_conflicts_with_pil": Code(
        "block",
        "make",
        "CC SA vs reciprocal PIL: each demands its own license on the remix",
        "“{sa_title}” requires {sa_license} on remixes while “{pil_title}” requires its Story terms "
        "({pil_license}); a remix cannot carry both.",
    ),
    "license_must_be_share_alike": Code(
        "block",
        "make",
        "CC SA: adaptations under the same license",
        "A remix of “{title}” must carry {license} (share-alike), not {requested}.",
    ),
    "share_alike_not_on_story": Code(
        "block",
        "publish",
        "PIL cannot express share-alike",
        "{license} is share-alike, which Story terms cannot express: this work stays off Story.",
    ),
    "license_grants_more_than_parents": Code(
        "block",
        "make",
        "studio: a license cannot grant commercial use that its sources forbid",
        "{license} would let others use this work commercially, but “{title}” ({parent_license}) forbids "
        "commercial use: {advice}.",
    ),
    "credited_off_chain": Code(
        "info",
        "publish",
        "studio: only PIL-licensed works are Story parents",
        "“{title}” ({license}) is not a Story asset: it is named in the metadata, not linked on chain, and "
        "takes no royalty.",
    ),
    "use_restrictions_passed_on": Code(
        "warn",
        "make",
        "OpenRAIL-M: use restrictions bind outputs and must be passed on",
        "“{title}” ({license}) allows commercial outputs, but its {count} use restrictions bind this work "
        "and must be passed on to anyone you share it with.",
    ),
    "tool_use_not_adaptation": Code(
        "info",
        "make",
        "studio: generating with a model or LoRA uses it; the image is not an adaptation of it",
        "Generating with “{title}” uses it without adapting it, so its {clause} terms do not bind the image.",
    ),
    "parent_flagged": Code(
        "warn",
        "make",
        "studio: a flagged work breaks its own parents' terms",
        "“{title}” is flagged ({flag}); works made from it carry the same problem.",
    ),
    "own_work": Code(
        "info",
        "make",
        "studio: a license binds others, not the work's owner",
        "You own “{title}”: its own license ({license}) binds others, not you.",
    ),
    # --- verdict lines: why each answer of `check_work` is yes ----------------------------------------
    "owner_may_remix": Code(
        "info",
        "make",
        "studio: a license binds others, not the work's owner",
        "You made “{title}”; as its owner you may remix it, whatever its license allows others.",
    ),
    "owner_may_use_commercially": Code(
        "info",
        "commercial",
        "studio: a license binds others, not the work's owner",
        "You made “{title}”; as its owner you may use it commercially ({license} binds others, not you).",
    ),
    "license_allows_remix": Code(
        "info",
        "make",
        "the work's license: derivatives allowed",
        "{license} lets anyone remix “{title}”{conditions}.",
    ),
    "license_allows_commercial": Code(
        "info",
        "commercial",
        "the work's license: commercial use allowed",
        "{license} allows commercial use of “{title}”{conditions}.",
    ),
    "publish_allowed": Code(
        "info",
        "publish",
        "the engine found nothing that Story or the studio's rules refuse",
        "Nothing stops publishing “{title}” on Story{terms}.",
    ),
    "others_may_remix": Code(
        "info",
        "make",
        "the work's license: derivatives allowed",
        "Under {license}, others may remix “{title}”{conditions}.",
    ),
    "others_may_not_remix": Code(
        "info",
        "make",
        "the work's license: no derivatives",
        "Under {license}, others may not remix “{title}”.",
    ),
    "others_may_use_commercially": Code(
        "info",
        "commercial",
        "the work's license: commercial use allowed",
        "Under {license}, others may use “{title}” commercially{conditions}.",
    ),
    "others_may_not_use_commercially": Code(
        "info",
        "commercial",
        "the work's license (or one of its sources) forbids commercial use",
        "Under {license}, others may not use “{title}” commercially{source}.",
    ),
    "license_differs_from_inherited": Code(
        "block",
        "make",
        "reciprocal terms / share-alike: a remix carries its parent's license",
        "“{title}” carries {license}, but its parent “{parent}” requires {required}.",
    ),
}
# Training a model on a work (studio.licensing.training); a model license's terms on outputs and its conditions.
CODES: Mapping[str, Code] = {  # type: ignore[arg-type]
    **_CODES,
    **{k: Code(*v) for k, v in (TRAINING_CODES | STORY_TRAINING_CODES | MODEL_TERMS_CODES).items()},
}


def reason(
    code: str,
    work_id: str | None = None,
    *,
    severity: Severity | None = None,
    scope: Scope | None = None,
    **values: Any,
) -> Reason:
    """The reason for `code`, its message filled from `values`; severity and scope default from the table."""
    entry = CODES[code]
    return Reason(
        code=code,
        message=entry.template.format(**values),
        work_id=work_id,
        severity=entry.severity if severity is None else severity,
        scope=entry.scope if scope is None else scope,
    )
