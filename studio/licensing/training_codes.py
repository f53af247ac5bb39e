"""The license engine's decisions about training AI models on a work: code → (severity, scope, rule, message).

`studio.licensing.codes.CODES` holds them with every other decision.
"""

from __future__ import annotations

TRAINING_CODES: dict[str, tuple[str, str, str, str]] = {
    "training_owner_may": (
        "info", "train",
        "studio: a license binds others, not the work's owner",
        "You made “{title}”; as its owner you may train models on it.",
    ),
    "training_license_allows": (
        "info", "train",
        "the license's training term (licenses/*.toml [training])",
        "{license} lets anyone train models on “{title}”: {why}",
    ),
    "training_license_forbids": (
        "block", "train",
        "the license's training term (licenses/*.toml [training])",
        "{license} does not let others train models on “{title}”: {why}",
    ),
    "training_owner_denied": (
        "block", "train",
        "studio: the owner's own “do not train” choice; deny wins",
        "“{title}” is marked “do not train”{by}. Clear the choice to train on it.",
    ),
    "training_owner_allowed": (
        "info", "train",
        "studio: the owner's own choice grants what the license does not say",
        "You allow others to train models on “{title}”, whatever its license says about training.",
    ),
    "training_credentials_denied": (
        "block", "train",
        "CAWG / C2PA training-and-data-mining assertion: notAllowed",
        "The Content Credentials of “{title}” do not allow it to be used for {what} ({entry}: notAllowed).",
    ),
    "training_credentials_constrained": (
        "block", "train",
        "CAWG / C2PA training-and-data-mining assertion: constrained, with no terms the studio can read",
        "The Content Credentials of “{title}” allow {what} only under conditions the studio cannot check "
        "({entry}: constrained{info}), so it is treated as not allowed.",
    ),
    "training_credentials_allowed": (
        "info", "train",
        "CAWG / C2PA training-and-data-mining assertion: allowed",
        "The Content Credentials of “{title}” allow it to be used for {what}.",
    ),
    "training_xmp_denied": (
        "block", "train",
        "IPTC / PLUS plus:DataMining prohibits it",
        "The file of “{title}” says {value}: {meaning}.",
    ),
    "training_xmp_constrained": (
        "block", "train",
        "IPTC / PLUS plus:DataMining refers to terms the studio cannot read",
        "The file of “{title}” says {value}: {meaning}, which the studio cannot check, so training is treated "
        "as not allowed.",
    ),
    "training_xmp_allowed": (
        "info", "train",
        "IPTC / PLUS plus:DataMining = DMI-ALLOWED",
        "The file of “{title}” says DMI-ALLOWED: data mining and AI training are allowed.",
    ),
    "training_non_commercial": (
        "warn", "train",
        "non-commercial license: models trained on the work inherit the limit",
        "“{title}” is licensed {license}: a model trained on it may not be used commercially.",
    ),
    "others_may_train": (
        "info", "train",
        "the work's license and its owner's choice",
        "Others may train models on “{title}” ({source}).",
    ),
    "others_may_not_train": (
        "info", "train",
        "the work's license, its owner's choice and its file's own statements",
        "Others may not train models on “{title}”: {because}",
    ),
}
