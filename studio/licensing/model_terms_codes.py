"""The license engine's decisions about a model license's own terms for what the model makes (its outputs) and the
conditions a creator must confirm: code → (severity, scope, rule, message).

`studio.licensing.codes.CODES` holds them with every other decision.
"""

from __future__ import annotations

MODEL_TERMS_CODES: dict[str, tuple[str, str, str, str]] = {
    "model_outputs_terms": (
        "info", "commercial",
        "the model license's terms on outputs (licenses/*.toml [outputs])",
        "Images made with “{title}” follow what {license} says of outputs ({url}): {terms}",
    ),
    "model_use_non_commercial": (
        "block", "commercial",
        "the model license's terms on the model itself (licenses/*.toml [pil] commercial_use)",
        "{license} allows using the model “{title}” itself for non-commercial, non-production purposes only; "
        "commercial use of the model needs a separate license from its maker. Images it makes are treated "
        "differently ({url}): {terms}",
    ),
    "model_run_non_commercial": (
        "warn", "make",
        "the model license's terms on the model itself; outputs follow [outputs]",
        "{license} lets you run “{title}” only for non-commercial, non-production purposes; the images it makes "
        "may still be used commercially ({url}).",
    ),
    "condition_unconfirmed": (
        "block", "commercial",
        "a condition of the license the creator must confirm (licenses/*.toml [[conditions]])",
        "Commercial use is allowed only if {statement} ({license}, from “{title}”: {url}). If that is true, "
        "confirm “{condition}” for this work.",
    ),
    "condition_confirmed": (
        "info", "commercial",
        "a condition of the license, confirmed by the creator for this work",
        "Commercial use is allowed on the condition you confirmed: {statement} ({license}, from “{title}”: {url}).",
    ),
    "training_outputs_forbidden": (
        "block", "train",
        "the model license's terms on outputs: training competing models (licenses/*.toml [outputs])",
        "“{title}” was made with “{model}”{through}. {license}: {training_terms} The studio cannot tell whether "
        "a model trained on it would compete, so it is not used as training data ({url}).",
    ),
}
