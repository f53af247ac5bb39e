"""Credit lines and the duties that travel down a lineage (use restrictions, share-alike, non-commercial)."""

from __future__ import annotations

from studio.licensing.license import LicenseFamily
from studio.licensing.works import Attribution, LicensedWork, Obligation


def required_credit(work: LicensedWork, *, used_only: bool = False) -> str | None:
    """When the work's license asks for credit, in words; None when it asks none (or binds nobody). `used_only`:
    the work is a model only used (not adapted) up the lineage, so its license's terms for outputs decide."""
    if work.owned:
        return None
    lic = work.license
    if used_only and lic.outputs is not None:
        return "every use" if lic.outputs.attribution_required else None
    if lic.family is LicenseFamily.pil:
        needs = []
        if lic.pil.derivatives_attribution:
            needs.append("remixes")
        if lic.pil.commercial_attribution:
            needs.append("commercial use")
        return " and ".join(needs) or None
    return "every use" if lic.attribution_required else None


def attribution_for(work: LicensedWork, required_for: str) -> Attribution:
    lic = work.license
    by = f"by {work.creator}" if work.creator else "by an unknown creator"
    text = f'"{work.title}" {by}, licensed under {lic.name} ({lic.legal_url})'
    on_chain = work.on_chain and lic.family is LicenseFamily.pil
    if on_chain:
        text += ", registered on Story"
    return Attribution(
        work_id=work.id,
        title=work.title,
        creator=work.creator,
        license_id=lic.id,
        license_name=lic.name,
        legal_url=lic.legal_url,
        required_for=required_for,
        on_chain=on_chain,
        text=text,
    )


def obligations_from(work: LicensedWork, *, commercial_use: bool | None = None) -> list[Obligation]:
    """The duties `work`'s license puts on whoever uses it or makes something from it (share-alike aside:
    see `share_alike_duty`); `commercial_use` overrides the license's own (a model's terms for outputs)."""
    if work.owned:
        return []
    lic = work.license
    duties = [
        Obligation("use_restrictions", f"Use restriction from “{work.title}” ({lic.name}): {text}", work.id)
        for text in lic.use_restrictions
    ]
    if not (lic.pil.commercial_use if commercial_use is None else commercial_use):
        duties.append(Obligation(
            "non_commercial", f"No commercial use: “{work.title}” is licensed {lic.name}.", work.id
        ))
    return duties


def share_alike_duty(work: LicensedWork) -> Obligation:
    """For works adapted from `work`; a model or LoRA only used to generate an image does not bind it."""
    return Obligation(
        "share_alike",
        f"Share it and anything made from it only under {work.license.name}, the license of “{work.title}”.",
        work.id,
    )
