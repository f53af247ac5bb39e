"""Every license id the studio suggests (model architecture defaults, hints, engine defaults) is in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from studio.generate.models import DEFAULT_LICENSES
from studio.licensing import LicenseCatalog
from studio.licensing.engine import DEFAULT_COMMERCIAL_LICENSE, DEFAULT_NON_COMMERCIAL_LICENSE

STUDIO = Path(__file__).resolve().parents[2] / "studio"
# License ids as the studio's code spells them in suggestions: `--license X`, "e.g. X", defaults.
LICENSE_ID = re.compile(
    r"(?<![\w.-])(creativeml-openrail-m|openrail\+\+|openrail-m|pil-[a-z-]+|cc0-1\.0|cc-by[a-z0-9.-]*\d\.\d"
    r"|all-rights-reserved)(?![\w+])"
)


def test_architecture_defaults_exist(catalog: LicenseCatalog) -> None:
    assert set(DEFAULT_LICENSES) >= {"sd1", "sd2", "sdxl"}
    for arch, license_id in DEFAULT_LICENSES.items():
        assert license_id in catalog, f"{arch} suggests {license_id!r}, which the catalogue lacks"
    assert catalog.get(DEFAULT_LICENSES["sdxl"]).name == "CreativeML OpenRAIL++-M"
    assert DEFAULT_COMMERCIAL_LICENSE in catalog and DEFAULT_NON_COMMERCIAL_LICENSE in catalog


def test_every_license_id_named_in_the_code_exists(catalog: LicenseCatalog) -> None:
    named: dict[str, str] = {}
    for path in STUDIO.rglob("*.py"):
        for match in LICENSE_ID.finditer(path.read_text(encoding="utf-8")):
            named.setdefault(match.group(1), str(path.relative_to(STUDIO)))
    assert "openrail++" in named and "creativeml-openrail-m" in named
    missing = {i: where for i, where in named.items() if i not in catalog}
    assert missing == {}


def test_openrail_plus_plus_terms(catalog: LicenseCatalog) -> None:
    lic = catalog.get("openrail++")
    assert lic.family.value == "openrail" and lic.on_story is None
    assert lic.pil.commercial_use and lic.pil.derivatives_allowed and not lic.pil.derivatives_reciprocal
    assert not lic.share_alike and len(lic.use_restrictions) == 11
    assert "stable-diffusion-xl" in lic.legal_url
