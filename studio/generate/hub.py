"""Download a recommended model from the Hugging Face Hub, when the machine is online.

Offline (HF_HUB_OFFLINE set by the user, or the hub not reachable) it fails within seconds with a message that
says how to add a local model instead. The download runs in a child process so that the engine's own offline
switch in this process does not block it, and lands in a staging folder renamed into place only when complete.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from studio.errors import InvalidInput, StudioError
from studio.generate.models import ModelInfo, inspect_model
from studio.generate.offline import environment_for_download, user_offline

PROBE_TIMEOUT_S = 3.0
LOCAL_MODEL_HINT = "add a local model instead: import a .safetensors checkpoint or a diffusers model folder"


class HubUnavailable(StudioError):
    """The Hugging Face Hub cannot be reached (offline mode, or no network)."""


@dataclass(frozen=True)
class Recommended:
    id: str
    repo_id: str
    description: str


RECOMMENDED: dict[str, Recommended] = {
    r.id: r
    for r in (
        Recommended("sd-turbo", "stabilityai/sd-turbo",
                    "One-step SD 2.1-sized model (about 5 GB): about 20 s per 512 px image on 2 CPU cores."),
        Recommended("sdxl-turbo", "stabilityai/sdxl-turbo",
                    "One-step SDXL-sized model (about 14 GB): sharper and several times slower; best with a GPU."),
    )
}
# Only the diffusers folder in full precision: no duplicate fp16 copies, pickles or other runtimes' files.
_ALLOW = ["model_index.json", "README.md", "scheduler/*", "text_encoder*/*", "tokenizer*/*", "unet/*", "vae/*"]
_IGNORE = ["*.fp16.*", "*.bin", "*.ckpt", "*.onnx", "*.onnx_data", "*.msgpack", "*.h5", "*.xml"]

_DOWNLOAD = """
import json, sys
from huggingface_hub import snapshot_download
repo, dest, allow, ignore = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
snapshot_download(repo, local_dir=dest, allow_patterns=allow, ignore_patterns=ignore)
"""


def fetch_recommended(model_id: str, data_dir: Path, *, timeout_s: float | None = None) -> ModelInfo:
    """Download a recommended model into `data_dir/models/<id>` (or reuse it) and describe it."""
    model = RECOMMENDED.get(model_id)
    if model is None:
        raise InvalidInput(f"Unknown recommended model {model_id!r}", hint=f"choose one of {', '.join(RECOMMENDED)}")
    target = Path(data_dir) / "models" / model.id
    if (target / "model_index.json").is_file():
        return inspect_model(target)
    if user_offline():
        raise HubUnavailable(f"Cannot download {model.id}: this machine is set to work offline (HF_HUB_OFFLINE)",
                             hint=LOCAL_MODEL_HINT)
    _probe_hub()
    staging = target.with_name(f".{target.name}-partial")  # kept between tries: the download resumes
    staging.mkdir(parents=True, exist_ok=True)
    args = [sys.executable, "-c", _DOWNLOAD, model.repo_id, str(staging), json.dumps(_ALLOW), json.dumps(_IGNORE)]
    try:
        done = subprocess.run(args, env=environment_for_download(), capture_output=True, text=True,
                              timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise HubUnavailable(f"Downloading {model.id} took too long",
                             hint="try again later, or " + LOCAL_MODEL_HINT) from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no error output"])[-1][:300]
        raise HubUnavailable(f"Downloading {model.id} failed: {last}", hint="try again later, or " + LOCAL_MODEL_HINT)
    shutil.rmtree(staging / ".cache", ignore_errors=True)
    os.replace(staging, target)
    return inspect_model(target)


def _probe_hub() -> None:
    """Fail fast when the hub's host cannot be reached, instead of waiting on retries."""
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            pass
    except OSError as exc:
        raise HubUnavailable(f"Cannot reach {host}: this machine looks offline ({exc.strerror or exc})",
                             hint=LOCAL_MODEL_HINT) from exc
