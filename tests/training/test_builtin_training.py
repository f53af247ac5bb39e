"""`studio train builtin` end to end at toy widths on the CPU: the real diffusers/transformers classes, the real
rendered OpenMoji data, the recipe, reproducibility, the shipped-weights folder and the adherence benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from studio.cli.main import cli
from studio.errors import InvalidInput
from studio.generate import emoji_builtin
from studio.generate.training import emoji_eval, openmoji_data
from studio.generate.training.emoji_model import load_pipeline

torch.set_num_threads(1)


def _train(manifest: Path, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["train", "builtin", "--tiny", "--device", "cpu", "--steps", "4",
                                      "--vae-steps", "4", "--data", str(manifest.parent), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "recipe.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny_run(openmoji_manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("train") / "run"
    _train(openmoji_manifest, out, "--seed", "3")
    return out


def test_the_recipe_records_data_steps_software_and_weights(tiny_run: Path, openmoji_manifest: Path) -> None:
    recipe = json.loads((tiny_run / "recipe.json").read_text(encoding="utf-8"))
    assert recipe["data"]["manifest_sha256"] == openmoji_data.manifest_sha256(openmoji_manifest)
    assert recipe["data"]["license"] == "CC-BY-SA-4.0" and recipe["data"]["trained_on"] == 64
    assert len(recipe["data"]["held_out"]) == 100
    assert recipe["run"]["vae"]["steps"] == 4 and recipe["run"]["unet"]["steps"] == 4
    assert recipe["hyperparameters"]["seed"] == 3 and recipe["hyperparameters"]["caption_dropout"] == 0.1
    assert recipe["software"]["torch"] == torch.__version__
    assert set(recipe["weights_sha256"]) == {
        "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
        "text_encoder/model.safetensors",
    }
    assert "unet step 1" in (tiny_run / "train.log").read_text(encoding="utf-8")


def test_the_same_seed_gives_the_same_weights_and_another_seed_others(tiny_run: Path, openmoji_manifest: Path,
                                                                       tmp_path: Path) -> None:
    first = json.loads((tiny_run / "recipe.json").read_text(encoding="utf-8"))["weights_sha256"]
    assert _train(openmoji_manifest, tmp_path / "again", "--seed", "3")["weights_sha256"] == first
    assert _train(openmoji_manifest, tmp_path / "other", "--seed", "4")["weights_sha256"] != first


def test_the_shipped_weights_build_a_folder_that_draws_like_the_trained_one(tiny_run: Path, tmp_path: Path) -> None:
    weights = emoji_builtin.ship_weights(tiny_run / "model", tiny_run / "recipe.json", tmp_path / "weights")
    assert not (weights / "tokenizer").exists(), "the tokenizer is rebuilt from the bundled merges, not shipped"
    folder = emoji_builtin.ensure_emoji_model(tmp_path / "data", weights)
    assert emoji_builtin.ensure_emoji_model(tmp_path / "data", weights) == folder

    def draw(path: Path) -> np.ndarray:
        pipe = load_pipeline(path)
        return pipe("grinning face", height=64, width=64, num_inference_steps=2, guidance_scale=3.0,
                    generator=torch.Generator().manual_seed(7), output_type="np").images[0]

    image = draw(folder)
    assert image.shape == (64, 64, 3)
    assert np.array_equal(image, draw(tiny_run / "model"))


def test_weights_that_do_not_match_their_recipe_are_refused(tiny_run: Path, tmp_path: Path) -> None:
    weights = emoji_builtin.ship_weights(tiny_run / "model", tiny_run / "recipe.json", tmp_path / "weights")
    with (weights / "vae" / "diffusion_pytorch_model.safetensors").open("r+b") as f:
        f.seek(-4, 2)
        f.write(b"\0\1\2\3")
    with pytest.raises(InvalidInput, match="does not match the sha256"):
        emoji_builtin.ensure_emoji_model(tmp_path / "data", weights)


def test_the_adherence_benchmark_runs_on_the_trained_folder(tiny_run: Path, openmoji_manifest: Path) -> None:
    images, manifest = openmoji_data.load_dataset(openmoji_manifest)
    held_out = openmoji_data.holdout_indices(manifest)
    settings = emoji_eval.EvalSettings(prompts=3, steps=2, remixes=2, latent_check=False)
    report, generated, remixes = emoji_eval.evaluate(load_pipeline(tiny_run / "model"), images, manifest, held_out,
                                                     settings)
    assert generated.shape == (3, 64, 64, 3) and remixes.shape == (2, 64, 64, 3)
    assert report["training_images"] == 4495 - 100 and report["prompts"] == 3
    assert set(report["adherence"]) == {"annotation", "subgroup", "group"}
    assert 0.0 <= report["remix"]["closer_to_parent"] <= 1.0
    assert [s["prompt"] for s in report["samples"]] == [manifest["emoji"][i]["annotation"] for i in held_out[:3]]


def test_adherence_counts_hits_against_the_chance_of_a_random_neighbour() -> None:
    train = [{"annotation": "dog face", "group": "animals", "subgroup": "mammal"},
             {"annotation": "cat face", "group": "animals", "subgroup": "mammal"},
             {"annotation": "red apple", "group": "food", "subgroup": "fruit"},
             {"annotation": "grinning face", "group": "smileys", "subgroup": "face"}]
    prompts = [{"annotation": "dog", "group": "animals", "subgroup": "mammal"},
               {"annotation": "apple", "group": "food", "subgroup": "fruit"}]
    report = emoji_eval.adherence(np.array([0, 1]), prompts, train)
    assert report["annotation"]["hits"] == 1 and report["annotation"]["chance"] == pytest.approx(0.25)
    assert report["annotation"]["ratio"] == pytest.approx(2.0)
    assert report["group"]["hits"] == 1 and report["group"]["chance"] == pytest.approx((0.5 + 0.25) / 2)


def test_a_cuda_device_on_a_machine_without_one_is_one_clear_line(openmoji_manifest: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = CliRunner().invoke(cli, ["train", "builtin", "--device", "cuda", "--data", str(openmoji_manifest.parent),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --device cuda: this machine has no CUDA GPU (use --device cpu)"
    ]
