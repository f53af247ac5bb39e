"""Every decision of the license engine: a stable snake_case code, its default scope and severity, the rule
it applies and the message a creator reads.

Scopes say what a blocking reason stops: `make` (making the work or a derivative of it), `commercial`
(using it commercially), `publish` (registering it on Story now) or `train` (training a model on it). A
`block` stops its scope; `warn` and `info` only explain.

Its length is the table: one entry per decision, in one place, so that a code is defined once and a reader finds
every message a creator can meet side by side (the functions are the two below).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from studio.core.reasons import Reason, Scope, Severity


@dataclass(frozen=True)
class Code:
    severity: Severity
    scope: Scope
    rule: str
    template: str


CODES: Mapping[str, Code] = {
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
    # --- verdict lines: why each answer of `check_work` is yes -------------------------------------
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
    # --- training a model on a work (studio.licensing.training) ------------------------------------
    "training_owner_may": Code(
        "info", "train",
        "studio: a license binds others, not the work's owner",
        "You made “{title}”; as its owner you may train models on it.",
    ),
    "training_license_allows": Code(
        "info", "train",
        "the license's training term (licenses/*.toml [training])",
        "{license} lets anyone train models on “{title}”: {why}",
    ),
    "training_license_forbids": Code(
        "block", "train",
        "the license's training term (licenses/*.toml [training])",
        "{license} does not let others train models on “{title}”: {why}",
    ),
    "training_owner_denied": Code(
        "block", "train",
        "studio: the owner's own “do not train” choice; deny wins",
        "“{title}” is marked “do not train”{by}. Clear the choice to train on it.",
    ),
    "training_owner_allowed": Code(
        "info", "train",
        "studio: the owner's own choice grants what the license does not say",
        "You allow others to train models on “{title}”, whatever its license says about training.",
    ),
    "training_credentials_denied": Code(
        "block", "train",
        "CAWG / C2PA training-and-data-mining assertion: notAllowed",
        "The Content Credentials of “{title}” do not allow it to be used for {what} ({entry}: notAllowed).",
    ),
    "training_credentials_constrained": Code(
        "block", "train",
        "CAWG / C2PA training-and-data-mining assertion: constrained, with no terms the studio can read",
        "The Content Credentials of “{title}” allow {what} only under conditions the studio cannot check "
        "({entry}: constrained{info}), so it is treated as not allowed.",
    ),
    "training_credentials_allowed": Code(
        "info", "train",
        "CAWG / C2PA training-and-data-mining assertion: allowed",
        "The Content Credentials of “{title}” allow it to be used for {what}.",
    ),
    "training_xmp_denied": Code(
        "block", "train",
        "IPTC / PLUS plus:DataMining prohibits it",
        "The file of “{title}” says {value}: {meaning}.",
    ),
    "training_xmp_constrained": Code(
        "block", "train",
        "IPTC / PLUS plus:DataMining refers to terms the studio cannot read",
        "The file of “{title}” says {value}: {meaning}, which the studio cannot check, so training is treated "
        "as not allowed.",
    ),
    "training_xmp_allowed": Code(
        "info", "train",
        "IPTC / PLUS plus:DataMining = DMI-ALLOWED",
        "The file of “{title}” says DMI-ALLOWED: data mining and AI training are allowed.",
    ),
    "training_non_commercial": Code(
        "warn", "train",
        "non-commercial license: models trained on the work inherit the limit",
        "“{title}” is licensed {license}: a model trained on it may not be used commercially.",
    ),
    "others_may_train": Code(
        "info", "train",
        "the work's license and its owner's choice",
        "Others may train models on “{title}” ({source}).",
    ),
    "others_may_not_train": Code(
        "info", "train",
        "the work's license, its owner's choice and its file's own statements",
        "Others may not train models on “{title}”: {because}",
    ),
    # --- training sets and models on Story (studio.licensing.training_sets) ------------------------
    "group_terms_from_members": Code(
        "info", "publish",
        "studio: a training set offers on Story what all of its members allow",
        "On Story “{title}” is a group offering {terms}: its members allow commercial use and adaptations "
        "({licenses}).",
    ),
    "group_member_forbids": Code(
        "block", "publish",
        "Story groups pay their members from commercial revenue; the terms must allow what every member allows",
        "{license} does not allow {what} ({count}): the training set “{title}” cannot be offered on Story "
        "under commercial terms. Leave those works out of the set to publish it.",
    ),
    "group_needs_commercial_terms": Code(
        "block", "publish",
        "GroupingModule: a group's terms need a royalty policy (its reward pool is paid through it)",
        "A training set is offered on Story under terms with a royalty policy; {license} has none.",
    ),
    "group_members_credited": Code(
        "info", "publish",
        "Story groups admit only IPs registered on the same network",
        "{count} of the set are not on {network}: they are credited in the group's metadata, not paid by it.",
    ),
    "group_member_joins": Code(
        "info", "publish",
        "GroupingModule.addIp: a member offers the group's terms to its reward pool",
        "{count} of the set on {network} join the group and share its revenue evenly.",
    ),
    "group_member_not_opted_in": Code(
        "warn", "publish",
        "LicenseRegistry.verifyGroupAddIp: a member must offer the group's terms, configured for its pool",
        "{count} of the set on {network} belong to others who have not offered the group's terms to its pool: "
        "they are credited in the group's metadata, not added (only their owners can opt in).",
    ),
    "group_is_empty": Code(
        "block", "publish",
        "LicenseRegistry: ParentIpIsEmptyGroup: nothing links to an empty group",
        "No work of “{title}” is on {network} and able to join its group: a model can link only to a group with "
        "members. Publish members first (their creators, or you for your own works).",
    ),
    "model_terms_from_group": Code(
        "info", "publish",
        "reciprocal terms: a derivative carries its parent's terms",
        "On Story “{title}” carries its training set's terms ({terms}), as every derivative of reciprocal terms "
        "does; its weights keep {license} wherever they are shared.",
    ),
    "model_base_not_linked": Code(
        "info", "publish",
        "LicenseRegistry: GroupMustBeSoleParent: a derivative of a group has that group as its only parent",
        "“{base}” is named in the metadata as the base model (FINETUNED_FROM) but is not linked on Story: "
        "a derivative of a training-set group links to that group alone, so revenue reaches the base only "
        "through what its own creators agreed.",
    ),
    "model_training_set_not_on_chain": Code(
        "block", "publish",
        "studio: a model's revenue reaches its data through its training set's group",
        "Publish the training set “{title}” on {network} first (`studio publish {ref}`): the model links to "
        "its group.",
    ),
    "builtin_only_on_devnet": Code(
        "block", "publish",
        "studio: built-in works belong to their makers; the devnet stands in for them",
        "“{title}” ships with the studio: its makers publish it. On {network} it can be linked once it is there "
        "(`studio import-ip`); only the local devnet lets you publish it yourself.",
    ),
    "model_license_bound": Code(
        "info", "make",
        "share-alike and reciprocal terms of its data and base model bind a model's own license",
        "Its training data and base model bind “{title}” to {required}; it carries {license}.",
    ),
    "model_published_through_group": Code(
        "info", "publish",
        "studio: a model reaches Story as a derivative of its training set's group",
        "On Story “{title}” is published as a derivative of its training set's group, under the group's terms, "
        "so that what its images earn reaches its data's creators.",
    ),
    "model_linked": Code(
        "info", "publish",
        "reciprocal terms: the image carries the model's Story terms",
        "“{title}” links to the model “{model}” on {network}: part of what it earns reaches the model and, "
        "through its training set, the data's creators.",
    ),
    "model_not_linked_terms": Code(
        "info", "publish",
        "verifyCompatibleLicenses: reciprocal parents need the identical licenseTermsId",
        "“{model}” is on {network} with {model_terms}, but “{title}” carries {terms}: it is published crediting "
        "the model, not linked to it. Make the image under the model's terms to pay its data's creators.",
    ),
    "model_not_linked_parents": Code(
        "warn", "publish",
        "Story: a derivative has at most 16 parents",
        "“{title}” already has {count} Story parents: the model “{model}” is credited, not linked.",
    ),
    "model_not_on_chain": Code(
        "info", "publish",
        "studio: a model links to the images made with it once it is on Story",
        "The model “{model}” is not on {network}: it is credited in the metadata. Publish it "
        "(`studio publish {model_id}`) before the image to pay its data's creators.",
    ),
    # --- a model license's terms on outputs, and its conditions ------------------------------------
    "model_outputs_terms": Code(
        "info", "commercial",
        "the model license's terms on outputs (licenses/*.toml [outputs])",
        "Images made with “{title}” follow what {license} says of outputs ({url}): {terms}",
    ),
    "model_use_non_commercial": Code(
        "block", "commercial",
        "the model license's terms on the model itself (licenses/*.toml [pil] commercial_use)",
        "{license} allows using the model “{title}” itself for non-commercial, non-production purposes only; "
        "commercial use of the model needs a separate license from its maker. Images it makes are treated "
        "differently ({url}): {terms}",
    ),
    "model_run_non_commercial": Code(
        "warn", "make",
        "the model license's terms on the model itself; outputs follow [outputs]",
        "{license} lets you run “{title}” only for non-commercial, non-production purposes; the images it makes "
        "may still be used commercially ({url}).",
    ),
    "condition_unconfirmed": Code(
        "block", "commercial",
        "a condition of the license the creator must confirm (licenses/*.toml [[conditions]])",
        "Commercial use is allowed only if {statement} ({license}, from “{title}”: {url}). If that is true, "
        "confirm “{condition}” for this work.",
    ),
    "condition_confirmed": Code(
        "info", "commercial",
        "a condition of the license, confirmed by the creator for this work",
        "Commercial use is allowed on the condition you confirmed: {statement} ({license}, from “{title}”: {url}).",
    ),
    "training_outputs_forbidden": Code(
        "block", "train",
        "the model license's terms on outputs: training competing models (licenses/*.toml [outputs])",
        "“{title}” was made with “{model}”{through}. {license}: {training_terms} The studio cannot tell whether "
        "a model trained on it would compete, so it is not used as training data ({url}).",
    ),
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
