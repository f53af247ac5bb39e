"""The heavy libraries (torch, diffusers, transformers), imported once, offline and quietly; and what torch sees
of the machine. One of the few modules allowed to import torch (see the import contracts in pyproject.toml)."""

from __future__ import annotations

import logging
import os
import warnings
from functools import cache
from types import SimpleNamespace

import studio
from studio.generate.devices import CudaDevice, Hardware, ram_available_bytes
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
    """The GPUs (with their free memory now), MPS, and the RAM available now."""
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
    )
