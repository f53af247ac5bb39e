"""The built-in studio-tiny model: built once, atomically, identically; loaded like any user model."""

from __future__ import annotations

from studio.generate import BUILTIN_DESCRIPTION, ensure_builtin_model
from studio.generate.builtin import builtin_model_dir
from studio.generate.models import folder_sha256


def test_build_is_idempotent(tiny, gen_data_dir):
    mtimes = {p: p.stat().st_mtime_ns for p in tiny.path.rglob("*") if p.is_file()}
    assert ensure_builtin_model(gen_data_dir) == tiny.path == builtin_model_dir(gen_data_dir)
    assert {p: p.stat().st_mtime_ns for p in tiny.path.rglob("*") if p.is_file()} == mtimes
    leftovers = [p.name for p in tiny.path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_two_builds_have_identical_weights(tiny, tmp_path):
    other = ensure_builtin_model(tmp_path / "another-data-dir")
    assert other != tiny.path
    assert folder_sha256(other) == tiny.sha256
    weights = sorted(p.relative_to(other).as_posix() for p in other.rglob("*.safetensors"))
    assert weights == ["text_encoder/model.safetensors", "unet/diffusion_pytorch_model.safetensors",
                       "vae/diffusion_pytorch_model.safetensors"]


def test_it_is_a_plain_diffusers_folder_with_the_real_clip_tokenizer(tiny):
    from transformers import CLIPTokenizer

    assert (tiny.path / "model_index.json").is_file()
    tokenizer = CLIPTokenizer.from_pretrained(tiny.path / "tokenizer", local_files_only=True)
    # The ids OpenAI's CLIP ViT-L/14 tokenizer gives this text.
    assert tokenizer("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert tokenizer.model_max_length == 77


def test_description_is_honest():
    text = BUILTIN_DESCRIPTION.lower()
    assert "abstract" in text and "not pictures" in text
