"""`studio models add` of FLUX.1, SD3.5 and Qwen-Image single-file transformers: the family from the tensor names
(FLUX.1 [dev] vs [schnell] by its guidance embedding), the published license suggested."""

from __future__ import annotations

import numpy as np
import pytest

from studio.licensing import default_catalog

FLUX = {"double_blocks.0.img_attn.norm.key_norm.scale": (128,), "img_in.weight": (3072, 64),
        "single_blocks.0.linear1.weight": (21504, 3072)}
FLUX_DEV = {**FLUX, "guidance_in.in_layer.weight": (3072, 256)}
SD3 = {"joint_blocks.0.context_block.attn.qkv.weight": (4608, 1536), "x_embedder.proj.weight": (1536, 16, 2, 2)}
QWEN = {"txt_norm.weight": (3584,), "transformer_blocks.0.img_mod.1.weight": (18432, 3072),
        "img_in.weight": (3072, 64)}
CASES = {
    "flux1-schnell": ({f"model.diffusion_model.{k}": v for k, v in FLUX.items()}, "apache-2.0"),
    "flux1-dev": (FLUX_DEV, "flux-1-dev-non-commercial"),
    "sd3": ({f"model.diffusion_model.{k}": v for k, v in SD3.items()}, "stabilityai-ai-community"),
    "qwen-image": (QWEN, "apache-2.0"),
}


@pytest.mark.parametrize("arch", sorted(CASES))
def test_family_checkpoints_register_with_the_published_license(run, tmp_path, arch):
    from safetensors.numpy import save_file

    shapes, license_id = CASES[arch]
    path = tmp_path / f"{arch}.safetensors"
    save_file({k: np.zeros(v, np.float16) for k, v in shapes.items()}, str(path))
    if license_id in default_catalog():
        model = run.json("models", "add", str(path))
        assert (model["arch"], model["license"]) == (arch, license_id)
    else:
        # A license the catalogue cannot judge is not recorded: the user is asked for one, in one line.
        result = run("models", "add", str(path), ok=False)
        assert f"publisher's license is {license_id}" in result.output and "--license" in result.output
        assert "Traceback" not in result.output
        model = run.json("models", "add", str(path), "--license", "cc-by-4.0")
        assert (model["arch"], model["license"]) == (arch, "cc-by-4.0")
