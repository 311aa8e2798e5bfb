"""The encoder registry and the one shape contract every encoder keeps.

    video (B, T, C, H, W)  ->  EncoderOutput(tokens (B, N, D), grid (t, h, w) with t*h*w == N,
                                             logits (B, K) or None, frame_logits (B, T, K) or None)

`output_grid` tells the token grid from the input geometry without running the network, so token counts have
one source (the config) before any weights exist.
"""
from __future__ import annotations

import inspect
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
    """Base class: subclasses set `dim` (and `default_input` (T, H, W)) and implement `forward`.

    `output_grid` runs the network on the meta device (shapes only, no memory, no compute), so every encoder
    reports its token grid for any input without a hand-written formula; encoders with a cheap formula override it.
    """
    name: str = "?"
    dim: int = 0
    default_input: tuple[int, int, int] = (16, 112, 112)  # (T, H, W) of the encoder's standard input

    @classmethod
    def output_grid(cls, *, num_frames: int, image_size: int | None = None, **kwargs) -> tuple[int, int, int]:
        size = image_size or cls.default_input[1]
        with torch.device("meta"):
            kw = _accepted(cls, {"image_size": size, "num_frames": num_frames, **kwargs})
            if "pretrained" in inspect.signature(cls.__init__).parameters:
                kw["pretrained"] = False  # shapes only: no weights to read
            enc = cls(**kw)
            return enc(torch.empty(1, num_frames, 3, size, size)).grid

    @classmethod
    def default_transform(cls, *, image_size: int | None = None, **kwargs) -> VideoTransform:
        return VideoTransform(size=image_size or cls.default_input[1])

    def forward(self, video: torch.Tensor) -> EncoderOutput:  # video (B, T, C, H, W)
        raise NotImplementedError


def _accepted(cls, kwargs: dict) -> dict:
    """The kwargs the class's constructor takes (image_size is optional for most encoders)."""
    params = inspect.signature(cls.__init__).parameters
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


def tokens_from_3d(x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, int, int]]:
    """(B, D, t, h, w) feature volume -> tokens (B, t*h*w, D) and the grid (t, h, w)."""
    B, D, t, h, w = x.shape
    return x.flatten(2).transpose(1, 2), (t, h, w)


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
    kwargs = encoder_kwargs(name, kwargs)
    if "image_size" in kwargs and "image_size" not in _accepted(cls, {"image_size": 0}):
        kwargs.pop("image_size")  # size-agnostic encoders take any input size
    return cls(**kwargs)
