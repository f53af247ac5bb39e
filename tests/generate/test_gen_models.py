"""Model inspection (formats, architectures, hashes, refusals) and single-file checkpoints loaded offline."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest
from gen_helpers import pixels

from studio.errors import InvalidInput, NotFound
from studio.generate import DiffusersGenerator, inspect_model
from studio.generate.models import checkpoint_arch, folder_sha256

UNET = "model.diffusion_model."


@pytest.mark.parametrize(
    ("keys", "arch"),
    [
        ({f"{UNET}input_blocks.0.0.weight": [320, 4, 3, 3],
          f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, 768]}, "sd1"),
        ({f"{UNET}input_blocks.0.0.weight": [320, 9, 3, 3],
          f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, 768]}, "sd1-inpaint"),
        ({f"{UNET}input_blocks.0.0.weight": [320, 4, 3, 3],
          f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, 1024]}, "sd2"),
        ({f"{UNET}input_blocks.0.0.weight": [320, 4, 3, 3], f"{UNET}label_emb.0.0.weight": [1280, 2816],
          f"{UNET}input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight": [640, 2048],
          "conditioner.embedders.1.model.ln_final.weight": [1280]}, "sdxl"),
        ({f"{UNET}input_blocks.0.0.weight": [32, 4, 3, 3],
          f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [32, 32]}, "studio-tiny"),
    ],
)
def test_checkpoint_architecture_from_keys_and_shapes(keys, arch):
    hdr = {k: {"dtype": "F16", "shape": v, "data_offsets": [0, 0]} for k, v in keys.items()}
    assert checkpoint_arch(hdr) == arch


def test_unknown_cross_attention_width_is_refused():
    hdr = {f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight":
           {"dtype": "F16", "shape": [320, 4096], "data_offsets": [0, 0]}}
    with pytest.raises(InvalidInput, match="not one the studio supports"):
        checkpoint_arch(hdr)


def test_a_real_sd1_shaped_file_is_detected_with_its_default_license(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "dreamy-v1.safetensors"
    save_file({f"{UNET}input_blocks.0.0.weight": np.zeros((320, 4, 3, 3), np.float16),
               f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": np.zeros((320, 768), np.float16)},
              str(path))
    info = inspect_model(path)
    assert (info.kind, info.format, info.arch, info.name) == ("model", "single_file", "sd1", "dreamy-v1")
    assert info.suggested_license == "creativeml-openrail-m"
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert info.size_bytes == path.stat().st_size


def test_the_builtin_folder_is_inspected(tiny):
    info = inspect_model(tiny.path)
    assert (info.kind, info.format, info.arch) == ("model", "diffusers", "studio-tiny")
    assert info.sha256 == tiny.sha256 == folder_sha256(tiny.path)
    assert info.size_bytes == sum(p.stat().st_size for p in tiny.path.rglob("*") if p.is_file())
    assert info.suggested_license is None


def test_folder_hash_is_stable_and_content_sensitive(tiny, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(tiny.path, copy)
    assert folder_sha256(copy) == tiny.sha256
    (copy / ".cache").mkdir()
    (copy / ".cache" / "lock").write_text("ignored")
    assert folder_sha256(copy) == tiny.sha256
    config = copy / "scheduler" / "scheduler_config.json"
    config.write_text(config.read_text().replace("trailing", "leading"))
    assert folder_sha256(copy) != tiny.sha256


def test_a_model_card_license_wins_over_the_default(tiny, tmp_path):
    copy = tmp_path / "carded"
    shutil.copytree(tiny.path, copy)
    (copy / "README.md").write_text("---\nlibrary_name: diffusers\nlicense: apache-2.0\n---\n# A model\n")
    assert inspect_model(copy).suggested_license == "apache-2.0"


@pytest.mark.parametrize("name", ["model.ckpt", "model.pt", "weights.bin", "model.pth"])
def test_pickled_checkpoints_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(InvalidInput, match="pickled checkpoint") as excinfo:
        inspect_model(path)
    assert ".safetensors" in str(excinfo.value)


def test_a_folder_of_pickled_weights_is_refused(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "pytorch_lora_weights.bin").write_bytes(b"\x80\x04")
    with pytest.raises(InvalidInput, match="only pickled weights"):
        inspect_model(tmp_path / "old")


def test_damaged_and_foreign_files_are_refused(tmp_path):
    garbage = tmp_path / "broken.safetensors"
    garbage.write_bytes(b"\xff" * 64)
    with pytest.raises(InvalidInput, match=r"not a valid \.safetensors"):
        inspect_model(garbage)
    from safetensors.numpy import save_file

    other = tmp_path / "classifier.safetensors"
    save_file({"fc.weight": np.zeros((2, 2), np.float32)}, str(other))
    with pytest.raises(InvalidInput, match="not a Stable Diffusion checkpoint"):
        inspect_model(other)
    text = tmp_path / "notes.txt"
    text.write_text("hi")
    with pytest.raises(InvalidInput, match="not a model file"):
        inspect_model(text)


def test_missing_paths_and_uncached_repo_ids_are_not_found(tmp_path, monkeypatch):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(NotFound, match="No model at"):
        inspect_model(tmp_path / "nothing-here.safetensors")
    with pytest.raises(NotFound, match="not in the local Hugging Face cache"):
        inspect_model("someone/some-model")


def test_a_repo_id_resolves_to_its_cached_snapshot(tiny, tmp_path, monkeypatch):
    import huggingface_hub.constants

    cache = tmp_path / "hub"
    repo = cache / "models--studio--tiny-test"
    commit = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    shutil.copytree(tiny.path, repo / "snapshots" / commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    info = inspect_model("studio/tiny-test")
    assert info.path == repo / "snapshots" / commit
    assert (info.name, info.arch, info.sha256) == ("studio/tiny-test", "studio-tiny", tiny.sha256)


def test_single_file_checkpoint_loads_offline_and_matches_the_folder_model(
    single_file_checkpoint, generator, gen_data_dir, make_request
):
    info = inspect_model(single_file_checkpoint)
    assert (info.kind, info.format, info.arch) == ("model", "single_file", "studio-tiny")
    folder_image = generator.run(make_request(seed=11)).image
    engine = DiffusersGenerator(gen_data_dir)  # a fresh engine: the file is loaded, not found in a cache
    single = engine.run(make_request(seed=11, model=info.model_ref("tiny-single-file")))
    assert engine.loads == 1
    assert np.array_equal(pixels(single.image), pixels(folder_image))
    assert single.recipe.model_sha256 == info.sha256


def test_model_and_lora_refs_check_the_kind(lora_infos, tiny):
    with pytest.raises(InvalidInput, match="is a LoRA"):
        lora_infos["kohya"].model_ref("x")
    with pytest.raises(InvalidInput, match="is a base model"):
        inspect_model(tiny.path).lora_ref("x")


def test_an_inpainting_checkpoint_cannot_load_as_single_file_without_configs(generator, make_request, tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "inpaint.safetensors"
    save_file({f"{UNET}input_blocks.0.0.weight": np.zeros((320, 9, 3, 3), np.float16),
               f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": np.zeros((320, 768), np.float16)},
              str(path))
    info = inspect_model(path)
    assert info.arch == "sd1-inpaint"
    request = make_request(model=info.model_ref("inp"))
    with pytest.raises(InvalidInput, match="No bundled configuration for architecture 'sd1-inpaint'"):
        generator.run(request)
