"""What a ComfyUI server offers (from /system_stats and /object_info) and the checks made before a job is sent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from studio.generate.comfyui.client import ComfyUIClient
from studio.generate.comfyui.errors import ComfyUIError, MissingModel, MissingNodes

# Where ComfyUI looks for each kind of file, relative to its own folder (it also reads the older names
# models/unet and models/clip for diffusion models and text encoders).
MODEL_FOLDERS = {
    "checkpoint": "models/checkpoints",
    "lora": "models/loras",
    "unet": "models/diffusion_models",
    "clip": "models/text_encoders",
    "vae": "models/vae",
}
FILE_KINDS = tuple(MODEL_FOLDERS)
KIND_LABELS = {"checkpoint": "checkpoint", "lora": "LoRA", "unet": "diffusion model", "clip": "text encoder",
               "vae": "VAE"}
# The combo inputs that list each kind's files. Text encoders are listed by every CLIP loader (one folder); the
# lists are joined so a server whose CLIPLoader is older or newer than its DualCLIPLoader still shows them all.
_FILE_CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "checkpoint": (("CheckpointLoaderSimple", "ckpt_name"),),
    "lora": (("LoraLoader", "lora_name"), ("LoraLoaderModelOnly", "lora_name")),
    "unet": (("UNETLoader", "unet_name"),),
    "clip": (("CLIPLoader", "clip_name"), ("DualCLIPLoader", "clip_name1"), ("TripleCLIPLoader", "clip_name1")),
    "vae": (("VAELoader", "vae_name"),),
}
# VAELoader lists these beside the files of models/vae: no VAE at all, and the tiny preview decoders it assembles
# from models/vae_approx. None of them is a file a model can be linked to.
VAE_PSEUDO_FILES = frozenset({"pixel_space", "taesd", "taesdxl", "taesd3", "taef1"})
MAX_NAME = 1024  # characters in one file name (with its subfolders) a server lists
MAX_CHOICES = 100_000  # entries of one list that are looked at
# Loader options a family's workflow sets; a server too old for a family has the node but not the option.
_OPTION_CHOICES = (("CLIPLoader", "type"), ("DualCLIPLoader", "type"))


@dataclass(frozen=True)
class ServerInfo:
    name: str
    url: str
    version: str | None
    devices: tuple[str, ...]
    nodes: frozenset[str]
    checkpoints: tuple[str, ...]
    loras: tuple[str, ...]
    # diffusion models, text encoders and VAEs (the split files of the transformer families), by kind
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (node, input) -> the choices the server offers, for the loader options in _OPTION_CHOICES
    options: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def files(self, kind: str) -> tuple[str, ...]:
        if kind == "checkpoint":
            return self.checkpoints
        if kind == "lora":
            return self.loras
        return self.parts.get(kind, ())


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
    files = {kind: _joined(info, sources) for kind, sources in _FILE_CHOICES.items()}
    files["vae"] = tuple(name for name in files["vae"] if name not in VAE_PSEUDO_FILES)
    return ServerInfo(
        name=client.name,
        url=client.url,
        version=str(version)[:40] if version is not None else None,
        devices=devices,
        nodes=frozenset(info),
        checkpoints=files["checkpoint"],
        loras=files["lora"],
        parts={kind: files[kind] for kind in ("unet", "clip", "vae")},
        options={key: _choices(info, *key) for key in _OPTION_CHOICES},
    )


def require(info: ServerInfo, nodes: Sequence[str], files: Sequence[tuple[str, str]],
            options: Sequence[tuple[str, str, str]] = ()) -> None:
    """Raise MissingNodes or MissingModel, naming exactly what is missing and where it goes. `options` are
    (node, input, value) a workflow sets, such as DualCLIPLoader's type "flux"."""
    missing = sorted(set(nodes) - info.nodes)
    if missing:
        raise MissingNodes(
            f"ComfyUI server {info.name} lacks the built-in node(s) {', '.join(missing)}",
            hint="update ComfyUI on that server; the studio uses only ComfyUI's built-in nodes",
        )
    for node, field_name, value in options:
        if value not in info.options.get((node, field_name), ()):
            raise MissingNodes(
                f"ComfyUI server {info.name}'s {node} has no {field_name} {value!r}",
                hint="update ComfyUI on that server: its version is older than this model family's support",
            )
    for kind, filename in files:
        if filename not in info.files(kind):
            raise MissingModel(
                f"ComfyUI server {info.name} has no {KIND_LABELS[kind]} {filename!r}",
                hint=f"put the file in {MODEL_FOLDERS[kind]}/ of that server's ComfyUI folder (it is seen at the "
                "next job, no restart needed), or link the model to a file the server has "
                f"(`studio engines models {info.name}`)",
            )


def _joined(info: dict[str, Any], sources: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for node, field_name in sources:
        seen.update(dict.fromkeys(_choices(info, node, field_name)))
    return tuple(seen)


def _choices(info: dict[str, Any], node: str, field_name: str) -> tuple[str, ...]:
    """A combo input's choices; ComfyUI writes them as [[choices], {...}] or, newer, ["COMBO", {"options": ...}]."""
    inputs = info.get(node, {}).get("input") if isinstance(info.get(node), dict) else None
    spec: Any = None
    for section in ("required", "optional"):
        group = inputs.get(section) if isinstance(inputs, dict) else None
        if isinstance(group, dict) and field_name in group:
            spec = group[field_name]
            break
    if not isinstance(spec, list | tuple) or not spec:
        return ()
    if isinstance(spec[0], list):
        return _names(spec[0])
    if len(spec) > 1 and isinstance(spec[1], dict) and isinstance(spec[1].get("options"), list):
        return _names(spec[1]["options"])
    return ()


def _names(values: list[Any]) -> tuple[str, ...]:
    """The usable names of a server's list: strings of a file name's length without control characters (a name
    goes into workflows, settings and the terminal); anything else it sends is left out."""
    return tuple(v for v in values[:MAX_CHOICES] if isinstance(v, str) and 0 < len(v) <= MAX_NAME
                 and v.isprintable())
