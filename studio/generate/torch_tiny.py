"""The built-in toy model's weights, built in code (called by `studio.generate.builtin`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.generate.model_configs import read_config
from studio.generate.torch_runtime import runtime


def build_tiny_pipeline(folder: Path, arch: str = "studio-tiny") -> None:
    """Build the SD-1.x-layout toy pipeline described by `configs/<arch>` with seed 0 and save it to `folder`.

    `folder` must already hold that arch's tokenizer files (see model_configs.config_folder).
    """
    rt = runtime()
    torch, d, t = rt.torch, rt.diffusers, rt.transformers
    rt.torch.manual_seed(0)
    unet = d.UNet2DConditionModel.from_config(read_config(arch, "unet"))
    vae = d.AutoencoderKL.from_config(read_config(arch, "vae"))
    text_encoder = t.CLIPTextModel(t.CLIPTextConfig(**read_config(arch, "text_encoder")))
    tokenizer = t.CLIPTokenizer.from_pretrained(folder / "tokenizer")
    scheduler = d.EulerDiscreteScheduler.from_config(read_config(arch, "scheduler"))
    with torch.no_grad():
        _shape_tiny_weights(unet, vae)
    pipe = d.StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipe.save_pretrained(folder, safe_serialization=True)


def _shape_tiny_weights(unet: Any, vae: Any) -> None:
    """Hand-set parts of the untrained weights so the toy model paints soft colour fields instead of pixel noise.

    The decoder becomes a smooth, pointwise colour map of the latents: convolutions keep only their centre tap
    (conv_in a 3x3 box), residual branches and attention outputs are zeroed (identity), and each 2x upsampler is
    a per-channel 3x3 box blur. Cross-attention outputs in the UNet are amplified so the prompt shifts the field.
    """
    decoder = vae.decoder
    weight = decoder.conv_in.weight
    weight.copy_(weight[:, :, 1:2, 1:2].expand_as(weight) / 3)
    for block in (decoder.mid_block, *decoder.up_blocks):
        for resnet in block.resnets:
            resnet.conv2.weight.zero_()
            resnet.conv2.bias.zero_()
        for attention in getattr(block, "attentions", None) or ():
            attention.to_out[0].weight.zero_()
            attention.to_out[0].bias.zero_()
        for upsampler in getattr(block, "upsamplers", None) or ():
            kernel = upsampler.conv.weight
            kernel.zero_()
            for channel in range(kernel.shape[0]):
                kernel[channel, channel] = 1 / 9
            upsampler.conv.bias.zero_()
    weight = decoder.conv_out.weight
    centre = weight[:, :, 1, 1].clone()
    weight.zero_()
    weight[:, :, 1, 1] = centre * 4
    for module in unet.modules():
        if hasattr(module, "attn2"):
            module.attn2.to_out[0].weight.mul_(8)
