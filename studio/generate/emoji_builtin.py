"""The trained built-in emoji model: its shipped weights and the diffusers folder built from them.

`studio train builtin` writes a diffusers folder and recipe.json; `ship_weights` copies the parts that ship
(configs, fp16 safetensors, the recipe; not the 3.6 MB tokenizer.json, which `config_folder` rebuilds from the
bundled CLIP merges) into `weights/studio-emoji/`. `ensure_emoji_model` turns those into a complete diffusers
folder in the data folder, checking every weight file against the recipe's sha256 first. No torch here.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from studio.errors import InvalidInput, NotFound
from studio.generate.builtin import staged_model_folder
from studio.generate.model_configs import config_folder

EMOJI_ID = "studio-emoji"
EMOJI_ARCH = "studio-emoji"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights" / EMOJI_ID
SHIPPED_FILES = (
    "model_index.json",
    "scheduler/scheduler_config.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "vae/config.json",
    "vae/diffusion_pytorch_model.safetensors",
    "text_encoder/config.json",
    "text_encoder/model.safetensors",
)
RECIPE = "recipe.json"


def ship_weights(model_dir: Path, recipe_path: Path, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Copy a training run's shippable files into `weights_dir` (replacing what was there)."""
    missing = [name for name in SHIPPED_FILES if not (model_dir / name).is_file()]
    if missing or not recipe_path.is_file():
        raise NotFound(f"{model_dir} is not a finished training run (missing {', '.join(missing) or RECIPE})",
                       hint="run `studio train builtin` first")
    _verify(model_dir, json.loads(recipe_path.read_text(encoding="utf-8")))
    if weights_dir.exists():
        shutil.rmtree(weights_dir)
    for name in SHIPPED_FILES:
        (weights_dir / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model_dir / name, weights_dir / name)
    shutil.copy2(recipe_path, weights_dir / RECIPE)
    return weights_dir


def emoji_recipe(weights_dir: Path = WEIGHTS_DIR) -> dict:
    path = weights_dir / RECIPE
    if not path.is_file():
        raise NotFound("The trained built-in emoji model is not installed", hint="run `studio train builtin`")
    return json.loads(path.read_text(encoding="utf-8"))


def emoji_model_dir(data_dir: Path, weights_dir: Path = WEIGHTS_DIR) -> Path:
    digest = hashlib.sha256(json.dumps(emoji_recipe(weights_dir)["weights_sha256"], sort_keys=True).encode())
    return Path(data_dir) / "models" / f"{EMOJI_ID}-{digest.hexdigest()[:12]}"


def ensure_emoji_model(data_dir: Path, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """The emoji model's complete diffusers folder in `data_dir`, built from the shipped weights once (atomic)."""
    target = emoji_model_dir(data_dir, weights_dir)
    if (target / "model_index.json").is_file():
        return target
    recipe = emoji_recipe(weights_dir)
    _verify(weights_dir, recipe)
    with staged_model_folder(target) as staging:
        shutil.copytree(config_folder(EMOJI_ARCH, Path(data_dir)), staging, dirs_exist_ok=True)
        for name in (*SHIPPED_FILES, RECIPE):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(weights_dir / name, staging / name)
    return target


def _verify(folder: Path, recipe: dict) -> None:
    for name, expected in recipe.get("weights_sha256", {}).items():
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise InvalidInput(f"{path} does not match the sha256 in its recipe",
                               hint="reinstall the studio or train the built-in model again")
