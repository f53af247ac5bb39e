"""May a work be used to train an AI model? A verdict like remix and commercial use, with codes and reasons.

Every signal counts: the license's training term (licenses/*.toml `[training]`), the owner's own choice, the
training-and-data-mining assertion of the file's Content Credentials (CAWG `cawg.training-mining` and the older
`c2pa.training-mining`) and IPTC/PLUS `plus:DataMining` in its XMP. Deny wins: one signal that refuses training
refuses it, whatever the others allow; where the file says nothing, the license decides. The owner of a work is
bound by their own "do not train" choice (clear it to train) but not by its license, which binds others.

`constrained` and the DMI-SEE-* values point to terms the studio has no vocabulary to read, so they count as
not allowed, citing the terms' text so the user can ask the owner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from studio.licensing.ancestry import Works
from studio.licensing.codes import Reason, reason
from studio.licensing.license import LicenseFamily
from studio.licensing.model_terms import output_training_reasons
from studio.licensing.works import LicensedWork, TrainingSignal, VerdictLine

TRAINING_ASSERTIONS = ("cawg.training-mining", "c2pa.training-mining")
# Entries that speak about training; `ai_inference` (using a model on the work) does not.
TRAINING_ENTRIES = {
    "ai_training": "AI training",
    "ai_generative_training": "generative AI training",
    "data_mining": "data mining",
}
USES = ("allowed", "notAllowed", "constrained")
MAX_ENTRIES = 64  # a real assertion has four
MAX_INFO = 200

DMI_PREFIX = "http://ns.useplus.org/ldf/vocab/"
# plus:DataMining values: what each means, and the use it amounts to for training (None: says nothing).
DMI_VALUES: dict[str, tuple[str | None, str]] = {
    "DMI-UNSPECIFIED": (None, "nothing is specified about data mining"),
    "DMI-ALLOWED": ("allowed", "data mining and AI training are allowed"),
    "DMI-PROHIBITED-AIMLTRAINING": ("notAllowed", "it may not be used to train AI or machine-learning models"),
    "DMI-PROHIBITED-GENAIMLTRAINING": ("notAllowed", "it may not be used to train generative AI models"),
    "DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING": (
        "notAllowed", "no data mining except indexing by search engines",
    ),
    "DMI-PROHIBITED": ("notAllowed", "no data mining at all"),
    "DMI-SEE-CONSTRAINT": ("constrained", "data mining is allowed only under its stated constraint"),
    "DMI-SEE-EMBEDDED-RIGHTS-EXPR": ("constrained", "data mining follows a rights expression embedded in the file"),
    "DMI-SEE-LINKED-RIGHTS-EXPR": ("constrained", "data mining follows a rights expression linked from the file"),
}
# What the studio writes for a work whose training verdict for others is yes / no.
DMI_ALLOWED = DMI_PREFIX + "DMI-ALLOWED"
DMI_DENIED = DMI_PREFIX + "DMI-PROHIBITED-AIMLTRAINING"


@dataclass(frozen=True)
class TrainingVerdict:
    """May the user train on the work (`allowed`), and what the work states to everyone else
    (`others_allowed`, written into exports and published metadata); `lines` answer both with their reason."""

    work_id: str
    allowed: bool
    others_allowed: bool
    reasons: tuple[Reason, ...]
    lines: tuple[VerdictLine, ...]

    def blocking(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.work_id,
            "allowed": self.allowed,
            "others_allowed": self.others_allowed,
            "verdicts": [line.to_dict() for line in self.lines],
            "reasons": [r.to_dict() for r in self.reasons],
        }


def training_verdict(
    work: LicensedWork, signals: Sequence[TrainingSignal] | None = None, *, works: Works | None = None
) -> TrainingVerdict:
    """The training verdict of `work` from its license and `signals` (default: those the work carries). With its
    lineage (`works`), a model up the lineage whose license forbids training on its outputs refuses it too, also
    for its owner: that license binds whoever used the model."""
    signals = work.training if signals is None else tuple(signals)
    lic, title = work.license, work.title
    said = [r for s in signals if (r := _signal_reason(work, s)) is not None]
    said += output_training_reasons(work, works) if works is not None else []
    denied = next((r for r in said if r.blocks), None)
    owner_allows = work.owned and any(s.source == "owner" and s.use == "allowed" for s in signals)
    allows = lic.training.allowed
    term = {"license": lic.name, "title": title, "why": lic.training.why}
    by_license = (
        reason("training_license_allows", work.id, **term) if allows
        else reason("training_license_forbids", work.id, **term)
    )

    reasons = list(said)
    if work.owned:
        mine = VerdictLine("train", "you", "no", denied) if denied else VerdictLine(
            "train", "you", "yes", reason("training_owner_may", work.id, title=title))
    else:
        reasons.append(by_license)
        blocker = denied or (None if allows else by_license)
        mine = VerdictLine("train", "you", "no" if blocker else "yes", blocker or by_license)
        if blocker is None and not lic.pil.commercial_use and lic.family is not LicenseFamily.proprietary:
            reasons.append(reason("training_non_commercial", work.id, title=title, license=lic.name))
    lines = [mine]
    others_allowed = mine.allowed
    if work.owned:
        others = _others_line(work, denied, owner_allows)
        others_allowed = others.allowed
        lines.append(others)
    return TrainingVerdict(work.id, mine.allowed, others_allowed, tuple(reasons), tuple(lines))


def _others_line(work: LicensedWork, denied: Reason | None, owner_allows: bool) -> VerdictLine:
    lic, title = work.license, work.title
    if denied is not None:
        return VerdictLine("train", "others", "no", reason(
            "others_may_not_train", work.id, title=title, because=denied.message))
    if owner_allows:
        return VerdictLine("train", "others", "yes", reason(
            "others_may_train", work.id, title=title, source="you allow it"))
    if lic.training.allowed:
        return VerdictLine("train", "others", "yes", reason(
            "others_may_train", work.id, title=title, source=f"{lic.name} allows it"))
    return VerdictLine("train", "others", "no", reason(
        "others_may_not_train", work.id, title=title, because=f"{lic.name} does not allow it. {lic.training.why}"))


def _signal_reason(work: LicensedWork, signal: TrainingSignal) -> Reason | None:
    title = work.title
    if signal.source == "owner":
        if signal.use == "allowed":
            return reason("training_owner_allowed", work.id, title=title) if work.owned else None
        by = "" if work.owned else " in this library"
        return reason("training_owner_denied", work.id, title=title, by=by)
    if signal.source == "credentials":
        name = signal.entry.split(".", 1)[-1]
        what = TRAINING_ENTRIES.get(name, name.replace("_", " "))
        if signal.use == "allowed":
            return reason("training_credentials_allowed", work.id, title=title, what=what)
        if signal.use == "notAllowed":
            return reason("training_credentials_denied", work.id, title=title, what=what, entry=signal.entry)
        info = f": “{signal.value}”" if signal.value else ""
        return reason("training_credentials_constrained", work.id, title=title, what=what, entry=signal.entry,
                      info=info)
    if signal.source == "xmp":
        meaning = DMI_VALUES.get(signal.value, (None, "a value the studio does not know"))[1]
        if signal.use == "allowed":
            return reason("training_xmp_allowed", work.id, title=title)
        value = signal.value or "?"
        if signal.use == "notAllowed":
            return reason("training_xmp_denied", work.id, title=title, value=value, meaning=meaning)
        return reason("training_xmp_constrained", work.id, title=title, value=value, meaning=meaning)
    return None


def signals_with_choice(choice: str | None, stored: Iterable[Any]) -> tuple[TrainingSignal, ...]:
    """The owner's choice ("allow", "deny" or None) and the file's stored signal dicts, as the engine reads them."""
    signals = [s for s in map(TrainingSignal.from_dict, stored) if s is not None]
    if choice in ("allow", "deny"):
        signals.insert(0, TrainingSignal("owner", "allowed" if choice == "allow" else "notAllowed", "owner", choice))
    return tuple(signals)


# --- reading signals from what files state ---------------------------------------------------------


def signals_from_assertion(label: str, data: Any) -> list[TrainingSignal]:
    """The training signals of a CAWG or C2PA training-and-data-mining assertion (any shape: hostile-safe).

    Both `{"entries": {"cawg.ai_training": {"use": …}}}` and entries at the top level are read; an entry's
    use that is not one of allowed / notAllowed / constrained counts as constrained (unreadable terms).
    """
    base = label.split("__", 1)[0] if isinstance(label, str) else ""
    if base not in TRAINING_ASSERTIONS or not isinstance(data, Mapping):
        return []
    entries = data.get("entries", data)
    if not isinstance(entries, Mapping):
        return []
    found: list[TrainingSignal] = []
    for key, entry in list(entries.items())[:MAX_ENTRIES]:
        if not isinstance(key, str) or key.split(".", 1)[-1] not in TRAINING_ENTRIES:
            continue
        use = entry.get("use") if isinstance(entry, Mapping) else None
        info = _constraint_info(entry) if isinstance(entry, Mapping) else ""
        found.append(TrainingSignal("credentials", use if use in USES else "constrained", key[:80], info))
    return found


def _constraint_info(entry: Mapping[str, Any]) -> str:
    # The specification's text says constraint_info and its schema constraints_info; files carry either.
    for key in ("constraint_info", "constraints_info"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            text = "".join(c for c in " ".join(value.split()) if c.isprintable())
            return text if len(text) <= MAX_INFO else text[: MAX_INFO - 1] + "…"
    return ""


def signal_from_dmi(value: str) -> TrainingSignal | None:
    """The training signal of one plus:DataMining value (a URI of the PLUS vocabulary, or its bare code);
    DMI-UNSPECIFIED says nothing, and a value the studio does not know counts as constrained."""
    code = value.strip().rsplit("/", 1)[-1].upper()[:80]
    use = DMI_VALUES.get(code, ("constrained", ""))[0]
    return None if use is None else TrainingSignal("xmp", use, "plus:DataMining", code or "?")


def assertion_for(others_allowed: bool) -> dict[str, Any]:
    """The CAWG training-and-data-mining assertion the studio writes for a work."""
    use = "allowed" if others_allowed else "notAllowed"
    return {"entries": {f"cawg.{name}": {"use": use} for name in TRAINING_ENTRIES}}
