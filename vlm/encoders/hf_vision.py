"""Any CLIP/SigLIP-style vision tower from the Hugging Face hub or a local directory, run on each frame.

Tokens are the patch tokens of a chosen hidden layer (LLaVA uses the penultimate one), class token dropped.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder
from vlm.video.transforms import CLIP_MEAN, CLIP_STD, VideoTransform
from vlm.weights import hub_load_error, resolve_hf_source


def _vision_config(name_or_path: str):
    from transformers import AutoConfig

    try:
        cfg = AutoConfig.from_pretrained(resolve_hf_source(name_or_path, "vision-tower"))
    except OSError as e:
        raise hub_load_error(name_or_path, e) from None
    return getattr(cfg, "vision_config", cfg)


def _preprocessor_stats(name_or_path: str) -> tuple[tuple, tuple]:
    """mean/std from the checkpoint's preprocessor_config.json (local dirs or the hub cache), else CLIP's."""
    from huggingface_hub import try_to_load_from_cache

    if Path(name_or_path).is_dir():
        path = Path(name_or_path) / "preprocessor_config.json"
    else:
        path = try_to_load_from_cache(name_or_path, "preprocessor_config.json")
    if isinstance(path, (str, Path)) and Path(path).exists():
        pp = json.loads(Path(path).read_text())
        return tuple(pp.get("image_mean", CLIP_MEAN)), tuple(pp.get("image_std", CLIP_STD))
    return CLIP_MEAN, CLIP_STD


@register_encoder("hf-vision")
class HFVisionEncoder(VideoEncoder):
    def __init__(self, *, name_or_path: str, layer: int = -2, image_size: int | None = None):
        super().__init__()
        from transformers import AutoModel

        try:
            model = AutoModel.from_pretrained(resolve_hf_source(name_or_path, "vision-tower"))
        except OSError as e:
            raise hub_load_error(name_or_path, e) from None
        self.vision_model = getattr(model, "vision_model", model).eval()  # CLIPModel/SiglipModel or a bare tower
        cfg = self.vision_model.config
        self.dim, self.layer, self.image_size, self.patch = cfg.hidden_size, layer, cfg.image_size, cfg.patch_size

    @classmethod
    def output_grid(cls, *, num_frames: int, name_or_path: str, **_) -> tuple[int, int, int]:
        cfg = _vision_config(name_or_path)
        side = cfg.image_size // cfg.patch_size
        return num_frames, side, side

    @classmethod
    def default_transform(cls, *, name_or_path: str, **_) -> VideoTransform:
        mean, std = _preprocessor_stats(name_or_path)
        return VideoTransform(size=_vision_config(name_or_path).image_size, mean=mean, std=std)

    def forward(self, video: torch.Tensor) -> EncoderOutput:
        B, T = video.shape[:2]
        out = self.vision_model(pixel_values=video.flatten(0, 1), output_hidden_states=True)
        hidden = out.hidden_states[self.layer]                     # (B*T, [1 +] h*w, D)
        side = self.image_size // self.patch
        if hidden.shape[1] == side * side + 1:                     # CLIP has a class token; SigLIP does not
            hidden = hidden[:, 1:]
        tokens = hidden.reshape(B, T * side * side, self.dim)      # (B, T*h*w, D)
        return EncoderOutput(tokens, (T, side, side))
