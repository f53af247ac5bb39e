"""The heavy libraries (torch, diffusers, transformers), imported once, offline and quietly; and what torch sees
of the machine. One of the few modules allowed to import torch (see the import contracts in pyproject.toml)."""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
import warnings
from functools import cache
from types import SimpleNamespace

import studio
from studio.generate.devices import CpuFeatures, CudaDevice, Hardware, ram_available_bytes
from studio.generate.offline import force_offline


@cache
def runtime() -> SimpleNamespace:
    """Import the heavy libraries once, offline, with their progress bars and chatter silenced."""
    force_offline()
    os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import diffusers
        import torch
        import transformers
    diffusers.utils.logging.set_verbosity_error()
    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    logging.getLogger("peft").setLevel(logging.ERROR)
    # The libraries' own deprecation notices (numpy copy semantics, renamed arguments) mean nothing to a user.
    for category in (DeprecationWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category, module=r"(diffusers|transformers|peft|accelerate)\.")
    # Several LoRAs on one model are several PEFT adapters, which is what PEFT's notice warns about.
    warnings.filterwarnings("ignore", message="Already found a `peft_config` attribute", category=UserWarning)
    software = f"remix-studio {studio.__version__} (diffusers {diffusers.__version__}, torch {torch.__version__})"
    return SimpleNamespace(torch=torch, diffusers=diffusers, transformers=transformers, software=software)


def probe() -> Hardware:
    """The GPUs (with their free memory now), MPS, the RAM available now and what the CPU reports."""
    torch = runtime().torch
    gpus = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            free, total = torch.cuda.mem_get_info(index)
            gpus.append(CudaDevice(props.name, (props.major, props.minor), free, total))
    mps = getattr(torch.backends, "mps", None)
    return Hardware(
        cuda=tuple(gpus),
        mps=bool(mps is not None and mps.is_available()),
        ram_available_bytes=ram_available_bytes(),
        cpu=cpu_features(),
    )


@cache
def cpu_features() -> CpuFeatures:
    """What the CPU reports: ATen's kernel capability, the architecture, the CPU's name and feature flags."""
    torch = runtime().torch
    capability = str(torch.backends.cpu.get_cpu_capability())
    model, flags = _cpu_flags()
    return CpuFeatures(capability=capability, machine=platform.machine(), model=model, flags=flags)


def _cpu_flags() -> tuple[str, frozenset[str]]:
    """The CPU's name and feature flags: Linux's /proc/cpuinfo (x86 `flags`, ARM `Features`); on macOS the
    sysctl keys of the arm64 features that matter here. Empty where the system does not say."""
    if sys.platform == "darwin":
        return _sysctl("machdep.cpu.brand_string"), frozenset({"bf16"} if _sysctl("hw.optional.arm.FEAT_BF16") == "1"
                                                             else ())
    model, flags = "", frozenset[str]()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key in ("model name", "cpu model", "hardware") and not model:
                    model = value.strip()
                elif key in ("flags", "features") and not flags:
                    flags = frozenset(value.lower().split())
                if model and flags:
                    break
    except OSError:
        pass
    return model, flags


def _sysctl(name: str) -> str:
    try:
        done = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""
