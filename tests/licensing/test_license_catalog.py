"""The license catalogue: every file loads and matches Story's rules; broken files fail clearly."""

from __future__ import annotations

import re
import shutil
from dataclasses import fields, replace
from pathlib import Path

import pytest

from studio.core.types import HUNDRED_PERCENT
from studio.errors import InvalidInput, NotFound, StudioError
from studio.licensing import (
    License,
    LicenseCatalog,
    LicenseFamily,
    LicenseFileError,
    PilTerms,
    WorkTerms,
    effective_pil,
    royalty_percent,
)
from studio.licensing.catalog import default_licenses_dir
from studio.licensing.story_rules import registration_problems

EXPECTED_IDS = {
    "pil-non-commercial-social-remixing", "pil-commercial-use", "pil-commercial-remix", "pil-cc-by",
    "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0",
    "cc-by-nc-nd-4.0", "creativeml-openrail-m", "openrail++", "all-rights-reserved",
    "flux-1-dev-non-commercial", "stabilityai-ai-community", "apache-2.0",
}
PIL_DOC = "https://github.com/piplabs/pil-document/blob/"


def test_every_catalogue_file_loads_and_validates(catalog: LicenseCatalog) -> None:
    assert {lic.id for lic in catalog} == EXPECTED_IDS and len(catalog) == len(EXPECTED_IDS)
    assert len(list(default_licenses_dir().glob("*.toml"))) == len(EXPECTED_IDS)
    for lic in catalog:
        assert registration_problems(lic.pil) == [], lic.id
        assert lic.legal_url.startswith("https://")
        assert len(lic.summary) > 80 and "\n" not in lic.summary
        assert len(fields(lic.pil)) == 17


def test_pil_flavors_match_storys_flavor_table(catalog: LicenseCatalog) -> None:
    """contracts/lib/PILFlavors.sol: every flavor transferable, no expiry, no checker, no approval."""
    expected = {
        # id: (commercialUse, commercialAttribution, derivativesAllowed, derivativesAttribution,
        #      derivativesReciprocal, policy, currency, parameters, uri tail)
        "pil-non-commercial-social-remixing": (
            False, False, True, True, True, None, None, (),
            "998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/NCSR.json"),
        "pil-commercial-use": (
            True, True, False, False, False, "lap", "WIP", ("minting_fee",),
            "9a1f803fcf8101a8a78f1dcc929e6014e144ab56/off-chain-terms/CommercialUse.json"),
        "pil-commercial-remix": (
            True, True, True, True, True, "lap", "WIP", ("rev_share", "minting_fee"),
            "ad67bb632a310d2557f8abcccd428e4c9c798db1/off-chain-terms/CommercialRemix.json"),
        "pil-cc-by": (
            True, True, True, True, True, "lap", "WIP", (),
            "998c13e6ee1d04eb817aefd1fe16dfe8be3cd7a2/off-chain-terms/CC-BY.json"),
    }
    for license_id, (cu, ca, da, dattr, recip, policy, currency, params, uri) in expected.items():
        lic = catalog.get(license_id)
        pil = lic.pil
        assert lic.family is LicenseFamily.pil and lic.on_story == license_id
        assert (pil.commercial_use, pil.commercial_attribution, pil.derivatives_allowed,
                pil.derivatives_attribution, pil.derivatives_reciprocal) == (cu, ca, da, dattr, recip)
        assert (pil.royalty_policy, pil.currency, lic.parameters) == (policy, currency, params)
        assert pil.transferable and pil.expiration == 0 and not pil.derivatives_approval
        assert pil.commercializer_checker is None and pil.commercializer_checker_data == b""
        assert pil.commercial_rev_share == 0 and pil.default_minting_fee == 0
        assert pil.commercial_rev_ceiling == 0 and pil.derivative_rev_ceiling == 0
        assert pil.uri == PIL_DOC + uri


def test_non_pil_licenses_say_what_pil_cannot(catalog: LicenseCatalog) -> None:
    for sa in ("cc-by-sa-4.0", "cc-by-nc-sa-4.0"):
        lic = catalog.get(sa)
        assert lic.share_alike and lic.on_story is None
        assert "share-alike" in lic.summary and "Story" in lic.summary
    assert catalog.get("cc-by-4.0").on_story == "pil-cc-by"
    for nc in ("cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "all-rights-reserved"):
        assert not catalog.get(nc).pil.commercial_use
    for nd in ("cc-by-nd-4.0", "cc-by-nc-nd-4.0", "all-rights-reserved"):
        assert not catalog.get(nd).pil.derivatives_allowed
    openrail = catalog.get("creativeml-openrail-m")
    assert openrail.family is LicenseFamily.openrail and openrail.pil.commercial_use
    assert len(openrail.use_restrictions) == 11 and openrail.on_story is None
    assert catalog.get("cc0-1.0").attribution_required is False
    assert catalog.get("all-rights-reserved").family is LicenseFamily.proprietary


def test_story_fields_are_in_abi_order(catalog: LicenseCatalog) -> None:
    names = list(catalog.get("pil-commercial-remix").pil.story_fields())
    assert names == [
        "transferable", "royaltyPolicy", "defaultMintingFee", "expiration", "commercialUse",
        "commercialAttribution", "commercializerChecker", "commercializerCheckerData", "commercialRevShare",
        "commercialRevCeiling", "derivativesAllowed", "derivativesAttribution", "derivativesApproval",
        "derivativesReciprocal", "derivativeRevCeiling", "currency", "uri",
    ]
    assert next(f.name for f in fields(PilTerms)) == "transferable"


def test_get_is_case_insensitive_and_unknown_ids_suggest_close_ones(catalog: LicenseCatalog) -> None:
    assert catalog.get(" CC-BY-4.0 ").id == "cc-by-4.0"
    assert "cc-by-4.0" in catalog and "nope" not in catalog
    with pytest.raises(NotFound) as err:
        catalog.get("cc-by-40")
    assert "cc-by-4.0" in str(err.value) and err.value.exit_code == 3


def test_licenses_folder_can_be_overridden_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(default_licenses_dir() / "cc0-1.0.toml", tmp_path)
    monkeypatch.setenv("STUDIO_LICENSES_DIR", str(tmp_path))
    loaded = LicenseCatalog.load()
    assert [lic.id for lic in loaded.all()] == ["cc0-1.0"]
    assert loaded.directory == tmp_path


def _broken(tmp_path: Path, name: str, old: str, new: str, source: str = "pil-commercial-remix") -> Path:
    text = (default_licenses_dir() / f"{source}.toml").read_text()
    assert old in text, old
    folder = tmp_path / "licenses"
    folder.mkdir()
    text = text.replace(old, new, 1).replace(f'id = "{source}"', f'id = "{name}"')
    (folder / f"{name}.toml").write_text(text.replace(f'on_story = "{source}"', f'on_story = "{name}"'))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("commercial_use = true", "commercial_use = false", "commercial_use = false requires"),
        ("derivatives_allowed = true", "derivatives_allowed = false", "derivatives_allowed = false requires"),
        ('currency = "WIP"', 'currency = "none"', "a royalty_policy requires a currency"),
        ('royalty_policy = "lap"', 'royalty_policy = "none"', "commercial_use = true requires a royalty_policy"),
        ('royalty_policy = "lap"', 'royalty_policy = "xyz"', "not a whitelisted policy"),
        ('currency = "WIP"', 'currency = "USDC"', "not a whitelisted royalty token"),
        ("commercial_rev_share = 0", "commercial_rev_share = 100_000_001", "above 100%"),
        ("default_minting_fee = 0", "default_minting_fee = -1", "uint256"),
        ('commercializer_checker = "none"', 'commercializer_checker = "0x1234"', "commercializer hooks"),
        ("transferable = true", "transferable = 1", "pil.transferable must be a bool"),
        ("transferable = true\n", "", "missing pil.transferable"),
        ("[extra]", "colour = 1\n[extra]", "unknown key pil.colour"),
        ('on_story = "pil-commercial-remix"', 'on_story = "none"', "represented on Story by itself"),
        ('parameters = ["rev_share", "minting_fee"]', 'parameters = ["price"]', "parameters must be a list"),
        ('family = "pil"', 'family = "gpl"', "family 'gpl' must be one of"),
        ("[pil]", "[pil\n", "not a readable TOML file"),
        ("allowed = false", 'allowed = "no"', "training.allowed must be true or false"),
        ("[training]", "[training]\nfor_ai = 1", "[training] must hold exactly allowed"),
    ],
)
def test_broken_file_is_a_load_error_naming_file_and_rule(tmp_path: Path, old: str, new: str, rule: str) -> None:
    folder = _broken(tmp_path, "broken-terms", old, new)
    with pytest.raises(LicenseFileError) as err:
        LicenseCatalog.load(folder)
    message = str(err.value)
    assert "broken-terms.toml" in message and rule in message
    assert isinstance(err.value, StudioError) and "\n" not in message


def test_file_name_must_match_id_and_on_story_must_be_a_pil_license(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    shutil.copy(default_licenses_dir() / "cc-by-4.0.toml", folder / "other.toml")
    with pytest.raises(LicenseFileError, match="must match the file name"):
        LicenseCatalog.load(folder)
    folder = tmp_path / "b"
    folder.mkdir()
    shutil.copy(default_licenses_dir() / "cc-by-4.0.toml", folder)
    with pytest.raises(LicenseFileError, match=re.escape("cc-by-4.0.toml: extra.on_story names 'pil-cc-by'")):
        LicenseCatalog.load(folder)
    sa = _broken(tmp_path, "sa", 'on_story = "none"', 'on_story = "pil-cc-by"', source="cc-by-sa-4.0")
    with pytest.raises(LicenseFileError, match="share-alike cannot be expressed"):
        LicenseCatalog.load(sa)


def test_empty_or_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LicenseFileError, match="holds no"):
        LicenseCatalog.load(tmp_path)
    with pytest.raises(LicenseFileError, match="does not exist"):
        LicenseCatalog.load(tmp_path / "missing")


def test_work_terms_apply_parameters_in_story_units(catalog: LicenseCatalog) -> None:
    remix = catalog.get("pil-commercial-remix")
    terms = WorkTerms(remix, rev_share=10_000_000, minting_fee=10**18, royalty_policy="lrp")
    pil = effective_pil(terms)
    assert (pil.commercial_rev_share, pil.default_minting_fee, pil.royalty_policy) == (10_000_000, 10**18, "lrp")
    assert remix.pil.commercial_rev_share == 0  # the catalogue entry is untouched
    assert royalty_percent(terms) == 10_000_000


def test_work_terms_refuse_parameters_the_license_lacks(catalog: LicenseCatalog) -> None:
    with pytest.raises(InvalidInput, match="has no rev share to set"):
        WorkTerms(catalog.get("pil-commercial-use"), rev_share=1)
    with pytest.raises(InvalidInput, match="has no minting fee"):
        WorkTerms(catalog.get("cc-by-4.0"), minting_fee=1)
    with pytest.raises(InvalidInput, match=re.escape("outside 0..100000000")):
        WorkTerms(catalog.get("pil-commercial-remix"), rev_share=HUNDRED_PERCENT + 1)
    with pytest.raises(InvalidInput, match="no royalty policy to choose"):
        WorkTerms(catalog.get("pil-non-commercial-social-remixing"), royalty_policy="lap")
    with pytest.raises(InvalidInput, match="unknown royalty policy"):
        WorkTerms(catalog.get("pil-commercial-remix"), royalty_policy="flat")
    with pytest.raises(InvalidInput, match="whole number"):
        WorkTerms(catalog.get("pil-commercial-remix"), rev_share=2.5)  # type: ignore[arg-type]


def test_royalty_percent_is_the_override_when_set(catalog: LicenseCatalog) -> None:
    """LicenseRegistry.getRoyaltyPercent: the licensing config's share if set (non-zero), else the terms'."""
    remix = catalog.get("pil-commercial-remix")
    assert royalty_percent(WorkTerms(remix, rev_share=5_000_000, rev_share_override=10_000_000)) == 10_000_000
    assert royalty_percent(WorkTerms(remix, rev_share=5_000_000, rev_share_override=0)) == 5_000_000
    with pytest.raises(InvalidInput, match="may only raise"):
        WorkTerms(remix, rev_share=5_000_000, rev_share_override=4_000_000)
    with pytest.raises(InvalidInput, match="needs commercial terms"):
        WorkTerms(catalog.get("pil-non-commercial-social-remixing"), rev_share_override=1)
    with pytest.raises(InvalidInput, match="not a Story license"):
        WorkTerms(catalog.get("cc-by-4.0"), rev_share_override=1)


def test_expiry_counts_from_registration(catalog: LicenseCatalog) -> None:
    remix = catalog.get("pil-commercial-remix")
    assert WorkTerms(remix, registered_at=100).expiry is None
    expiring = WorkTerms(_expiring(remix, 3600), registered_at=100)
    assert expiring.expiry == 3700
    assert WorkTerms(_expiring(remix, 3600), registered_at=100, expires_at=50).expiry == 50


def _expiring(lic: License, seconds: int) -> License:
    return replace(lic, id="expiring", pil=replace(lic.pil, expiration=seconds))


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ('applies_to = "commercial"', 'applies_to = "breathing"', "conditions.applies_to must be one of"),
        ('id = "revenue-under-1m"', 'id = "Revenue Under 1M"', "must be lower-case"),
        ('statement = "your', 'colour = 1\nstatement = "your', "unknown key conditions.colour"),
        ("training_allowed = true", 'training_allowed = "yes"', "outputs.training_allowed must be true or false"),
        ('[outputs]', '[outputs]\nprice = 3', "unknown key outputs.price"),
    ],
)
def test_broken_model_license_tables_name_the_rule(tmp_path: Path, old: str, new: str, rule: str) -> None:
    folder = tmp_path / "model-terms"
    folder.mkdir()
    text = (default_licenses_dir() / "stabilityai-ai-community.toml").read_text()
    assert old in text
    (folder / "broken-model.toml").write_text(
        text.replace('id = "stabilityai-ai-community"', 'id = "broken-model"').replace(old, new, 1))
    with pytest.raises(LicenseFileError) as err:
        LicenseCatalog.load(folder)
    assert "broken-model.toml" in str(err.value) and rule in str(err.value)


def test_outputs_that_forbid_training_must_say_why(tmp_path: Path) -> None:
    folder = tmp_path / "no-why"
    folder.mkdir()
    text = (default_licenses_dir() / "flux-1-dev-non-commercial.toml").read_text()
    text = text.replace('id = "flux-1-dev-non-commercial"', 'id = "no-why"')
    (folder / "no-why.toml").write_text(text[: text.index("training_terms =")] + 'training_terms = ""\n')
    with pytest.raises(LicenseFileError, match=r"outputs\.training_terms must say why"):
        LicenseCatalog.load(folder)
