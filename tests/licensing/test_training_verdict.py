"""May a work be used to train a model: the license's term, the owner's choice and the file's own statements.

Deny wins; a missing signal follows the license; `constrained` without terms the studio can read is not allowed.
"""

from __future__ import annotations

import pytest

from studio.licensing import (
    LicenseCatalog,
    TrainingSignal,
    check_work,
    signal_from_dmi,
    signals_from_assertion,
    training_verdict,
)
from studio.licensing.training import DMI_PREFIX, assertion_for

NOW = 1_700_000_000
DENY = TrainingSignal("owner", "notAllowed", "owner")
ALLOW = TrainingSignal("owner", "allowed", "owner")


@pytest.mark.parametrize(
    ("license_id", "allowed"),
    [
        ("cc0-1.0", True),
        ("cc-by-4.0", True),
        ("cc-by-sa-4.0", True),
        ("cc-by-nc-4.0", True),
        ("cc-by-nc-sa-4.0", True),
        ("cc-by-nd-4.0", False),
        ("cc-by-nc-nd-4.0", False),
        ("all-rights-reserved", False),
        ("pil-cc-by", True),
        ("pil-non-commercial-social-remixing", False),
        ("pil-commercial-remix", False),
        ("pil-commercial-use", False),
        ("creativeml-openrail-m", True),
    ],
)
def test_without_other_signals_the_license_decides(lineage, license_id: str, allowed: bool) -> None:
    work = lineage.add("w", license_id, title="Reef")
    verdict = training_verdict(work)
    assert verdict.allowed is allowed and verdict.others_allowed is allowed
    (line,) = verdict.lines
    assert (line.action, line.who, line.answer) == ("train", "you", "yes" if allowed else "no")
    assert line.reason.code == ("training_license_allows" if allowed else "training_license_forbids")
    assert work.license.name in line.reason.message and "“Reef”" in line.reason.message
    assert line.reason.message.endswith(".") and line.label == "may be used to train a model"


def test_every_license_file_states_its_training_term(catalog: LicenseCatalog) -> None:
    for lic in catalog.all():
        assert lic.training.why.endswith("."), lic.id
    assert catalog.get("pil-non-commercial-social-remixing").training.allowed is False  # aiLearningModels false
    assert catalog.get("pil-cc-by").training.allowed is True  # aiLearningModels true


def test_non_commercial_license_allows_training_with_a_warning(lineage) -> None:
    verdict = training_verdict(lineage.add("w", "cc-by-nc-4.0"))
    assert verdict.allowed
    assert [r.code for r in verdict.reasons if r.severity == "warn"] == ["training_non_commercial"]


@pytest.mark.parametrize(
    ("label", "data", "code"),
    [
        ("cawg.training-mining", {"entries": {"cawg.ai_training": {"use": "notAllowed"}}},
         "training_credentials_denied"),
        ("cawg.training-mining", {"entries": {"cawg.ai_generative_training": {"use": "notAllowed"}}},
         "training_credentials_denied"),
        ("cawg.training-mining", {"entries": {"cawg.data_mining": {"use": "notAllowed"}}},
         "training_credentials_denied"),
        ("c2pa.training-mining", {"entries": {"c2pa.ai_training": {"use": "notAllowed"}}},
         "training_credentials_denied"),
        ("c2pa.training-mining__1", {"entries": {"c2pa.ai_generative_training": {"use": "constrained"}}},
         "training_credentials_constrained"),
        ("cawg.training-mining", {"entries": {"cawg.ai_training": {"use": "constrained",
                                                                   "constraint_info": "ask me first"}}},
         "training_credentials_constrained"),
        ("cawg.training-mining", {"entries": {"cawg.ai_training": {"use": "maybe"}}},
         "training_credentials_constrained"),
        ("cawg.training-mining", {"entries": {"cawg.ai_training": "notAllowed"}},
         "training_credentials_constrained"),
    ],
)
def test_credentials_that_refuse_or_constrain_training_deny_it_even_under_cc0(lineage, label, data, code) -> None:
    signals = signals_from_assertion(label, data)
    assert len(signals) == 1
    verdict = training_verdict(lineage.add("w", "cc0-1.0", title="Kelp"), signals)
    assert not verdict.allowed and not verdict.others_allowed
    assert verdict.lines[0].reason.code == code and verdict.blocking()[0].code == code
    assert "“Kelp”" in verdict.lines[0].reason.message


def test_constraint_text_is_read_from_either_spelling_and_shown(lineage) -> None:
    for key in ("constraint_info", "constraints_info"):
        data = {"entries": {"cawg.ai_training": {"use": "constrained", key: "only with a paid license"}}}
        (signal,) = signals_from_assertion("cawg.training-mining", data)
        assert signal.value == "only with a paid license"
        message = training_verdict(lineage.add("w", "cc0-1.0"), [signal]).lines[0].reason.message
        assert "“only with a paid license”" in message and "treated as not allowed" in message


def test_credentials_that_allow_training_cannot_lift_the_license_but_are_noted(lineage) -> None:
    signals = signals_from_assertion("cawg.training-mining", {"entries": {
        "cawg.ai_training": {"use": "allowed"}, "cawg.ai_generative_training": {"use": "allowed"},
        "cawg.ai_inference": {"use": "notAllowed"},  # inference is not training: ignored
    }})
    assert [s.entry for s in signals] == ["cawg.ai_training", "cawg.ai_generative_training"]
    assert training_verdict(lineage.add("a", "cc-by-4.0"), signals).allowed
    refused = training_verdict(lineage.add("b", "all-rights-reserved"), signals)
    assert not refused.allowed and refused.lines[0].reason.code == "training_license_forbids"
    assert "training_credentials_allowed" in {r.code for r in refused.reasons}


def test_one_denial_among_allowances_wins(lineage) -> None:
    signals = signals_from_assertion("cawg.training-mining", {"entries": {
        "cawg.data_mining": {"use": "allowed"}, "cawg.ai_generative_training": {"use": "notAllowed"},
    }})
    signals.append(signal_from_dmi(DMI_PREFIX + "DMI-ALLOWED"))
    verdict = training_verdict(lineage.add("w", "cc-by-4.0"), signals)
    assert not verdict.allowed and verdict.lines[0].reason.code == "training_credentials_denied"


@pytest.mark.parametrize(
    ("value", "use", "code"),
    [
        ("DMI-ALLOWED", "allowed", None),
        ("DMI-PROHIBITED-AIMLTRAINING", "notAllowed", "training_xmp_denied"),
        ("DMI-PROHIBITED-GENAIMLTRAINING", "notAllowed", "training_xmp_denied"),
        ("DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING", "notAllowed", "training_xmp_denied"),
        ("DMI-PROHIBITED", "notAllowed", "training_xmp_denied"),
        ("DMI-SEE-CONSTRAINT", "constrained", "training_xmp_constrained"),
        ("DMI-SEE-EMBEDDED-RIGHTS-EXPR", "constrained", "training_xmp_constrained"),
        ("DMI-SEE-LINKED-RIGHTS-EXPR", "constrained", "training_xmp_constrained"),
        ("DMI-SOMETHING-NEW", "constrained", "training_xmp_constrained"),
    ],
)
def test_iptc_data_mining_values(lineage, value: str, use: str, code: str | None) -> None:
    signal = signal_from_dmi(DMI_PREFIX + value)
    assert signal is not None and (signal.use, signal.value) == (use, value)
    verdict = training_verdict(lineage.add("w", "cc-by-4.0", title="Gull"), [signal])
    assert verdict.allowed is (code is None)
    if code is not None:
        assert verdict.lines[0].reason.code == code and value in verdict.lines[0].reason.message


def test_unspecified_data_mining_says_nothing(lineage) -> None:
    assert signal_from_dmi(DMI_PREFIX + "DMI-UNSPECIFIED") is None
    assert signal_from_dmi("dmi-allowed").use == "allowed"  # a bare, lower-case code is read too


def test_owner_may_train_on_own_work_whatever_its_license_and_others_follow_the_license(lineage) -> None:
    verdict = training_verdict(lineage.add("mine", "all-rights-reserved", owned=True, title="Dawn"))
    got = {line.who: (line.answer, line.reason.code) for line in verdict.lines}
    assert got == {"you": ("yes", "training_owner_may"), "others": ("no", "others_may_not_train")}
    assert verdict.allowed and not verdict.others_allowed
    assert [line.label for line in verdict.lines] == ["may be used to train a model", "others may train models on it"]


def test_owner_choice_do_not_train_binds_everyone_including_the_owner(lineage) -> None:
    verdict = training_verdict(lineage.add("mine", "cc0-1.0", owned=True, title="Dawn"), [DENY])
    assert not verdict.allowed and not verdict.others_allowed
    assert verdict.lines[0].reason.code == "training_owner_denied"
    assert "Clear the choice" in verdict.lines[0].reason.message
    assert verdict.lines[1].reason.code == "others_may_not_train"
    imported = training_verdict(lineage.add("theirs", "cc-by-4.0"), [DENY])
    assert not imported.allowed and "in this library" in imported.lines[0].reason.message


def test_owner_choice_allow_opens_an_owned_work_to_others_but_not_an_imported_one(lineage) -> None:
    mine = training_verdict(lineage.add("mine", "pil-commercial-remix", owned=True), [ALLOW])
    assert mine.others_allowed and mine.lines[1].reason.code == "others_may_train"
    theirs = training_verdict(lineage.add("theirs", "all-rights-reserved"), [ALLOW])
    assert not theirs.allowed


def test_check_work_carries_the_training_lines(lineage) -> None:
    lineage.add("nd", "cc-by-nd-4.0", title="Still", training=(DENY,))
    verdict = check_work("nd", lineage.works, now=NOW)
    train = [line for line in verdict.lines if line.action == "train"]
    assert [(line.who, line.answer, line.reason.code) for line in train] == [
        ("you", "no", "training_owner_denied")
    ]
    assert verdict.can_train is False and verdict.can_remix is False
    assert all(r.scope != "train" for r in verdict.reasons)  # training stays out of the other answers


def test_stored_signals_read_back_safely() -> None:
    assert TrainingSignal.from_dict(DENY.to_dict()) == DENY
    assert TrainingSignal.from_dict({"source": "xmp", "use": "sure", "entry": 3}) == TrainingSignal(
        "xmp", "constrained", "?", "")
    assert TrainingSignal.from_dict({"source": "elsewhere", "use": "allowed"}) is None
    assert TrainingSignal.from_dict(["not", "a", "dict"]) is None


def test_hostile_assertions_give_no_signal_or_a_constrained_one() -> None:
    assert signals_from_assertion("cawg.training-mining", ["entries"]) == []
    assert signals_from_assertion("cawg.training-mining", {"entries": "all"}) == []
    assert signals_from_assertion("c2pa.actions", {"entries": {"c2pa.ai_training": {"use": "allowed"}}}) == []
    many = {"entries": {f"cawg.x{i}": {"use": "allowed"} for i in range(10_000)}
            | {"cawg.ai_training": {"use": "notAllowed"}}}
    assert signals_from_assertion("cawg.training-mining", many) == []  # only the first entries are examined
    long = {"entries": {"cawg.ai_training": {"use": "constrained", "constraint_info": "x\u0000" * 5000}}}
    (signal,) = signals_from_assertion("cawg.training-mining", long)
    assert len(signal.value) <= 200 and "\u0000" not in signal.value


def test_the_studio_writes_what_it_reads() -> None:
    for others in (True, False):
        signals = signals_from_assertion("cawg.training-mining", assertion_for(others))
        assert {s.use for s in signals} == {"allowed" if others else "notAllowed"}
        assert {s.entry for s in signals} == {"cawg.ai_training", "cawg.ai_generative_training", "cawg.data_mining"}
