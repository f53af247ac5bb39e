"""What a ComfyUI server offers (from /system_stats and /object_info) and the checks made before a job is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.errors import ComfyUIError, MissingModel, MissingNodes

# Where ComfyUI looks for each kind of file, relative to its own folder.
MODEL_FOLDERS = {"checkpoint": "models/checkpoints", "lora": "models/loras"}


@dataclass(frozen=True)
class ServerInfo:
    name: str
    url: str
    version: str | None
    devices: tuple[str, ...]
    nodes: frozenset[str]
    checkpoints: tuple[str, ...]
    loras: tuple[str, ...]

    def files(self, kind: str) -> tuple[str, ...]:
        return self.checkpoints if kind == "checkpoint" else self.loras


def inspect_server(client: ComfyUIClient, *, refresh: bool = True) -> ServerInfo:
    """Ask the server what it runs on and which nodes and model files it has. /object_info is the connection's
    copy unless `refresh` (on connect, and when a job finds a node or file missing)."""
    stats = client.system_stats()
    info = client.object_info(refresh=refresh)
    if not isinstance(stats, dict) or not isinstance(info, dict):
        raise ComfyUIError(f"{client.name} at {client.url} does not answer like a ComfyUI server",
                           hint="check the address and port")
    system = stats.get("system")
    system = system if isinstance(system, dict) else {}
    listed = stats.get("devices")
    devices = tuple(
        str(d.get("name") or d.get("type"))[:200] for d in (listed if isinstance(listed, list) else ())
        if isinstance(d, dict)
    )
    version = system.get("comfyui_version")
    return ServerInfo(
        name=client.name,
        url=client.url,
        version=str(version)[:40] if version is not None else None,
        devices=devices,
        nodes=frozenset(info),
        checkpoints=_choices(info, "CheckpointLoaderSimple", "ckpt_name"),
        loras=_choices(info, "LoraLoader", "lora_name"),
    )


def require(info: ServerInfo, nodes: Sequence[str], files: Sequence[tuple[str, str]]) -> None:
    """Raise MissingNodes or MissingModel, naming exactly what is missing and where it goes."""
    missing = sorted(set(nodes) - info.nodes)
    if missing:
        raise MissingNodes(
            f"ComfyUI server {info.name} lacks the built-in node(s) {', '.join(missing)}",
            hint="update ComfyUI on that server; the studio uses only ComfyUI's built-in nodes",
        )
    for kind, filename in files:
        if filename not in info.files(kind):
            raise MissingModel(
                f"ComfyUI server {info.name} has no {kind} {filename!r}",
                hint=f"put the file in {MODEL_FOLDERS[kind]}/ of that server's ComfyUI folder (it is seen at the "
                "next job, no restart needed), or link the model to a file the server has "
                f"(`studio engines models {info.name}`)",
            )


def _choices(info: dict[str, Any], node: str, field: str) -> tuple[str, ...]:
    """A combo input's choices; ComfyUI writes them as [[choices], {...}] or, newer, ["COMBO", {"options": ...}]."""
    spec: Any = info
    for key in (node, "input", "required", field):
        spec = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(spec, list | tuple) or not spec:
        return ()
    if isinstance(spec[0], list):
        return tuple(str(x) for x in spec[0])
    if len(spec) > 1 and isinstance(spec[1], dict) and isinstance(spec[1].get("options"), list):
        return tuple(str(x) for x in spec[1]["options"])
    return ()
