"""ComfyUI as a remote generation engine: HTTP + websocket client, workflows of built-in nodes, a server pool.

Imports neither torch nor diffusers; `ComfyUIGenerator` implements the same `Generator` protocol as the local
engine.
"""

from __future__ import annotations

from studio.generate.comfyui.client import DEFAULT_LIMITS, ComfyUIClient, Limits, normalise_url
from studio.generate.comfyui.errors import (
    ComfyUIError,
    JobFailed,
    JobRejected,
    MissingModel,
    MissingNodes,
    ModelNotLinked,
    ServerUnavailable,
    TokenRefused,
)
from studio.generate.comfyui.family_workflow import FAMILY_PARTS, PART_KINDS
from studio.generate.comfyui.generator import ComfyUIGenerator, ServerFile, part_link_key
from studio.generate.comfyui.pool import ServerPool, ServerState
from studio.generate.comfyui.server_info import FILE_KINDS, KIND_LABELS, MODEL_FOLDERS, ServerInfo, inspect_server

__all__ = [
    "DEFAULT_LIMITS",
    "FAMILY_PARTS",
    "FILE_KINDS",
    "KIND_LABELS",
    "MODEL_FOLDERS",
    "PART_KINDS",
    "ComfyUIClient",
    "ComfyUIError",
    "ComfyUIGenerator",
    "JobFailed",
    "JobRejected",
    "Limits",
    "MissingModel",
    "MissingNodes",
    "ModelNotLinked",
    "ServerFile",
    "ServerInfo",
    "ServerPool",
    "ServerState",
    "ServerUnavailable",
    "TokenRefused",
    "inspect_server",
    "normalise_url",
    "part_link_key",
]
