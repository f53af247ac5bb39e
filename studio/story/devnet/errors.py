"""Errors of the local devnet, each saying what to do."""

from __future__ import annotations

from studio.errors import StudioError


class DevnetError(StudioError):
    """The local devnet cannot be started, reached or set up."""


class DevnetNotInstalled(DevnetError):
    """The anvil binary that runs the devnet is not on this machine."""


class RpcError(DevnetError):
    """A JSON-RPC call to the devnet failed; for a revert, `error_name` is the contract's custom error."""

    def __init__(self, method: str, code: int, message: str, data: str | None, error_signature: str | None) -> None:
        detail = f": {error_signature}" if error_signature else ""
        super().__init__(f"Devnet call {method} failed ({message}){detail}")
        self.method = method
        self.code = code
        self.data = data
        self.error_signature = error_signature

    @property
    def error_name(self) -> str | None:
        return self.error_signature.split("(", 1)[0] if self.error_signature else None
