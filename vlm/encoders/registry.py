"""The encoder registry and the one shape contract every encoder keeps.

    video (B, T, C, H, W)  ->  EncoderOutput(tokens (B, N, D), grid (t, h, w) with t*h*w == N,
                                             logits (B, K) or None, frame_logits (B, T, K) or None)

`output_grid` tells the token grid from the input geometry without running the network, so token counts have
one source (the config) before any weights exist.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vlm.video.transforms import VideoTransform

ENCODERS: dict[str, type["VideoEncoder"]] = {}


def register_encoder(name: str):
    def deco(cls):
        if name in ENCODERS:
            raise ValueError(f"encoder {name!r} is registered twice")
        cls.name = name
        ENCODERS[name] = cls
        return cls
    return deco


@dataclass
class EncoderOutput:
    tokens: torch.Tensor                    # (B, N, D)
    grid: tuple[int, int, int]              # (t, h, w), t * h * w == N
    logits: torch.Tensor | None = None      # (B, K) clip-level class scores, for classifiers
    frame_logits: torch.Tensor | None = None  # (B, T, K) per-frame scores, for frame-wise classifiers


class VideoEncoder(nn.Module):
    """Base class: subclasses set `dim` and implement `forward` and the two classmethods."""
    name: str = "?"
    dim: int = 0

    @classmethod
    def output_grid(cls, *, num_frames: int, image_size: int, **kwargs) -> tuple[int, int, int]:
        raise NotImplementedError

    @classmethod
    def default_transform(cls, *, image_size: int, **kwargs) -> VideoTransform:
        return VideoTransform(size=image_size)

    def forward(self, video: torch.Tensor) -> EncoderOutput:  # video (B, T, C, H, W)
        raise NotImplementedError


def list_encoders() -> list[str]:
    return sorted(ENCODERS)


def encoder_class(name: str) -> type[VideoEncoder]:
    """The registered class for name; a hub id or local directory selects the Hugging Face vision tower."""
    if name in ENCODERS:
        return ENCODERS[name]
    if "/" in name:
        return ENCODERS["hf-vision"]
    raise ValueError(f"Unknown encoder {name!r}; available: {list_encoders()} "
                     f"(or a CLIP/SigLIP hub id or local directory)")


def encoder_kwargs(name: str, kwargs: dict) -> dict:
    """A hub id given as the encoder name becomes the hf-vision encoder's `name_or_path`."""
    return {"name_or_path": name, **kwargs} if name not in ENCODERS and "/" in name else dict(kwargs)


def build_encoder(name: str, **kwargs) -> VideoEncoder:
    cls = encoder_class(name)
    return cls(**encoder_kwargs(name, kwargs))
