"""Live previews look like the image being made: decoded by the model's own VAE when it is small, else through
the published latent-to-RGB map of its latent space."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gen_helpers import SIZE, pixels

from studio.generate import Progress, torch_preview
from studio.generate.torch_preview import preview_for


def _distance(a, b) -> float:
    return float(np.abs(pixels(a.resize(b.size)) - pixels(b)).mean())


@pytest.mark.parametrize("mode", ["txt2img", "img2img"])
def test_the_previews_approach_the_final_image(generator, make_request, parents, mode, monkeypatch):
    monkeypatch.setattr(generator, "preview_interval_s", 0.0)  # a preview at every step but the last
    events: list[Progress] = []
    changes = {"init_images": (parents[0],), "strength": 1.0} if mode == "img2img" else {}
    result = generator.run(make_request(mode=mode, steps=4, seed=21, **changes), on_progress=events.append)
    previews = [e.preview for e in events if e.preview is not None]
    assert len(previews) == 3
    noise = np.random.default_rng(0).integers(0, 256, (SIZE, SIZE, 3))
    noise_distance = float(np.abs(noise - pixels(result.image)).mean())
    assert _distance(previews[-1], result.image) <= _distance(previews[0], result.image)
    assert _distance(previews[-1], result.image) < noise_distance / 4
    assert _distance(previews[0], result.image) < noise_distance / 2


def test_large_vaes_get_the_published_linear_map_at_latent_size(tiny_pipeline, monkeypatch):
    monkeypatch.setattr(torch_preview, "SMALL_VAE_WEIGHTS", 0)
    zeros = torch.zeros(1, 4, 8, 12)
    sd, xl = preview_for("sd1", tiny_pipeline.vae), preview_for("sdxl", tiny_pipeline.vae)
    assert sd(zeros).size == (12, 8)
    # Zero latents are mid grey in SD 1.x/2.x's space, and SDXL's map has a warm bias.
    assert set(map(tuple, pixels(sd(zeros)).reshape(-1, 3))) == {(128, 128, 128)}
    assert tuple(pixels(xl(zeros))[0, 0]) == (141, 125, 127)
    # The first latent channel is mostly brightness in both spaces.
    bright = torch.zeros(1, 4, 2, 2)
    bright[:, 0] = 1.5
    assert pixels(sd(bright)).mean() > 180 and pixels(xl(bright)).mean() > 180
