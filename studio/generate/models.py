"""Inspect a model or LoRA the user points at: what it is, its architecture, its sha256. No torch.

Accepted: diffusers folders (model_index.json), Hugging Face repo ids already in the local cache (resolved to
their snapshot folder, never downloaded), single-file `.safetensors` checkpoints in the original LDM layout, and
LoRA `.safetensors` files in diffusers/PEFT or kohya layout. Pickled files (`.ckpt`, `.pt`, `.pth`, `.bin`,
`.pkl`) are refused: unpickling can run arbitrary code, so they must be converted to `.safetensors` first.
The architecture comes from the safetensors header (key names and shapes), read with the standard library.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from studio.errors import InvalidInput, NotFound
from studio.generate.families import FAMILIES, arch_of_checkpoint_keys, arch_of_pipeline, family, same_family
from studio.generate.lora_provenance import LoraProvenance, arch_of_modelspec
from studio.generate.model_configs import read_config
from studio.generate.request import LoraRef, ModelRef
from studio.store.files import sha256_file

PICKLE_SUFFIXES = (".ckpt", ".pt", ".pth", ".bin", ".pkl")
MAX_HEADER = 100 << 20

# Known licenses of the published base models of each architecture (Hugging Face license ids).
DEFAULT_LICENSES = {"sd1": "creativeml-openrail-m", "sd2": "openrail++", "sdxl": "openrail++",
                    **{arch: fam.license for arch, fam in FAMILIES.items()}}
# Cross-attention width -> architecture, for SD-family UNets.
_CONTEXT_WIDTH = {768: "sd1", 1024: "sd2", 2048: "sdxl"}
# Transformer widths of the published SD3.5 Medium / Large and Qwen-Image models.
_SD3_WIDTHS = (1536, 2432)
_QWEN_WIDTH = 3072


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    kind: Literal["model", "lora"]
    format: Literal["diffusers", "single_file", "parts"]
    arch: str
    sha256: str
    size_bytes: int
    name: str
    suggested_license: str | None
    # What a LoRA's header says of its making (title, author, license, base model, training set), when it says.
    provenance: LoraProvenance | None = None
    # A model assembled from part files (see `read_parts`): each part's name and sha256, the base folder's first.
    parts: tuple[tuple[str, str], ...] = ()

    def model_ref(self, id: str) -> ModelRef:
        if self.kind != "model":
            raise InvalidInput(f"{self.name} is a LoRA, not a base model")
        return ModelRef(id=id, path=self.path, arch=self.arch, sha256=self.sha256, name=self.name)

    def lora_ref(self, id: str, weight: float = 1.0) -> LoraRef:
        if self.kind != "lora":
            raise InvalidInput(f"{self.name} is a base model, not a LoRA")
        return LoraRef(id=id, path=self.path, weight=weight, sha256=self.sha256, name=self.name)


def inspect_model(source: str | Path) -> ModelInfo:
    """Describe a model folder, a `.safetensors` file, or a Hugging Face repo id found in the local cache."""
    path = Path(source).expanduser()
    if not path.exists():
        if isinstance(source, str) and re.fullmatch(r"[\w.-]+/[\w.-]+", source):
            path = _cached_snapshot(source)
            return _inspect_folder(path, name=source)
        raise NotFound(f"No model at {source}", hint="give a model folder, a .safetensors file or a cached repo id")
    if path.is_dir():
        return _inspect_folder(path, name=path.name)
    suffix = path.suffix.lower()
    if suffix in PICKLE_SUFFIXES:
        raise InvalidInput(
            f"{path.name} is a pickled checkpoint, which can run code when loaded",
            hint="use the .safetensors version of this model, or convert it to .safetensors first",
        )
    if suffix == ".json":
        return _inspect_parts(path)
    if suffix != ".safetensors":
        raise InvalidInput(f"{path.name} is not a model file",
                           hint="use a .safetensors file, a diffusers folder or a parts manifest (.json)")
    return _inspect_safetensors(path)


# -- hashing ------------------------------------------------------------------------------------------------


def folder_files(folder: Path) -> list[Path]:
    """Every regular file under `folder` (links followed), hidden names skipped, in a stable order."""
    files = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def folder_sha256(folder: Path) -> str:
    """A stable hash of a folder: sha256 over its sorted 'relative/path<NUL>file-sha256' lines."""
    digest = hashlib.sha256()
    for path in folder_files(folder):
        digest.update(f"{path.relative_to(folder).as_posix()}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


# -- folders ------------------------------------------------------------------------------------------------


def _inspect_folder(folder: Path, *, name: str) -> ModelInfo:
    files = folder_files(folder)
    size = sum(p.stat().st_size for p in files)
    if (folder / "model_index.json").is_file():
        arch = _folder_arch(folder)
        license_id = _readme_license(folder) or DEFAULT_LICENSES.get(arch)
        return ModelInfo(folder, "model", "diffusers", arch, folder_sha256(folder), size, name, license_id)
    weights = [p for p in files if p.suffix == ".safetensors"]
    if len(weights) == 1:
        header = read_safetensors_header(weights[0])
        if _is_lora(header):
            return ModelInfo(folder, "lora", "diffusers", _lora_arch(header), folder_sha256(folder), size, name,
                             _readme_license(folder))
    if any(p.suffix.lower() in PICKLE_SUFFIXES for p in files):
        raise InvalidInput(f"{name} holds only pickled weights", hint="use a folder with .safetensors weights")
    raise InvalidInput(f"{name} is not a diffusers model or LoRA folder",
                       hint="a model folder has model_index.json; a LoRA folder one .safetensors file")


def _folder_arch(folder: Path) -> str:
    index = _read_json(folder / "model_index.json")
    transformer_config = folder / "transformer" / "config.json"
    transformer = _read_json(transformer_config) if transformer_config.is_file() else {}
    family_arch = arch_of_pipeline(str(index.get("_class_name", "")), transformer)
    if family_arch is not None:
        if not transformer:
            raise InvalidInput(f"{folder.name} is a {index.get('_class_name')} model without a transformer",
                               hint="the model folder is incomplete; download it again")
        return family_arch
    unet_config = folder / "unet" / "config.json"
    if not unet_config.is_file():
        raise InvalidInput(f"{folder.name} is a {index.get('_class_name', 'diffusers')} model without a UNet",
                           hint="use a Stable Diffusion 1.x, 2.x, SDXL, 3.5, FLUX.1 or Qwen-Image model")
    unet = _read_json(unet_config)
    if "XL" in str(index.get("_class_name")) or unet.get("addition_embed_type") == "text_time":
        arch = "sdxl"
    elif _is_tiny(unet.get("block_out_channels"), unet.get("cross_attention_dim")):
        arch = "studio-tiny"
    elif _is_emoji(unet.get("cross_attention_dim")):
        arch = "studio-emoji"
    else:
        arch = _CONTEXT_WIDTH.get(unet.get("cross_attention_dim"), "")
    if not arch:
        raise InvalidInput(f"{folder.name} has an unsupported UNet",
                           hint="use a Stable Diffusion 1.x, 2.x or SDXL model")
    return f"{arch}-inpaint" if unet.get("in_channels") == 9 else arch


def _readme_license(folder: Path) -> str | None:
    """The `license:` of a model card's YAML front matter, if the folder has one."""
    readme = folder / "README.md"
    if not readme.is_file():
        return None
    text = readme.read_text(encoding="utf-8", errors="replace")
    match = re.match(r"---\s*\n(.*?)\n---", text, re.S)
    if not match:
        return None
    found = re.search(r"^license:\s*['\"]?([\w.+-]+)", match.group(1), re.M)
    return found.group(1) if found else None


def _cached_snapshot(repo_id: str) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, local_files_only=True))
    except OSError as exc:  # the hub's "not cached" and "incomplete snapshot" errors are OSErrors
        raise NotFound(
            f"{repo_id} is not in the local Hugging Face cache",
            hint="download it first (when online) or point to a local model folder or .safetensors file",
        ) from exc


# -- models from part files ---------------------------------------------------------------------------------

PART_NAMES = ("transformer", "text_encoder", "text_encoder_2", "text_encoder_3", "vae")
MAX_MANIFEST_BYTES = 64 << 10


@dataclass(frozen=True)
class ModelParts:
    """A transformer-family model assembled from separate files: `base` is a diffusers folder of the family that
    gives the configs, tokenizers, scheduler and every component not listed; `files` replace its components."""

    base: Path
    files: tuple[tuple[str, Path], ...]


def read_parts(manifest: Path) -> ModelParts:
    """Read a parts manifest: {"base": FOLDER, "parts": {"transformer": FILE, "vae": FILE, ...}}, paths relative
    to the manifest's folder. Every part must be a .safetensors file."""
    def bad(why: str) -> InvalidInput:
        return InvalidInput(f"{manifest.name} is not a usable parts manifest: {why}",
                            hint='write {"base": "MODEL_FOLDER", "parts": {"transformer": "FILE.safetensors"}} '
                                 "(see docs/models.md)")
    if not manifest.is_file():  # a FIFO or device would block or never end
        raise bad("it is not a regular file")
    try:
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            raise bad("it is larger than 64 KiB")
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise bad(f"not readable JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("base"), str) or not isinstance(data.get("parts"), dict):
        raise bad('it needs "base" (a model folder) and "parts" (part name -> file)')
    unknown = sorted(set(data) - {"base", "parts"}) + sorted(str(k) for k in data["parts"] if k not in PART_NAMES)
    if unknown:
        raise bad(f"unknown entries {', '.join(unknown)} (parts are {', '.join(PART_NAMES)})")
    here = manifest.resolve().parent
    base = (here / data["base"]).resolve()
    if not (base / "model_index.json").is_file():
        raise bad(f"the base {data['base']} is not a diffusers model folder")
    files = []
    for name in PART_NAMES:
        if name not in data["parts"]:
            continue
        value = data["parts"][name]
        if not isinstance(value, str) or not value:
            raise bad(f"part {name} must name a file")
        file = (here / value).resolve()
        if file.suffix.lower() != ".safetensors":
            raise bad(f"part {name} ({file.name}) is not a .safetensors file; pickled weights are refused")
        if not file.is_file():
            raise bad(f"part {name} ({value}) does not exist")
        files.append((name, file))
    if not files:
        raise bad("it lists no parts")
    return ModelParts(base, tuple(files))


def _inspect_parts(manifest: Path) -> ModelInfo:
    parts = read_parts(manifest)
    base_arch = _folder_arch(parts.base)
    if family(base_arch) is None:
        raise InvalidInput(f"{manifest.name}: part files are for FLUX.1, SD3.5 and Qwen-Image models",
                           hint="use a base folder of one of those families")
    arch = base_arch
    files = dict(parts.files)
    if "transformer" in files:
        header = read_safetensors_header(files["transformer"])
        found = arch_of_checkpoint_keys([k for k in header if k != "__metadata__"])
        if found is None or not same_family(found, base_arch):
            raise InvalidInput(f"{files['transformer'].name} is not a {FAMILIES[base_arch].label} transformer",
                               hint="pair the transformer with a base folder of its own family")
        arch = found
    hashes = [("base", folder_sha256(parts.base))] + [(name, sha256_file(file)) for name, file in parts.files]
    digest = hashlib.sha256("".join(f"{name}\0{sha}\n" for name, sha in hashes).encode()).hexdigest()
    size = sum(file.stat().st_size for _, file in parts.files)
    return ModelInfo(manifest, "model", "parts", arch, digest, size, manifest.stem.removesuffix(".parts"),
                     _readme_license(parts.base) or DEFAULT_LICENSES.get(arch), parts=tuple(hashes))


# -- single files -------------------------------------------------------------------------------------------


def read_safetensors_header(path: Path) -> dict[str, Any]:
    """The JSON header of a .safetensors file: tensor names -> dtype/shape/offsets, plus '__metadata__'."""
    try:
        with open(path, "rb") as handle:
            (length,) = struct.unpack("<Q", handle.read(8))
            if not 2 <= length <= MAX_HEADER:
                raise ValueError(f"header length {length}")
            header = json.loads(handle.read(length))
        if not isinstance(header, dict):
            raise ValueError("header is not a mapping")
        return header
    except (OSError, struct.error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name} is not a valid .safetensors file ({exc})",
                           hint="the download may be incomplete; fetch the file again") from exc


def _inspect_safetensors(path: Path) -> ModelInfo:
    header = read_safetensors_header(path)
    size = path.stat().st_size
    metadata = header.get("__metadata__") or {}
    license_id = metadata.get("modelspec.license") or None
    if _is_lora(header):
        arch = _lora_arch(header)
        provenance = LoraProvenance.from_header(metadata)
        name = provenance.title if provenance else path.stem
        return ModelInfo(path, "lora", "single_file", arch, sha256_file(path), size, name, license_id, provenance)
    arch = checkpoint_arch(header)
    return ModelInfo(path, "model", "single_file", arch, sha256_file(path), size, path.stem,
                     license_id or DEFAULT_LICENSES.get(arch))


def checkpoint_arch(header: dict[str, Any]) -> str:
    """The architecture of a single-file checkpoint from its tensor names and shapes: an original-layout (LDM)
    Stable Diffusion file, or a FLUX.1 / SD3 / Qwen-Image transformer (alone or in an all-in-one file)."""
    keys = [k for k in header if k != "__metadata__"]
    family_arch = arch_of_checkpoint_keys(keys)
    if family_arch is not None:
        return family_arch
    unet_keys = [k for k in keys if k.startswith("model.diffusion_model.")]
    if not unet_keys:
        raise InvalidInput("This .safetensors file is not a Stable Diffusion checkpoint or LoRA",
                           hint="use an SD 1.x, 2.x or SDXL checkpoint in its original single-file layout")
    conv_in = _shape(header, "model.diffusion_model.input_blocks.0.0.weight")
    is_xl = "model.diffusion_model.label_emb.0.0.weight" in header
    if is_xl or any(k.startswith("conditioner.embedders.") for k in keys):
        arch = "sdxl"
    else:
        width = next((_shape(header, k)[1] for k in unet_keys if k.endswith("attn2.to_k.weight")), None)
        arch = _CONTEXT_WIDTH.get(width, "") if width is not None else ""
        if width is not None and conv_in and _is_tiny([conv_in[0]], width):
            arch = "studio-tiny"
    if not arch:
        raise InvalidInput("The checkpoint's architecture is not one the studio supports",
                           hint="use an SD 1.x, 2.x or SDXL checkpoint")
    return f"{arch}-inpaint" if conv_in and conv_in[1] == 9 else arch


def _is_lora(header: dict[str, Any]) -> bool:
    return any(
        k.startswith(("lora_unet_", "lora_te_", "lora_te1_", "lora_te2_"))
        or ".lora_A." in k or ".lora_B." in k or ".lora.down." in k or ".lora_down." in k
        for k in header
    )


def _lora_arch(header: dict[str, Any]) -> str:
    """Base architecture a LoRA was trained for: from kohya metadata, else the cross-attention key width."""
    keys = [k for k in header if k != "__metadata__"]
    declared = arch_of_modelspec(str((header.get("__metadata__") or {}).get("modelspec.architecture", "")))
    if declared:
        return declared
    family_arch = _family_lora_arch(header, keys)
    if family_arch:
        return family_arch
    if any(k.startswith(("lora_te1_", "lora_te2_", "text_encoder_2.")) for k in keys):
        return "sdxl"
    for key in keys:
        if re.search(r"attn2[._]to_k[._]?.*(lora_down|lora_A|lora\.down)", key):
            width = _shape(header, key)[-1]
            if _is_tiny(None, width):
                return "studio-tiny"
            if _is_emoji(width):
                return "studio-emoji"
            if width in _CONTEXT_WIDTH:
                return _CONTEXT_WIDTH[width]
    version = str((header.get("__metadata__") or {}).get("ss_base_model_version", ""))
    if version.startswith("sd_v1"):
        return "sd1"
    if version.startswith("sd_v2"):
        return "sd2"
    if "sdxl" in version:
        return "sdxl"
    return "unknown"


def _family_lora_arch(header: dict[str, Any], keys: list[str]) -> str | None:
    """A LoRA on a transformer family, from its module names (and, for attention-only LoRAs on
    SD3 or Qwen-Image, whose attention layers share names, the published models' widths). FLUX.1 [dev] and
    [schnell] share their layout, so a FLUX LoRA is 'flux1'."""
    # kohya's (lora_unet_double_blocks_0_...) and BFL's (diffusion_model.double_blocks.0....) FLUX layouts.
    if any(re.match(r"(lora_unet_|(model\.)?diffusion_model\.)(double|single)_blocks[._]", k) for k in keys):
        return "flux1"
    names = [k.removeprefix("transformer.") for k in keys if k.startswith("transformer.")]
    if any(k.startswith("single_transformer_blocks.") for k in names):
        return "flux1"
    if any(re.search(r"\.(img_mlp|txt_mlp|img_mod|txt_mod)\.", k) for k in names):
        return "qwen-image"
    if any(".ff_context." in k or ".norm1_context." in k for k in names):
        return "sd3"
    if any(k.startswith("transformer_blocks.") for k in names):
        width = next((_shape(header, "transformer." + k)[-1] for k in names if ".lora_A." in k), None)
        return "qwen-image" if width == _QWEN_WIDTH else "sd3" if width in _SD3_WIDTHS else "unknown"
    return None


def _is_tiny(block_out_channels: list[int] | None, cross_attention_dim: int | None) -> bool:
    tiny = read_config("studio-tiny", "unet")
    if cross_attention_dim != tiny["cross_attention_dim"]:
        return False
    return block_out_channels is None or list(block_out_channels)[:1] == tiny["block_out_channels"][:1]


def _is_emoji(cross_attention_dim: int | None) -> bool:
    return cross_attention_dim == read_config("studio-emoji", "unet")["cross_attention_dim"]


def _shape(header: dict[str, Any], key: str) -> list[int]:
    entry = header.get(key)
    return list(entry.get("shape", [])) if isinstance(entry, dict) else []


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path} is not readable JSON ({exc})", hint="the model folder may be damaged") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"{path} does not hold a JSON object", hint="the model folder may be damaged")
    return data
