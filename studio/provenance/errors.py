"""Errors of Content Credentials: signing, reading and the creator's signing identity."""

from __future__ import annotations

from studio.errors import StudioError


class ProvenanceError(StudioError):
    """Content Credentials could not be made or read (bad file, hostile manifest, refused certificate)."""

    exit_code = 7


class IdentityError(ProvenanceError):
    """The creator's signing identity (certificate chain + key) is missing, damaged or unusable."""
