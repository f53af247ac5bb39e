"""Live previews: the latents of a running generation shown as an RGB image.

For Stable Diffusion's own latent spaces (SD 1.x/2.x share one VAE; SDXL has its own) a decode with the full VAE
costs seconds per frame on a CPU, so the preview is the published per-pixel linear map from the 4 latent
channels to RGB: an image at 1/8 of the output size, close to what the VAE will decode. A model whose VAE is
small (the built-in toy model: about a million weights, some milliseconds per decode) has its previews decoded
by that VAE, which makes them exact; a linear map does not fit it, since its untrained decoder normalises
its input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image

from studio.generate.torch_runtime import runtime

# Latent channel (rows) -> R, G, B in [-1, 1], plus a bias, for the published latent spaces.
_PUBLISHED: dict[str, tuple[tuple[tuple[float, float, float], ...], tuple[float, float, float]]] = {
    "sd": (((0.3512, 0.2297, 0.3227), (0.3250, 0.4974, 0.2350),
            (-0.2829, 0.1762, 0.2721), (-0.2120, -0.2616, -0.7177)), (0.0, 0.0, 0.0)),
    "sdxl": (((0.3651, 0.4232, 0.4341), (-0.2533, -0.0042, 0.1068),
              (0.1076, 0.1111, -0.0362), (-0.3165, -0.2492, -0.2188)), (0.1084, -0.0175, -0.0011)),
}
_FAMILY = {"sd1": "sd", "sd2": "sd", "sdxl": "sdxl"}
# A VAE up to this many weights decodes a preview in milliseconds on a CPU.
SMALL_VAE_WEIGHTS = 5_000_000

Preview = Callable[[Any], Image.Image]


def preview_for(arch: str, vae: Any) -> Preview:
    """How this model's previews are made: its own VAE when small, else its latent space's linear map."""
    if sum(p.numel() for p in vae.parameters()) <= SMALL_VAE_WEIGHTS:
        return lambda latents: _decode(vae, latents)
    torch = runtime().torch
    weight, bias = _PUBLISHED[_FAMILY.get(arch.removesuffix("-inpaint"), "sd")]
    factors, offset = torch.tensor(weight), torch.tensor(bias)
    return lambda latents: _linear(latents, factors, offset)


def _linear(latents: Any, factors: Any, offset: Any) -> Image.Image:
    torch = runtime().torch
    sample = latents[0].detach().to("cpu", torch.float32)
    rgb = torch.einsum("chw,cr->hwr", sample, factors) + offset
    return _image(rgb)


def _decode(vae: Any, latents: Any) -> Image.Image:
    torch = runtime().torch
    # The VAE's dtype is its compute dtype, which differs from its weights' under layerwise casting.
    with torch.inference_mode():
        sample = latents[:1].to(vae.device, vae.dtype) / vae.config.scaling_factor
        decoded = vae.decode(sample).sample[0]
    return _image(decoded.permute(1, 2, 0).float().cpu())


def _image(rgb: Any) -> Image.Image:
    """(H, W, 3) values in [-1, 1] -> an RGB image, rounded as diffusers rounds its output."""
    pixels = ((rgb / 2 + 0.5).clamp(0, 1) * 255).round().to(runtime().torch.uint8).numpy()
    return Image.fromarray(pixels, "RGB")
