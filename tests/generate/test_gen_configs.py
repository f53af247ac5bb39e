"""The bundled configs-only folders: published sizes, the real CLIP tokenizer, made once per data folder."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput
from studio.generate.model_configs import CONFIGS, config_folder, read_config

# Published parameter counts: SD 1.5, SD 2.1, SDXL base 1.0 (UNet, VAE, text encoders).
PUBLISHED = {
    "sd1": {"unet": 859_520_964, "vae": 83_653_863, "text_encoder": 123_060_480},
    "sd2": {"unet": 865_910_724, "vae": 83_653_863, "text_encoder": 340_387_840},
    "sdxl": {"unet": 2_567_463_684, "vae": 83_653_863, "text_encoder": 123_060_480, "text_encoder_2": 694_659_840},
}


@pytest.mark.parametrize("arch", sorted(PUBLISHED))
def test_configs_describe_the_published_architectures(arch):
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    def count(module) -> int:
        return sum(p.numel() for p in module.parameters())

    with init_empty_weights():
        sizes = {"unet": count(UNet2DConditionModel.from_config(read_config(arch, "unet"))),
                 "vae": count(AutoencoderKL.from_config(read_config(arch, "vae"))),
                 "text_encoder": count(CLIPTextModel(CLIPTextConfig.from_pretrained(CONFIGS / arch / "text_encoder")))}
        if arch == "sdxl":
            config = CLIPTextConfig.from_pretrained(CONFIGS / arch / "text_encoder_2")
            sizes["text_encoder_2"] = count(CLIPTextModelWithProjection(config))
    assert sizes == PUBLISHED[arch]


@pytest.mark.parametrize(("arch", "pad_id"), [("sd1", 49407), ("sd2", 0), ("sdxl", 49407)])
def test_config_folders_carry_a_working_clip_tokenizer(arch, pad_id, tmp_path):
    from transformers import CLIPTokenizer

    folder = config_folder(arch, tmp_path)
    tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer", local_files_only=True)
    ids = tokenizer("a photo of a cat", padding="max_length").input_ids
    assert ids[:7] == [49406, 320, 1125, 539, 320, 2368, 49407] and len(ids) == 77
    assert ids[7] == pad_id
    if arch == "sdxl":
        second = CLIPTokenizer.from_pretrained(folder / "tokenizer_2", local_files_only=True)
        assert second.pad_token == "!"


def test_config_folder_is_made_once(tmp_path):
    first = config_folder("sd1", tmp_path)
    stamp = (first / "tokenizer" / "vocab.json").stat().st_mtime_ns
    assert config_folder("sd1", tmp_path) == first
    assert (first / "tokenizer" / "vocab.json").stat().st_mtime_ns == stamp
    assert [p.name for p in first.parent.iterdir()] == [first.name]


def test_bundled_configs_stay_small():
    total = sum(p.stat().st_size for p in CONFIGS.rglob("*") if p.is_file())
    assert total < 1_000_000


def test_unknown_architecture_is_refused(tmp_path):
    with pytest.raises(InvalidInput, match="No bundled configuration"):
        config_folder("flux", tmp_path)
