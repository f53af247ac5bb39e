"""Tiny FLUX.1 [schnell], FLUX.1 [dev], SD3.5-style and Qwen-Image pipelines built in code with random weights,
saved as diffusers folders (real pipeline classes, real layouts, a few hundred thousand weights each). Tokenizers
are made from small vocabularies, so nothing is downloaded."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import torch
from diffusers import (
    AutoencoderKL,
    AutoencoderKLQwenImage,
    FlowMatchEulerDiscreteScheduler,
    FluxPipeline,
    FluxTransformer2DModel,
    QwenImagePipeline,
    QwenImageTransformer2DModel,
    SD3Transformer2DModel,
    StableDiffusion3Pipeline,
)
from transformers import (
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
    Qwen2_5_VLConfig,
    Qwen2_5_VLForConditionalGeneration,
    Qwen2Tokenizer,
    T5Config,
    T5EncoderModel,
    T5Tokenizer,
)

from studio.generate.model_configs import _bytes_to_unicode

FAMILY_ARCHS = ("flux1-schnell", "flux1-dev", "sd3", "qwen-image")
_MERGES = ["t h", "a n", "th e</w>", "i n", "o n"]


def _byte_vocab() -> dict[str, int]:
    chars = list(_bytes_to_unicode().values())
    return {c: i for i, c in enumerate(chars)}


def clip_tokenizer(folder: Path) -> CLIPTokenizer:
    chars = list(_bytes_to_unicode().values())
    tokens = chars + [c + "</w>" for c in chars] + ["".join(m.split(" ")) for m in _MERGES]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    import json

    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(_MERGES) + "\n", encoding="utf-8")
    return CLIPTokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"),
                         model_max_length=77)


def t5_tokenizer() -> T5Tokenizer:
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [(f"\u2581{c}", -1.0) for c in string.ascii_lowercase] + [(c, -2.0) for c in string.ascii_lowercase]
    return T5Tokenizer(vocab=pieces, extra_ids=0)


def qwen_tokenizer() -> Qwen2Tokenizer:
    tok = Qwen2Tokenizer(vocab=_byte_vocab(), merges=[], unk_token=None, bos_token=None,
                         eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tok.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]})
    return tok


def _clip(hidden: int, vocab: int, projection: bool) -> Any:
    config = CLIPTextConfig(hidden_size=hidden, intermediate_size=37, num_hidden_layers=2, num_attention_heads=4,
                            max_position_embeddings=77, vocab_size=vocab, projection_dim=hidden,
                            bos_token_id=vocab - 2, eos_token_id=vocab - 1, pad_token_id=vocab - 1)
    return (CLIPTextModelWithProjection if projection else CLIPTextModel)(config)


def _t5(vocab: int) -> T5EncoderModel:
    return T5EncoderModel(T5Config(d_model=32, d_kv=8, d_ff=37, num_layers=2, num_heads=4,
                                   relative_attention_num_buckets=8, vocab_size=vocab, pad_token_id=0,
                                   eos_token_id=1, decoder_start_token_id=0))


def _kl_vae(scaling: float) -> AutoencoderKL:
    return AutoencoderKL(in_channels=3, out_channels=3, latent_channels=16, block_out_channels=(8, 8, 8, 8),
                         down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                         layers_per_block=1, norm_num_groups=4, use_quant_conv=False, use_post_quant_conv=False,
                         shift_factor=0.0609, scaling_factor=scaling, sample_size=1024)


def build_flux(folder: Path, *, dev: bool) -> Path:
    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=64, num_layers=1, num_single_layers=1,
                                         attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                         pooled_projection_dim=32, axes_dims_rope=(4, 6, 6), guidance_embeds=dev)
    clip_tok = clip_tokenizer(folder / "_clip")
    t5_tok = t5_tokenizer()
    if dev:
        scheduler = FlowMatchEulerDiscreteScheduler(shift=1.0, use_dynamic_shifting=True, base_shift=0.5,
                                                    max_shift=1.15, base_image_seq_len=256, max_image_seq_len=4096)
    else:
        scheduler = FlowMatchEulerDiscreteScheduler(shift=1.0, use_dynamic_shifting=False)
    pipe = FluxPipeline(scheduler=scheduler, vae=_kl_vae(1.5035), text_encoder=_clip(32, len(clip_tok), False),
                        tokenizer=clip_tok, text_encoder_2=_t5(len(t5_tok)), tokenizer_2=t5_tok,
                        transformer=transformer)
    return _save(pipe, folder)


def build_sd3(folder: Path) -> Path:
    torch.manual_seed(0)
    transformer = SD3Transformer2DModel(sample_size=8, patch_size=2, in_channels=16, out_channels=16, num_layers=2,
                                        attention_head_dim=8, num_attention_heads=4, joint_attention_dim=32,
                                        caption_projection_dim=32, pooled_projection_dim=32, pos_embed_max_size=16,
                                        qk_norm="rms_norm", dual_attention_layers=(0,))
    clip_tok = clip_tokenizer(folder / "_clip")
    t5_tok = t5_tokenizer()
    pipe = StableDiffusion3Pipeline(
        transformer=transformer, scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0), vae=_kl_vae(1.5305),
        text_encoder=_clip(16, len(clip_tok), True), tokenizer=clip_tok,
        text_encoder_2=_clip(16, len(clip_tok), True), tokenizer_2=clip_tok,
        text_encoder_3=_t5(len(t5_tok)), tokenizer_3=t5_tok)
    return _save(pipe, folder)


def build_qwen(folder: Path) -> Path:
    torch.manual_seed(0)
    tok = qwen_tokenizer()
    transformer = QwenImageTransformer2DModel(patch_size=2, in_channels=64, out_channels=16, num_layers=2,
                                              attention_head_dim=16, num_attention_heads=3, joint_attention_dim=16,
                                              guidance_embeds=False, axes_dims_rope=(8, 4, 4))
    vae = AutoencoderKLQwenImage(base_dim=16, z_dim=16, dim_mult=[1, 2, 4, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True, True], latents_mean=[0.0] * 16,
                                 latents_std=[1.0] * 16)
    config = Qwen2_5_VLConfig(
        text_config={"hidden_size": 16, "intermediate_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
                     "num_key_value_heads": 2, "rope_scaling": {"mrope_section": [1, 1, 2], "rope_type": "default",
                                                                "type": "default"},
                     "vocab_size": len(tok)},
        vision_config={"depth": 2, "hidden_size": 16, "intermediate_size": 16, "num_heads": 2, "out_hidden_size": 16},
        hidden_size=16, vocab_size=len(tok))
    text_encoder = Qwen2_5_VLForConditionalGeneration(config)
    scheduler = FlowMatchEulerDiscreteScheduler(shift=1.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=0.9,
                                                base_image_seq_len=256, max_image_seq_len=8192, shift_terminal=0.02,
                                                time_shift_type="exponential")
    pipe = QwenImagePipeline(scheduler=scheduler, vae=vae, text_encoder=text_encoder, tokenizer=tok,
                             transformer=transformer)
    return _save(pipe, folder)


def _save(pipe: Any, folder: Path) -> Path:
    import shutil

    shutil.rmtree(folder / "_clip", ignore_errors=True)
    pipe.save_pretrained(folder, safe_serialization=True)
    return folder


def build_family(arch: str, folder: Path) -> Path:
    if arch.startswith("flux1"):
        return build_flux(folder, dev=arch == "flux1-dev")
    if arch == "sd3":
        return build_sd3(folder)
    return build_qwen(folder)
