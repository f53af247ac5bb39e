"""The license engine's decisions about training sets and models on Story: code → (severity, scope, rule, message).

`studio.licensing.codes.CODES` holds them with every other decision.
"""

from __future__ import annotations

STORY_TRAINING_CODES: dict[str, tuple[str, str, str, str]] = {
    "group_terms_from_members": (
        "info", "publish",
        "studio: a training set offers on Story what all of its members allow",
        "On Story “{title}” is a group offering {terms}: its members allow commercial use and adaptations "
        "({licenses}).",
    ),
    "group_member_forbids": (
        "block", "publish",
        "Story groups pay their members from commercial revenue; the terms must allow what every member allows",
        "{license} does not allow {what} ({count}): the training set “{title}” cannot be offered on Story "
        "under commercial terms. Leave those works out of the set to publish it.",
    ),
    "group_needs_commercial_terms": (
        "block", "publish",
        "GroupingModule: a group's terms need a royalty policy (its reward pool is paid through it)",
        "A training set is offered on Story under terms with a royalty policy; {license} has none.",
    ),
    "group_members_credited": (
        "info", "publish",
        "Story groups admit only IPs registered on the same network",
        "{count} of the set are not on {network}: they are credited in the group's metadata, not paid by it.",
    ),
    "group_member_joins": (
        "info", "publish",
        "GroupingModule.addIp: a member offers the group's terms to its reward pool",
        "{count} of the set on {network} join the group and share its revenue evenly.",
    ),
    "group_member_not_opted_in": (
        "warn", "publish",
        "LicenseRegistry.verifyGroupAddIp: a member must offer the group's terms, configured for its pool",
        "{count} of the set on {network} belong to others who have not offered the group's terms to its pool: "
        "they are credited in the group's metadata, not added (only their owners can opt in).",
    ),
    "group_is_empty": (
        "block", "publish",
        "LicenseRegistry: ParentIpIsEmptyGroup: nothing links to an empty group",
        "No work of “{title}” is on {network} and able to join its group: a model can link only to a group with "
        "members. Publish members first (their creators, or you for your own works).",
    ),
    "model_terms_from_group": (
        "info", "publish",
        "reciprocal terms: a derivative carries its parent's terms",
        "On Story “{title}” carries its training set's terms ({terms}), as every derivative of reciprocal terms "
        "does; its weights keep {license} wherever they are shared.",
    ),
    "model_base_not_linked": (
        "info", "publish",
        "LicenseRegistry: GroupMustBeSoleParent: a derivative of a group has that group as its only parent",
        "“{base}” is named in the metadata as the base model (FINETUNED_FROM) but is not linked on Story: "
        "a derivative of a training-set group links to that group alone, so revenue reaches the base only "
        "through what its own creators agreed.",
    ),
    "model_training_set_not_on_chain": (
        "block", "publish",
        "studio: a model's revenue reaches its data through its training set's group",
        "Publish the training set “{title}” on {network} first (`studio publish {ref}`): the model links to "
        "its group.",
    ),
    "builtin_only_on_devnet": (
        "block", "publish",
        "studio: built-in works belong to their makers; the devnet stands in for them",
        "“{title}” ships with the studio: its makers publish it. On {network} it can be linked once it is there "
        "(`studio import-ip`); only the local devnet lets you publish it yourself.",
    ),
    "model_license_bound": (
        "info", "make",
        "share-alike and reciprocal terms of its data and base model bind a model's own license",
        "Its training data and base model bind “{title}” to {required}; it carries {license}.",
    ),
    "model_published_through_group": (
        "info", "publish",
        "studio: a model reaches Story as a derivative of its training set's group",
        "On Story “{title}” is published as a derivative of its training set's group, under the group's terms, "
        "so that what its images earn reaches its data's creators.",
    ),
    "model_linked": (
        "info", "publish",
        "reciprocal terms: the image carries the model's Story terms",
        "“{title}” links to the model “{model}” on {network}: part of what it earns reaches the model and, "
        "through its training set, the data's creators.",
    ),
    "model_not_linked_terms": (
        "info", "publish",
        "verifyCompatibleLicenses: reciprocal parents need the identical licenseTermsId",
        "“{model}” is on {network} with {model_terms}, but “{title}” carries {terms}: it is published crediting "
        "the model, not linked to it. Make the image under the model's terms to pay its data's creators.",
    ),
    "model_not_linked_parents": (
        "warn", "publish",
        "Story: a derivative has at most 16 parents",
        "“{title}” already has {count} Story parents: the model “{model}” is credited, not linked.",
    ),
    "model_not_on_chain": (
        "info", "publish",
        "studio: a model links to the images made with it once it is on Story",
        "The model “{model}” is not on {network}: it is credited in the metadata. Publish it "
        "(`studio publish {model_id}`) before the image to pay its data's creators.",
    ),
}
