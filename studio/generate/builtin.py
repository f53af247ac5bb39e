"""The built-in model `studio-tiny`, built in code on first use so the studio works with no download.

It has the Stable Diffusion 1.x layout at toy widths (about 5 million weights), the real CLIP tokenizer, and
untrained weights drawn with seed 0, partly hand-set so its output is soft, abstract colour fields. It cannot
draw subjects. It is loaded through the same `from_pretrained` path as any user model.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from studio.generate.model_configs import config_folder
from studio.generate.models import inspect_model
from studio.generate.request import ModelRef
from studio.generate.torch_tiny import build_tiny_pipeline

BUILTIN_ID = "studio-tiny"
BUILTIN_NAME = "studio-tiny"
BUILTIN_ARCH = "studio-tiny"
BUILTIN_DESCRIPTION = (
    "Built-in toy model (untrained, about 5 million weights): it paints abstract, soft colour fields that shift "
    "with the prompt and the seed, not pictures of things. Add a Stable Diffusion model for real images."
)
# Bumped whenever the recipe in torch_tiny.build_tiny_pipeline changes, so old builds are not reused.
BUILD_VERSION = 1


def builtin_model_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "models" / f"{BUILTIN_ID}-v{BUILD_VERSION}"


def ensure_builtin_model(data_dir: Path) -> Path:
    """The built-in model's diffusers folder, built into `data_dir` the first time (idempotent, atomic)."""
    target = builtin_model_dir(data_dir)
    if (target / "model_index.json").is_file():
        return target
    with staged_model_folder(target) as staging:
        shutil.copytree(config_folder(BUILTIN_ARCH, Path(data_dir)), staging, dirs_exist_ok=True)
        build_tiny_pipeline(staging, BUILTIN_ARCH)
    return target


@contextlib.contextmanager
def staged_model_folder(target: Path) -> Iterator[Path]:
    """A staging folder beside `target` that becomes `target` when the block ends without error (a model folder
    is never seen half-built); removed in any case."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield staging
        try:
            os.replace(staging, target)
        except OSError:
            if not (target / "model_index.json").is_file():  # another process finished the same build first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def builtin_model_ref(data_dir: Path) -> ModelRef:
    """A `ModelRef` for the built-in model, building it if needed."""
    info = inspect_model(ensure_builtin_model(data_dir))
    return ModelRef(id=BUILTIN_ID, path=info.path, arch=BUILTIN_ARCH, sha256=info.sha256, name=BUILTIN_NAME)
