"""Where a model runs and in which number format: the decisions, from facts about the machine. No torch here.

`torch_device.probe()` gathers the facts (`Hardware`); `plan()` turns a preference, a model and those facts
into a `DevicePlan`:
- device: `auto` takes CUDA, then Apple MPS, then the CPU; `cpu`, `cuda`, `cuda:N` and `mps` force one.
- dtype: bfloat16 on CUDA GPUs of compute capability 8.0 or newer (Ampere, Ada, Hopper: native bf16 tensor cores,
  and bf16 keeps float32's exponent range, so SDXL's VAE cannot overflow to NaN as it does in float16);
  float16 on older CUDA GPUs and on MPS. On the CPU real models (SD 1.x, 2.x, SDXL) load in bfloat16 (half
  the memory of float32, and faster on CPUs with AVX512-BF16 or AMX); the built-in toy models stay float32
  (they are tiny and their output is tuned in float32).
- memory: on CUDA, model CPU offload when the free GPU memory does not hold the weights plus working room;
  on the CPU, VAE tiling always (it only engages above the VAE's tile size) and attention slicing when the
  available RAM is short for the weights.

Pixels are reproducible per device and dtype: the same request on the same device (and number of CPU threads)
gives the same image; another device or dtype gives a close but different one. Both are recorded in the recipe.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from studio.errors import InvalidInput
from studio.generate.models import read_safetensors_header

DEVICE_SETTING = "generate.device"
DEVICES_HELP = "auto, cpu, cuda, cuda:N or mps"
DTYPES: tuple[str, ...] = ("auto", "float32", "float16", "bfloat16")
REAL_ARCHS = ("sd1", "sd2", "sdxl")
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d{1,2})?")
GIB = 1 << 30
# Room for activations, the VAE decode and the CUDA context on top of the weights.
GPU_WORKING_BYTES = {"sdxl": 4 * GIB, "sd2": 2 * GIB, "sd1": 3 * GIB // 2}
DEFAULT_GPU_WORKING = 3 * GIB // 2


def check_device(value: str | None) -> str:
    """A device preference in its normal form, or one clear error."""
    text = (value or "auto").strip().lower()
    if not _DEVICE.fullmatch(text):
        raise InvalidInput(f"Unknown device {value!r}", hint=f"use {DEVICES_HELP}")
    return text


def check_dtype(value: str | None) -> str:
    text = (value or "auto").strip().lower()
    if text not in DTYPES:
        raise InvalidInput(f"Unknown dtype {value!r}", hint="use auto, float32, float16 or bfloat16")
    return text


@dataclass(frozen=True)
class CudaDevice:
    name: str
    capability: tuple[int, int]
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class Hardware:
    """What the machine offers, as torch sees it."""

    cuda: tuple[CudaDevice, ...] = ()
    mps: bool = False
    ram_available_bytes: int = 0


@dataclass(frozen=True)
class DevicePlan:
    device: str  # "cpu", "cuda:0", "mps"
    dtype: str  # "float32", "float16", "bfloat16"
    offload: bool = False  # model CPU offload: each component moves to the GPU only while it runs
    attention_slicing: bool = False
    vae_tiling: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.device.split(":")[0]


def plan(preference: str, dtype: str, arch: str, weight_count: int, hardware: Hardware) -> DevicePlan:
    """The plan for a model of `arch` with `weight_count` parameters, given the preferences and the machine."""
    device = _device(check_device(preference), hardware)
    kind = device.split(":")[0]
    chosen = _dtype(check_dtype(dtype), kind, arch, hardware, device)
    weights = weight_count * DTYPE_BYTES[chosen]
    if kind == "cuda":
        gpu = hardware.cuda[_index(device)]
        need = weights + GPU_WORKING_BYTES.get(arch.removesuffix("-inpaint"), DEFAULT_GPU_WORKING)
        if gpu.free_bytes < need:
            note = (f"{gpu.name} has {gpu.free_bytes / GIB:.1f} GiB free for {need / GIB:.1f} GiB: "
                    "components move to the GPU one at a time (model CPU offload)")
            return DevicePlan(device, chosen, offload=True, notes=(note,))
        return DevicePlan(device, chosen)
    if kind == "cpu":
        short = 0 < hardware.ram_available_bytes < 2 * weights
        return DevicePlan(device, chosen, attention_slicing=short, vae_tiling=True)
    return DevicePlan(device, chosen, attention_slicing=True)


def _device(preference: str, hardware: Hardware) -> str:
    if preference == "auto":
        if hardware.cuda:
            return "cuda:0"
        return "mps" if hardware.mps else "cpu"
    if preference.startswith("cuda"):
        index = _index(preference)
        if not hardware.cuda:
            raise InvalidInput("No CUDA GPU is available", hint=f"use another device: {DEVICES_HELP}")
        if index >= len(hardware.cuda):
            raise InvalidInput(f"There is no GPU {preference}: this machine has {len(hardware.cuda)}",
                               hint=f"use cuda:0 to cuda:{len(hardware.cuda) - 1}")
        return f"cuda:{index}"
    if preference == "mps" and not hardware.mps:
        raise InvalidInput("Apple MPS is not available on this machine", hint="use auto or cpu")
    return preference


def _dtype(preference: str, kind: str, arch: str, hardware: Hardware, device: str) -> str:
    if preference != "auto":
        return preference
    if kind == "cuda":
        return "bfloat16" if hardware.cuda[_index(device)].capability >= (8, 0) else "float16"
    if kind == "mps":
        return "float16"
    # Real Stable Diffusion models halve their memory in bf16; the built-in toy models are tiny and tuned in fp32.
    return "bfloat16" if arch.removesuffix("-inpaint") in REAL_ARCHS else "float32"


def _index(device: str) -> int:
    _, _, index = device.partition(":")
    return int(index or 0)


def ram_available_bytes() -> int:
    """Memory the system can give without swapping (Linux MemAvailable; else free pages; 0 when unknown)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


def weight_count(path: Path) -> int:
    """How many weights a model holds, from its .safetensors headers (a file, or every file of a folder)."""
    if path.is_file():
        files = [path]
    else:
        # A hub folder can hold a weights file in several variants (model.safetensors, model.fp16.safetensors):
        # count one per component.
        by_component: dict[tuple[Path, str], Path] = {}
        for file in sorted(Path(path).rglob("*.safetensors")):
            by_component.setdefault((file.parent, file.name.split(".")[0]), file)
        files = list(by_component.values())
    total = 0
    for file in files:
        for key, entry in read_safetensors_header(file).items():
            if key == "__metadata__" or not isinstance(entry, dict):
                continue
            count = 1
            for side in entry.get("shape", []):
                count *= int(side)
            total += count
    return total
