"""`studio models add` of SD 2.x and SDXL checkpoints without --license takes the architecture's real license."""

from __future__ import annotations

import numpy as np
import pytest

UNET = "model.diffusion_model."
SHAPES = {
    "sd2": {f"{UNET}input_blocks.0.0.weight": (320, 4, 3, 3),
            f"{UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": (320, 1024)},
    "sdxl": {f"{UNET}input_blocks.0.0.weight": (320, 4, 3, 3), f"{UNET}label_emb.0.0.weight": (1280, 2816),
             f"{UNET}input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight": (640, 2048),
             "conditioner.embedders.1.model.ln_final.weight": (1280,)},
}


@pytest.mark.parametrize("arch", ["sd2", "sdxl"])
def test_sd2_and_sdxl_checkpoints_register_under_openrail_plus_plus(run, tmp_path, arch):
    from safetensors.numpy import save_file

    path = tmp_path / f"{arch}-base.safetensors"
    save_file({k: np.zeros(v, np.float16) for k, v in SHAPES[arch].items()}, str(path))
    model = run.json("models", "add", str(path))
    assert (model["arch"], model["license"]) == (arch, "openrail++")
    verdict = run.json("license", "check", model["id"])
    assert verdict["can_use_commercially"] is True
