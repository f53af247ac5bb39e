"""LoRA training on the built-in tiny model, on the CPU: the real diffusers pipeline and PEFT adapters, both file
layouts read back by the studio's LoRA loader, the provenance header, cancel and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from studio.errors import InvalidInput
from studio.generate import DiffusersGenerator, GenerationRequest, builtin_model_ref, inspect_model
from studio.generate.lora_provenance import LoraProvenance, training_set_sha256
from studio.generate.models import read_safetensors_header
from studio.generate.training.lora_train import (
    CHECKPOINT,
    PARTIAL,
    LoraTrainConfig,
    TrainingCancelled,
    TrainingExample,
    batch_indices,
    train_lora,
)

torch.set_num_threads(1)
REPO = Path(__file__).resolve().parents[2]
CFG = LoraTrainConfig(steps=12, rank=4, batch=2, checkpoint_every=4, sample_steps=3, max_samples=2, lr=5e-3,
                      resolution=64)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lora-data")


@pytest.fixture(scope="module")
def examples(data_dir: Path) -> list[TrainingExample]:
    """Four 64 px images: a white square on a different colour each, the last one with transparency."""
    out = []
    for i, colour in enumerate(((220, 40, 40), (40, 200, 60), (30, 60, 220), (240, 200, 20))):
        pixels = np.zeros((64, 64, 4), np.uint8)
        pixels[..., :3] = colour
        pixels[..., 3] = 255 if i < 3 else 128
        pixels[16:48, 16:48, :3] = 255
        path = data_dir / f"square{i}.png"
        Image.fromarray(pixels, "RGBA").save(path)
        out.append(TrainingExample(path, f"a square on colour {i}"))
    return out


@pytest.fixture(scope="module")
def provenance(data_dir: Path, examples: list[TrainingExample]) -> LoraProvenance:
    base = builtin_model_ref(data_dir)
    return LoraProvenance(
        title="Squares", license_id="cc-by-4.0", arch=base.arch, base_model=base.name, base_model_sha256=base.sha256,
        training_set_sha256=training_set_sha256((e.image.name, e.caption) for e in examples), author="Ada",
        training_works=("w1", "w2", "w3", "w4"), training_set_work="set1", base_model_work="base1")


@pytest.fixture(scope="module")
def uninterrupted(data_dir, examples, provenance, tmp_path_factory) -> tuple[Path, list]:
    folder = tmp_path_factory.mktemp("job-a")
    seen: list = []
    result = train_lora(builtin_model_ref(data_dir), examples, folder, folder / "squares.safetensors", CFG,
                        provenance, config_root=data_dir, on_progress=seen.append)
    assert result.steps == CFG.steps and result.resumed_from == 0
    return result.path, seen


def test_progress_reports_every_step_with_a_sample_per_epoch_and_no_checkpoint_is_left(uninterrupted):
    path, seen = uninterrupted
    assert [p.step for p in seen] == list(range(1, CFG.steps + 1))
    samples = [p.sample for p in seen if p.sample is not None]
    # 2 steps per epoch; at most 2 samples, so one every 3 epochs, and the last step's.
    assert [s.name for s in samples] == ["step-000006.png", "step-000012.png"]
    assert all(Image.open(s).size == (64, 64) for s in samples)
    assert not (path.parent / CHECKPOINT).exists()


def test_provenance_header_round_trips_through_inspection(uninterrupted, provenance):
    path, _ = uninterrupted
    info = inspect_model(path)
    assert (info.kind, info.arch, info.name, info.suggested_license) == ("lora", "studio-tiny", "Squares", "cc-by-4.0")
    assert info.provenance == provenance
    meta = read_safetensors_header(path)["__metadata__"]
    assert meta["modelspec.architecture"] == "studio-tiny/lora"
    assert meta["modelspec.base_model_hash"] == f"sha256:{provenance.base_model_sha256}"


def test_cancel_then_resume_gives_the_uninterrupted_weights_in_kohya_layout(data_dir, examples, provenance,
                                                                            uninterrupted, tmp_path):
    stop = threading.Event()

    def cancel_at_five(progress) -> None:
        if progress.step == 5:
            stop.set()

    cfg = replace(CFG, layout="kohya")
    out = tmp_path / "squares-kohya.safetensors"
    with pytest.raises(TrainingCancelled, match="step 5 of 12"):
        train_lora(builtin_model_ref(data_dir), examples, tmp_path, out, cfg, provenance, config_root=data_dir,
                   on_progress=cancel_at_five, cancel=stop)
    assert (tmp_path / CHECKPOINT).is_file() and not out.exists()
    with pytest.raises(InvalidInput, match="other settings"):
        train_lora(builtin_model_ref(data_dir), examples, tmp_path, out, replace(cfg, lr=1e-2), provenance,
                   config_root=data_dir)
    result = train_lora(builtin_model_ref(data_dir), examples, tmp_path, out, cfg, provenance, config_root=data_dir)
    assert result.resumed_from == 5

    plain = load_file(uninterrupted[0])
    kohya = load_file(out)
    assert len(plain) > 0 and len(kohya) == len(plain) * 3 // 2  # down, up and alpha per module
    for key, value in plain.items():
        module, ab = key.removeprefix("unet.").rsplit(".lora_", 1)
        twin = f"lora_unet_{module.replace('.', '_')}.lora_{'down' if ab == 'A.weight' else 'up'}.weight"
        assert torch.equal(value, kohya[twin]), key


def test_the_trained_lora_changes_generation(data_dir, uninterrupted):
    engine = DiffusersGenerator(data_dir)
    request = GenerationRequest(mode="txt2img", prompt="a square on colour 1", model=builtin_model_ref(data_dir),
                                seed=3, steps=4, guidance=5.0, width=64, height=64)
    base = np.asarray(engine.run(request).image, dtype=np.int16)
    lora = inspect_model(uninterrupted[0]).lora_ref("squares", 1.0)
    styled = np.asarray(engine.run(replace(request, loras=(lora,))).image, dtype=np.int16)
    assert np.abs(styled - base).max() > 10


def test_batches_depend_only_on_seed_and_step():
    first_epoch = batch_indices(0, 5, 5, seed=1)
    assert sorted(first_epoch) == [0, 1, 2, 3, 4]
    assert batch_indices(1, 5, 3, seed=1) == batch_indices(1, 5, 3, seed=1)
    assert batch_indices(0, 5, 5, seed=1) != batch_indices(0, 5, 5, seed=2)


@pytest.mark.parametrize("mode", ["torn", "unrenamed"])
def test_a_kill_while_writing_a_checkpoint_leaves_the_previous_one_to_resume_from(
        mode, data_dir, examples, provenance, uninterrupted, tmp_path):
    """The process is SIGKILLed while writing its second checkpoint (half written, or written and not yet renamed):
    the first one is still whole, and resuming from it ends with the uninterrupted run's weights."""
    job = tmp_path / "job"
    out = tmp_path / "squares.safetensors"
    cfg = replace(CFG, max_samples=0)  # samples and checkpoint frequency never change the weights
    spec = {"data_dir": str(data_dir), "job_dir": str(job), "output": str(out), "cfg": asdict(cfg),
            "examples": [(str(e.image), e.caption) for e in examples], "provenance": asdict(provenance)}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, str(Path(__file__).with_name("kill_while_checkpointing.py")),
                             str(tmp_path / "spec.json"), mode], env=env, cwd=REPO, capture_output=True, timeout=600)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert (job / PARTIAL).is_file() and not out.exists()
    saved = torch.load(job / CHECKPOINT, map_location="cpu", weights_only=True)
    assert saved["step"] == CFG.checkpoint_every  # the first checkpoint, untouched by the torn second one

    result = train_lora(builtin_model_ref(data_dir), examples, job, out, cfg, provenance, config_root=data_dir)
    assert result.resumed_from == CFG.checkpoint_every and result.steps == CFG.steps
    assert not (job / PARTIAL).exists() and not (job / CHECKPOINT).exists()
    whole, resumed = load_file(uninterrupted[0]), load_file(out)
    assert whole.keys() == resumed.keys() and all(torch.equal(whole[k], resumed[k]) for k in whole)


def test_a_checkpoint_holds_every_random_state_and_the_data_position(data_dir, examples, provenance, tmp_path):
    """What a resumed run needs beyond the weights: the optimizer, the noise generator, torch's, numpy's and
    Python's global generators (restored as they were), and where in the data order the run stands."""
    import random

    import numpy as np

    stop = threading.Event()

    def cancel_at_three(progress) -> None:
        if progress.step == 3:
            stop.set()

    with pytest.raises(TrainingCancelled):
        train_lora(builtin_model_ref(data_dir), examples, tmp_path, tmp_path / "x.safetensors", CFG, provenance,
                   config_root=data_dir, on_progress=cancel_at_three, cancel=stop)
    expected = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    saved = torch.load(tmp_path / CHECKPOINT, map_location="cpu", weights_only=True)
    assert saved["step"] == 3 and saved["data_position"] == 3 * CFG.batch
    assert saved["optimizer"]["state"] and saved["rng"].numel() > 0
    assert torch.equal(saved["global_rng"]["torch"], expected[0])
    assert saved["global_rng"]["numpy"]["keys"].tolist() == expected[1].tolist()
    assert tuple(saved["global_rng"]["python"]["internal"].tolist()) == expected[2][1]

    # Resuming puts the global generators back where the checkpoint left them, whatever drew from them since.
    torch.manual_seed(123)
    np.random.seed(123)
    random.seed(123)
    stop.clear()

    def cancel_at_once(progress) -> None:
        stop.set()

    with pytest.raises(TrainingCancelled):
        train_lora(builtin_model_ref(data_dir), examples, tmp_path, tmp_path / "x.safetensors", CFG, provenance,
                   config_root=data_dir, on_progress=cancel_at_once, cancel=stop)
    assert np.random.get_state()[1].tolist() == expected[1].tolist() and random.getstate() == expected[2]
