"""Where a model runs and in which number format: the decisions, from facts about the machine. No torch here.

`torch_device.probe()` gathers the facts (`Hardware`); `plan()` turns a preference, a model and those facts
into a `DevicePlan`:
- device: `auto` takes CUDA, then Apple MPS, then the CPU; `cpu`, `cuda`, `cuda:N` and `mps` force one.
- dtype: bfloat16 on CUDA GPUs of compute capability 8.0 or newer (Ampere, Ada, Hopper: native bf16 tensor cores,
  and bf16 keeps float32's exponent range, so SDXL's VAE cannot overflow to NaN as it does in float16);
  float16 on older CUDA GPUs and on MPS. On the CPU it depends on what the CPU reports (`CpuFeatures`,
  `native_bf16`): with bfloat16 instructions (x86 AVX512-BF16 or AMX-BF16, ARM's BF16 extension) real models
  (SD 1.x, 2.x, SDXL) run in bfloat16, half the memory of float32 and faster. Without them PyTorch runs bf16
  on a slow path (a 1024² matmul 50 to 150 times slower than in float32 on AVX2-only CPUs), so real models
  run in float32 when the RAM holds them, and otherwise keep their weights in bfloat16 and compute in float32
  layer by layer (diffusers' layerwise casting: each layer's weights are widened just for its forward pass):
  two thirds of float32's memory and 1.2 to 2.5 times its time, far from bf16's slow path (BENCHMARKS.md).
  The built-in toy models stay float32 (they are tiny and their output is tuned in float32).
- memory: on CUDA, model CPU offload when the free GPU memory does not hold the weights plus working room;
  on the CPU, VAE tiling always (it only engages above the VAE's tile size) and attention slicing when the
  available RAM is short for the weights.

Pixels are reproducible per device and dtypes: the same request on the same device (and number of CPU threads)
gives the same image; another device, compute dtype or storage dtype gives a close but different one. All three
are recorded in the recipe (`dtype` is the compute dtype, `storage_dtype` the weights' dtype between layers).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from studio.errors import InvalidInput
from studio.generate.models import read_parts, read_safetensors_header

DEVICE_SETTING = "generate.device"
DEVICES_HELP = "auto, cpu, cuda, cuda:N or mps"
DTYPES: tuple[str, ...] = ("auto", "float32", "float16", "bfloat16")
# Published model families planned for their size on the CPU (the transformer families from families.py).
REAL_ARCHS = ("sd1", "sd2", "sdxl", "flux1-schnell", "flux1-dev", "sd3", "qwen-image")
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d{1,2})?")
GIB = 1 << 30
# Room for activations, the VAE decode and the CUDA context on top of the weights.
GPU_WORKING_BYTES = {"sdxl": 4 * GIB, "sd2": 2 * GIB, "sd1": 3 * GIB // 2, "flux1-schnell": 4 * GIB,
                     "flux1-dev": 4 * GIB, "sd3": 4 * GIB, "qwen-image": 6 * GIB}
# Room the process needs in RAM beside the weights (activations, the VAE decode, the libraries themselves).
CPU_WORKING_BYTES = 2 * GIB
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


# CPU feature flags that give PyTorch a fast bfloat16 path: x86 AVX512-BF16 and AMX-BF16 (oneDNN's bf16 matmul
# and convolution kernels), ARM's BF16 extension (BFMMLA/BFDOT, named "bf16" in Linux's Features line and
# FEAT_BF16 on macOS).
X86_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
ARM_BF16_FLAGS = frozenset({"bf16"})
# On x86, ATen's kernels must be the AVX512 ones too: its AVX2 and scalar kernels have no bf16 instructions, and
# an ATen held below AVX512 (ATEN_CPU_CAPABILITY) is usually paired with oneDNN held back likewise
# (ONEDNN_MAX_CPU_ISA), which puts matmuls and convolutions on the slow path whatever the flags say.
X86_BF16_CAPABILITY_PREFIX = "AVX512"


@dataclass(frozen=True)
class CpuFeatures:
    """What the CPU reports: ATen's kernel capability (torch.backends.cpu.get_cpu_capability(): "AVX512", "AVX2",
    "DEFAULT", ...), the instruction-set architecture (platform.machine()), the CPU's name and its feature flags
    (lower case, as /proc/cpuinfo spells them). Empty when unknown."""

    capability: str = ""
    machine: str = ""
    model: str = ""
    flags: frozenset[str] = frozenset()

    @property
    def arm(self) -> bool:
        return self.machine.lower() in ("arm64", "aarch64") or self.machine.lower().startswith("armv8")

    def describe(self) -> str:
        """The CPU in one line: its name, ATen capability and the flags that decide the dtype."""
        relevant = sorted(self.flags & (ARM_BF16_FLAGS if self.arm else X86_BF16_FLAGS))
        return (f"{self.model or 'unknown CPU'} ({self.machine or '?'}), torch capability "
                f"{self.capability or '?'}, bf16 flags: {', '.join(relevant) or 'none'}")


def native_bf16(cpu: CpuFeatures) -> bool:
    """Whether the CPU computes in bfloat16 natively (fast), from what it reports; False when unknown."""
    if cpu.arm:
        return bool(cpu.flags & ARM_BF16_FLAGS)
    return bool(cpu.flags & X86_BF16_FLAGS) and cpu.capability.upper().startswith(X86_BF16_CAPABILITY_PREFIX)


@dataclass(frozen=True)
class Hardware:
    """What the machine offers, as torch sees it."""

    cuda: tuple[CudaDevice, ...] = ()
    mps: bool = False
    ram_available_bytes: int = 0
    cpu: CpuFeatures = CpuFeatures()


@dataclass(frozen=True)
class DevicePlan:
    device: str  # "cpu", "cuda:0", "mps"
    dtype: str  # the compute dtype: "float32", "float16", "bfloat16"
    offload: bool = False  # model CPU offload: each component moves to the GPU only while it runs
    attention_slicing: bool = False
    vae_tiling: bool = False
    notes: tuple[str, ...] = field(default=())
    # The weights' dtype between layers; "" is the compute dtype. Another one means layerwise casting: each layer's
    # weights are cast to the compute dtype for its own forward pass only.
    storage: str = ""
    # False when the machine cannot hold the weights even with the plan's savers; `notes` then say what would help.
    fits: bool = True

    @property
    def kind(self) -> str:
        return self.device.split(":")[0]

    @property
    def storage_dtype(self) -> str:
        return self.storage or self.dtype

    @property
    def layerwise_casting(self) -> bool:
        return self.storage_dtype != self.dtype


def plan(preference: str, dtype: str, arch: str, weight_count: int, hardware: Hardware,
         storage: str = "auto") -> DevicePlan:
    """The plan for a model of `arch` with `weight_count` parameters, given the preferences and the machine.

    `dtype` is the compute dtype; `storage` the weights' dtype between layers (`auto`: the compute dtype, unless
    the CPU plan picks layerwise casting)."""
    device_plan = _plan(preference, dtype, arch, weight_count, hardware, storage)
    return _check_fit(device_plan, weight_count, hardware)


def _check_fit(device_plan: DevicePlan, weight_count: int, hardware: Hardware) -> DevicePlan:
    """Say before anything loads when the weights cannot fit, and what would help (the RAM needed counts the
    working room too). On a GPU that holds them they
    go straight there; otherwise (CPU, MPS, or a GPU with model CPU offload) they must fit the RAM."""
    ram = hardware.ram_available_bytes
    weights = weight_count * DTYPE_BYTES[device_plan.storage_dtype]
    # Refused only when the weights alone exceed the RAM: short of that the plan's savers may still get through.
    if ram <= 0 or weights <= ram:
        return device_plan
    if device_plan.kind == "cuda" and not device_plan.offload:
        return device_plan
    helps = []
    if DTYPE_BYTES[device_plan.storage_dtype] > 2:
        helps.append(f"bfloat16 weights (storage dtype bfloat16: {weight_count * 2 / GIB:.1f} GiB)")
    if device_plan.kind != "cuda":
        helps.append("a CUDA GPU that holds the weights")
    helps.append("closing other programs")
    note = (f"the weights need {weights / GIB:.1f} GiB in {device_plan.storage_dtype} plus "
            f"{CPU_WORKING_BYTES / GIB:.0f} GiB to work, and {ram / GIB:.1f} GiB of RAM is available; "
            f"what would help: {'; '.join(helps)}")
    return replace(device_plan, fits=False, notes=(*device_plan.notes, note))


def _plan(preference: str, dtype: str, arch: str, weight_count: int, hardware: Hardware,
          storage: str) -> DevicePlan:
    device = _device(check_device(preference), hardware)
    kind = device.split(":")[0]
    dtype, storage = check_dtype(dtype), check_dtype(storage)
    if kind == "cpu" and dtype == "auto" and arch.removesuffix("-inpaint") in REAL_ARCHS:
        return _cpu_plan(weight_count, hardware, storage)
    chosen = _dtype(dtype, kind, arch, hardware, device)
    stored = chosen if storage == "auto" else storage
    weights = weight_count * DTYPE_BYTES[stored]
    if kind == "cuda":
        gpu = hardware.cuda[_index(device)]
        need = weights + GPU_WORKING_BYTES.get(arch.removesuffix("-inpaint"), DEFAULT_GPU_WORKING)
        if gpu.free_bytes < need:
            note = (f"{gpu.name} has {gpu.free_bytes / GIB:.1f} GiB free for {need / GIB:.1f} GiB: "
                    "components move to the GPU one at a time (model CPU offload)")
            return DevicePlan(device, chosen, offload=True, notes=(note,), storage=stored)
        return DevicePlan(device, chosen, storage=stored)
    if kind == "cpu":
        return DevicePlan(device, chosen, attention_slicing=_short(hardware, weights), vae_tiling=True,
                          storage=stored)
    return DevicePlan(device, chosen, attention_slicing=True, storage=stored)


def _cpu_plan(weight_count: int, hardware: Hardware, storage: str) -> DevicePlan:
    """A real model on the CPU with the dtype left to the plan: bf16 where the CPU computes it natively; else
    float32, with the weights stored in bf16 (layerwise casting) when the RAM is short for float32 ones."""
    cpu = hardware.cpu
    if native_bf16(cpu):
        compute, stored = "bfloat16", "bfloat16" if storage == "auto" else storage
        note = f"bfloat16: the CPU computes it natively ({cpu.describe()})"
    else:
        compute = "float32"
        roomy = not _short(hardware, weight_count * DTYPE_BYTES["float32"])
        stored = storage if storage != "auto" else "float32" if roomy else "bfloat16"
        why = "the RAM holds float32 weights" if roomy else (
            f"{hardware.ram_available_bytes / GIB:.1f} GiB available is short for float32 weights")
        note = (f"float32 compute, {stored} weights: the CPU has no native bfloat16 ({cpu.describe()}); {why}")
    weights = weight_count * DTYPE_BYTES[stored]
    return DevicePlan("cpu", compute, attention_slicing=_short(hardware, weights), vae_tiling=True,
                      notes=(note,), storage=stored)


def _short(hardware: Hardware, weight_bytes: int) -> bool:
    """Whether the available RAM is short for weights of this size (twice their size leaves room to work;
    unknown RAM counts as enough)."""
    return 0 < hardware.ram_available_bytes < 2 * weight_bytes


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
    # Real models on the CPU are planned by _cpu_plan; the built-in toy models are tiny and tuned in fp32.
    return "float32"


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
    if path.suffix.lower() == ".json":
        # A model from part files: the parts replace components of the same size in its base folder.
        return weight_count(read_parts(path).base)
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
