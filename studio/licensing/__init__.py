"""The license catalogue and the pure license engine (standard library, studio.core and studio.errors only)."""

from __future__ import annotations

from studio.licensing.catalog import LicenseCatalog, WorkTerms, default_catalog, effective_pil, royalty_percent
from studio.licensing.codes import CODES, Reason, reason
from studio.licensing.engine import audit_recorded_derivative, check_work, plan_derivative, royalty_links
from studio.licensing.license import License, LicenseFamily
from studio.licensing.license_files import LicenseFileError
from studio.licensing.story_rules import PilTerms
from studio.licensing.training import TrainingVerdict, signal_from_dmi, signals_from_assertion, training_verdict
from studio.licensing.works import Attribution, DerivativePlan, LicensedWork, Obligation, TrainingSignal, Verdict

__all__ = [
    "CODES",
    "Attribution",
    "DerivativePlan",
    "License",
    "LicenseCatalog",
    "LicenseFamily",
    "LicenseFileError",
    "LicensedWork",
    "Obligation",
    "PilTerms",
    "Reason",
    "TrainingSignal",
    "TrainingVerdict",
    "Verdict",
    "WorkTerms",
    "audit_recorded_derivative",
    "check_work",
    "default_catalog",
    "effective_pil",
    "plan_derivative",
    "reason",
    "royalty_links",
    "royalty_percent",
    "signal_from_dmi",
    "signals_from_assertion",
    "training_verdict",
]
