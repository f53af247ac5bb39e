"""Training commands: `train builtin` rebuilds the built-in emoji model from the OpenMoji package, a seed and
this script, and writes its diffusers folder with the recipe that produced it."""

from __future__ import annotations

import time
from pathlib import Path

import click

from studio.cli.params import Number, WholeNumber
from studio.cli.train_lora_cmds import LORA_COMMANDS

DEFAULT_OUT = Path(".train") / "builtin"


@click.group("train")
def train_group() -> None:
    """Train models: the built-in model from its credited data, and LoRAs from library works."""


@train_group.command("builtin")
@click.option("--device", default="auto", show_default=True, help="cpu, cuda, cuda:N, or auto (cuda if present).")
@click.option("--minutes", type=Number(0.01, 600), default=4.0, show_default=True,
              help="Wall-clock budget for both training phases; each stops at its share or its step count.")
@click.option("--steps", type=WholeNumber(1, 10_000_000), help="UNet/text-encoder steps at most.")
@click.option("--vae-steps", type=WholeNumber(0, 10_000_000), help="VAE steps at most.")
@click.option("--batch", type=WholeNumber(1, 65_536), help="UNet batch size (default 512).")
@click.option("--vae-batch", type=WholeNumber(1, 65_536), help="VAE batch size (default 256).")
@click.option("--ema-decay", type=Number(0.0, 0.99999), help="Weight averaging of the shipped UNet (default 0.999).")
@click.option("--seed", type=WholeNumber(0, 2**31 - 1), default=0, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_OUT,
              show_default=True, help="Folder for model/, recipe.json and train.log.")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False), default=Path(".train"),
              show_default=True, help="Folder of the rendered dataset; rendered from --package when missing.")
@click.option("--package", "package_dir", type=click.Path(path_type=Path, file_okay=False),
              help="The openmoji npm package folder (default: node_modules/openmoji).")
@click.option("--render-only", is_flag=True, help="Render the dataset and stop.")
@click.option("--tiny", is_flag=True, help="Toy widths and few images: checks the whole path in seconds on a CPU.")
@click.option("--limit", type=WholeNumber(0, 100_000), default=0, help="Train on the first N images only.")
def builtin_cmd(device: str, minutes: float, steps: int | None, vae_steps: int | None, batch: int | None,
                vae_batch: int | None, seed: int, out_dir: Path, data_dir: Path, package_dir: Path | None,
                render_only: bool, tiny: bool, limit: int, ema_decay: float | None = None) -> None:
    """Train the built-in emoji model (OpenMoji 17, CC BY-SA 4.0) and write its diffusers folder and recipe."""
    import studio.generate.training.openmoji_data as openmoji_data

    manifest = data_dir / f"{openmoji_data.DATASET_STEM}.json"
    if not manifest.is_file():
        click.echo(f"rendering OpenMoji into {data_dir} ...", err=True)
        openmoji_data.build_dataset(package_dir or openmoji_data.default_package_dir(), data_dir)
    if render_only:
        click.echo(str(manifest))
        return
    from studio.generate.training.emoji_train import TrainConfig, resolve_device, train_builtin

    device = resolve_device(device)

    cfg = TrainConfig(seed=seed, device=device, minutes=minutes, tiny=tiny, limit=limit or (64 if tiny else 0))
    if tiny:
        cfg.vae_batch, cfg.batch, cfg.warmup = 8, 8, 5
    if steps is not None:
        cfg.steps = steps
    if vae_steps is not None:
        cfg.vae_steps = vae_steps
    if batch is not None:
        cfg.batch = batch
    if vae_batch is not None:
        cfg.vae_batch = vae_batch
    if ema_decay is not None:
        cfg.ema_decay = ema_decay
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "train.log").open("w", encoding="utf-8") as log_file:
        def log(line: str) -> None:
            stamped = f"[{time.strftime('%H:%M:%S')}] {line}"
            click.echo(stamped, err=True)
            log_file.write(stamped + "\n")
            log_file.flush()

        recipe = train_builtin(manifest, out_dir, cfg, log)
    click.echo(str(out_dir / "model"))
    click.echo(f"recipe: {out_dir / 'recipe.json'} ({recipe['run']['unet']['steps']} UNet steps)", err=True)


for _command in LORA_COMMANDS:
    train_group.add_command(_command)

COMMANDS = [train_group]
