"""The services of one open library, built by the composition root (`root`) and driven through one facade, `Studio`."""

from studio.services.studio import Studio

__all__ = ["Studio"]
