"""What can go wrong with a ComfyUI server, each as one line that says what to do.

`ServerUnavailable` (unreachable, or dropped in the middle of a job) is what a pool answers by moving the job to
another server; the others are about the job or the server's set-up and would fail the same way anywhere.
"""

from __future__ import annotations

from studio.errors import StudioError


class ComfyUIError(StudioError):
    """A ComfyUI server could not do what the studio asked."""

    exit_code = 7


class ServerUnavailable(ComfyUIError):
    """The server cannot be reached, or went away in the middle of a job; another server may take the job."""


class TokenRefused(ComfyUIError):
    """The server (or the proxy before it) refused the access token."""


class MissingNodes(ComfyUIError):
    """The server lacks built-in nodes the studio's workflows use."""


class MissingModel(ComfyUIError):
    """The server has no file for the checkpoint or LoRA the job needs."""


class ModelNotLinked(ComfyUIError):
    """A registered model has not been linked to a file on the ComfyUI servers."""


class JobFailed(ComfyUIError):
    """The server accepted the job and then failed it (an error in a node, or an interruption on the server)."""


class JobRejected(ComfyUIError):
    """The server refused the workflow (POST /prompt answered with node errors)."""
