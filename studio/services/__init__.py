"""The composition root shared by the CLI and the window: one `Studio` per open library."""

from studio.services.studio import Studio

__all__ = ["Studio"]
