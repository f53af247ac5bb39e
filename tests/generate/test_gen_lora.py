"""LoRAs on the tiny model: load with a weight, weight 0 and unload give the base image, kohya layout, errors."""

from __future__ import annotations

import numpy as np
import pytest
from gen_helpers import pixels

from studio.errors import InvalidInput
from studio.generate import DiffusersGenerator


def test_lora_files_are_recognised(lora_infos):
    diffusers_lora, kohya_lora = lora_infos["diffusers"], lora_infos["kohya"]
    assert (diffusers_lora.kind, diffusers_lora.format, diffusers_lora.arch) == ("lora", "diffusers", "studio-tiny")
    assert (kohya_lora.kind, kohya_lora.format, kohya_lora.arch) == ("lora", "single_file", "studio-tiny")
    assert diffusers_lora.sha256 != kohya_lora.sha256


def test_lora_weight_zero_and_unload_give_the_base_image(gen_data_dir, make_request, lora_infos):
    engine = DiffusersGenerator(gen_data_dir)
    base = pixels(engine.run(make_request()).image)

    lora = lora_infos["diffusers"].lora_ref("lora-1", weight=1.0)
    styled = engine.run(make_request(loras=(lora,)))
    assert np.abs(pixels(styled.image) - base).max() > 10
    assert [(u.id, u.weight, u.sha256) for u in styled.recipe.loras] == [("lora-1", 1.0, lora.sha256)]

    half = pixels(engine.run(make_request(loras=(lora_infos["diffusers"].lora_ref("lora-1", weight=0.5),))).image)
    assert not np.array_equal(half, pixels(styled.image)) and not np.array_equal(half, base)

    zero = engine.run(make_request(loras=(lora_infos["diffusers"].lora_ref("lora-1", weight=0.0),)))
    assert np.array_equal(pixels(zero.image), base)

    unloaded = engine.run(make_request())
    assert np.array_equal(pixels(unloaded.image), base)
    assert engine.loads == 1 and engine.lora_loads == 1  # weight changes and unloading reload nothing


def test_kohya_layout_gives_the_same_image_as_diffusers_layout(generator, make_request, lora_infos):
    diffusers_image = generator.run(make_request(loras=(lora_infos["diffusers"].lora_ref("a", 0.8),))).image
    kohya_image = generator.run(make_request(loras=(lora_infos["kohya"].lora_ref("b", 0.8),))).image
    assert np.abs(pixels(diffusers_image) - pixels(kohya_image)).max() <= 1


def test_two_loras_stack_and_swap_without_reloading_the_model(gen_data_dir, make_request, lora_infos):
    engine = DiffusersGenerator(gen_data_dir)
    a = lora_infos["diffusers"].lora_ref("a", 0.5)
    b = lora_infos["kohya"].lora_ref("b", 0.5)
    both = pixels(engine.run(make_request(loras=(a, b))).image)
    only_a = pixels(engine.run(make_request(loras=(a,))).image)
    assert not np.array_equal(both, only_a)
    # The same LoRA at weight 1.0 equals the two identical LoRAs at 0.5 each.
    full = pixels(engine.run(make_request(loras=(lora_infos["diffusers"].lora_ref("a", 1.0),))).image)
    assert np.abs(full - both).max() <= 1
    assert engine.loads == 1 and engine.lora_loads == 2


def test_a_lora_for_another_architecture_is_refused_and_the_model_still_works(
    gen_data_dir, make_request, tmp_path
):
    import torch
    from safetensors.torch import save_file

    from studio.generate import inspect_model

    wrong = tmp_path / "sd1-style.safetensors"
    module = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k"
    save_file({f"{module}.lora_down.weight": torch.zeros(4, 768), f"{module}.lora_up.weight": torch.zeros(32, 4),
               f"{module}.alpha": torch.tensor(4.0)}, wrong)
    info = inspect_model(wrong)
    assert (info.kind, info.arch) == ("lora", "sd1")

    engine = DiffusersGenerator(gen_data_dir)
    base = pixels(engine.run(make_request()).image)
    with pytest.raises(InvalidInput, match="does not fit model architecture studio-tiny"):
        engine.run(make_request(loras=(info.lora_ref("wrong"),)))
    assert np.array_equal(pixels(engine.run(make_request()).image), base)
