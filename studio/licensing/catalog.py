"""The license catalogue (one TOML file per license in `licenses/`) and the terms a work carries."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from studio.core.types import HUNDRED_PERCENT, Terms
from studio.errors import InvalidInput, NotFound
from studio.licensing.license import Condition, License
from studio.licensing.license_files import LicenseFileError, parse_license_file
from studio.licensing.story_rules import ROYALTY_POLICIES, PilTerms, override_problem, registration_problems

LICENSES_DIR_ENV = "STUDIO_LICENSES_DIR"


@dataclass(frozen=True)
class WorkTerms:
    """The terms one work carries: its license plus the work's own parameters.

    `rev_share` (Story units) and `minting_fee` (wei) may be set only where the license lists them as
    parameters; `royalty_policy` only where the license has one. `rev_share_override` is Story's raise-only
    licensing config of a derivative (0 or None: no override). `registered_at` / `expires_at` are unix
    seconds; without `expires_at` the expiry is `registered_at + expiration` when the terms expire.
    """

    license: License
    rev_share: int | None = None
    minting_fee: int | None = None
    royalty_policy: str | None = None
    rev_share_override: int | None = None
    registered_at: int | None = None
    expires_at: int | None = None

    def __post_init__(self) -> None:
        lic = self.license
        for name in ("rev_share", "minting_fee"):
            value = getattr(self, name)
            if value is None:
                continue
            _require_int(name, value)
            if name not in lic.parameters:
                raise InvalidInput(
                    f"{lic.name} has no {name.replace('_', ' ')} to set",
                    hint=f"leave it out, or choose a license with that parameter ({_with_parameter(name)})",
                )
        if self.rev_share is not None and not 0 <= self.rev_share <= HUNDRED_PERCENT:
            raise InvalidInput(
                f"rev share {self.rev_share} is outside 0..{HUNDRED_PERCENT} (Story units, 100% = 100_000_000)"
            )
        if self.minting_fee is not None and self.minting_fee < 0:
            raise InvalidInput(f"minting fee {self.minting_fee} is negative", hint="give a fee in wei, 0 or more")
        if self.royalty_policy is not None:
            if self.royalty_policy not in ROYALTY_POLICIES:
                raise InvalidInput(f"unknown royalty policy {self.royalty_policy!r}", hint="use lap or lrp")
            if not lic.is_pil or lic.pil.royalty_policy is None:
                raise InvalidInput(f"{lic.name} has no royalty policy to choose", hint="leave it out")
        for name in ("registered_at", "expires_at"):
            value = getattr(self, name)
            if value is not None:
                _require_int(name, value)
        problems = registration_problems(effective_pil(self))
        if problems:
            raise InvalidInput(f"Story would refuse these terms of {lic.name}: {problems[0]}")
        if self.rev_share_override is not None:
            _require_int("rev_share_override", self.rev_share_override)
            if not lic.is_pil:
                raise InvalidInput(f"{lic.name} is not a Story license: it has no rev share to override")
            problem = override_problem(effective_pil(self), self.rev_share_override)
            if problem:
                raise InvalidInput(problem)

    @property
    def license_id(self) -> str:
        return self.license.id

    @classmethod
    def of(cls, catalog: LicenseCatalog, terms: Terms) -> WorkTerms:
        """A work's stored terms with its license looked up (and every value checked against it)."""
        return cls(catalog.get(terms.license_id), rev_share=terms.rev_share, minting_fee=terms.minting_fee,
                   royalty_policy=terms.royalty_policy, rev_share_override=terms.rev_share_override)

    @property
    def stored(self) -> Terms:
        """The terms as a work records them."""
        return Terms(self.license.id, rev_share=self.rev_share, minting_fee=self.minting_fee,
                     royalty_policy=self.royalty_policy, rev_share_override=self.rev_share_override)

    @property
    def expiry(self) -> int | None:
        """When these terms stop granting anything (unix seconds), or None for never."""
        if self.expires_at is not None:
            return self.expires_at
        expiration = self.license.pil.expiration
        if expiration and self.registered_at is not None:
            return self.registered_at + expiration
        return None

    def same_terms(self, other: WorkTerms) -> bool:
        """Whether both carry identical PIL terms (the same Story terms id), ignoring per-work settings."""
        return self.license.id == other.license.id and effective_pil(self) == effective_pil(other)

    def inherited(self) -> WorkTerms:
        """The terms a derivative inherits: these terms, without this work's override and dates."""
        return replace(self, rev_share_override=None, registered_at=None, expires_at=None)


def _require_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number, not {value!r}")


def _with_parameter(name: str) -> str:
    return "pil-commercial-remix" if name == "rev_share" else "pil-commercial-use or pil-commercial-remix"


def effective_pil(terms: WorkTerms) -> PilTerms:
    """The license's PIL terms with the work's parameters applied: what Story registers for this work."""
    pil = terms.license.pil
    return replace(
        pil,
        commercial_rev_share=pil.commercial_rev_share if terms.rev_share is None else terms.rev_share,
        default_minting_fee=pil.default_minting_fee if terms.minting_fee is None else terms.minting_fee,
        royalty_policy=pil.royalty_policy if terms.royalty_policy is None else terms.royalty_policy,
    )


def royalty_percent(terms: WorkTerms) -> int:
    """Story's `getRoyaltyPercent`: the override when one is set (non-zero), else the terms' rev share."""
    if terms.rev_share_override:
        return terms.rev_share_override
    return effective_pil(terms).commercial_rev_share


# --- the catalogue ---------------------------------------------------------------------------------

class LicenseCatalog:
    """Every license the studio knows, loaded and checked against Story's rules."""

    def __init__(self, licenses: Mapping[str, License], directory: Path | None = None) -> None:
        self._licenses = dict(sorted(licenses.items()))
        self.directory = directory

    @classmethod
    def load(cls, directory: Path | None = None) -> LicenseCatalog:
        """Read every `*.toml` in `directory` (default: $STUDIO_LICENSES_DIR, else the repo's licenses/)."""
        folder = _resolve_directory(directory)
        if not folder.is_dir():
            raise LicenseFileError(
                f"license folder {folder} does not exist",
                hint=f"set {LICENSES_DIR_ENV} to the folder holding the license files",
            )
        licenses: dict[str, License] = {}
        for path in sorted(folder.glob("*.toml")):
            lic = parse_license_file(path)
            licenses[lic.id] = lic
        if not licenses:
            raise LicenseFileError(f"license folder {folder} holds no *.toml license files")
        for lic in licenses.values():
            if lic.on_story is None:
                continue
            target = licenses.get(lic.on_story)
            if target is None or not target.is_pil:
                raise LicenseFileError(
                    f"{lic.id}.toml: extra.on_story names {lic.on_story!r}, which is not a PIL license "
                    "of this catalogue"
                )
        return cls(licenses, folder)

    def conditions(self) -> dict[str, tuple[Condition, License]]:
        """Every condition a license of the catalogue sets, by id, with the (first) license that sets it."""
        found: dict[str, tuple[Condition, License]] = {}
        for lic in self._licenses.values():
            for condition in lic.conditions:
                found.setdefault(condition.id, (condition, lic))
        return found

    def get(self, license_id: str) -> License:
        key = license_id.strip().lower()
        if key in self._licenses:
            return self._licenses[key]
        close = difflib.get_close_matches(key, list(self._licenses), n=3, cutoff=0.4)
        hint = f"did you mean {', '.join(close)}?" if close else f"known licenses: {', '.join(self._licenses)}"
        raise NotFound(f"no license {license_id!r} in the catalogue", hint=hint)

    def all(self) -> tuple[License, ...]:
        return tuple(self._licenses.values())

    def __contains__(self, license_id: object) -> bool:
        return isinstance(license_id, str) and license_id.strip().lower() in self._licenses

    def __iter__(self) -> Iterator[License]:
        return iter(self._licenses.values())

    def __len__(self) -> int:
        return len(self._licenses)


def default_licenses_dir() -> Path:
    # studio/licensing/catalog.py -> the repository root holds licenses/
    return Path(__file__).resolve().parents[2] / "licenses"


def _resolve_directory(directory: Path | None) -> Path:
    if directory is not None:
        return Path(directory)
    env = os.environ.get(LICENSES_DIR_ENV)
    return Path(env) if env else default_licenses_dir()


def default_catalog() -> LicenseCatalog:
    """The catalogue at the default location, loaded once per folder."""
    return _load_cached(_resolve_directory(None).resolve())


@cache
def _load_cached(folder: Path) -> LicenseCatalog:
    return LicenseCatalog.load(folder)
