"""Frame-based video classifiers from the lecture, each on a 2D CNN (the lecture's small one by default, or the
pretrained EfficientNet-Lite0):

    single-frame   the 2D CNN on every frame, predictions averaged
    late-fusion    per-frame features combined at the end: average pooling, or concatenation + MLP
    early-fusion   all frames stacked on the channels into the first conv, then a 2D CNN

The lecture's small 2D CNN: Conv2D(3x3, C->12), Pool2D(4x4), Conv2D(3x3, 12->24), global average pool.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder


def lecture_cnn(in_ch: int, widths: tuple[int, int] = (12, 24), *, first_time_extent: int = 1) -> nn.Sequential:
    """Conv2D(3x3, in->w1) ReLU, Pool2D(4x4), Conv2D(3x3, w1->w2) ReLU. first_time_extent records how many frames
    the first conv sees (early fusion) for the receptive-field table."""
    conv1 = nn.Conv2d(in_ch, widths[0], 3, padding=1)
    conv1.rf_time = first_time_extent
    return nn.Sequential(conv1, nn.ReLU(inplace=True), nn.MaxPool2d(4),
                         nn.Conv2d(widths[0], widths[1], 3, padding=1), nn.ReLU(inplace=True))


class _Backbone2d(nn.Module):
    """A 2D CNN run on frames: (N, C, H, W) -> feature maps (N, D, h, w). 'lecture' or 'efficientnet-lite0'."""

    def __init__(self, kind: str, in_ch: int, widths: tuple[int, int], image_size: int, pretrained: bool):
        super().__init__()
        if kind == "lecture":
            self.net, self.dim = lecture_cnn(in_ch, widths), widths[1]
        elif kind == "efficientnet-lite0":
            from vlm.weights import load_efficientnet_lite0

            if in_ch != 3:
                raise ValueError(f"the EfficientNet-Lite0 backbone takes RGB frames, not {in_ch} channels")
            self.net, self.dim = load_efficientnet_lite0(pretrained=pretrained, image_size=image_size), 1280
        else:
            raise ValueError(f"Unknown 2D backbone {kind!r}; available: ['efficientnet-lite0', 'lecture']")
        self.kind = kind

    def forward(self, x):
        return self.net(x) if self.kind == "lecture" else self.net.extract_features(x)


class _FrameEncoder(VideoEncoder):
    default_input = (20, 64, 64)

    def __init__(self, *, backbone: str = "lecture", widths: tuple[int, int] = (12, 24), num_classes: int | None = None,
                 image_size: int = 224, pretrained: bool = True):
        super().__init__()
        self.backbone = _Backbone2d(backbone, 3, tuple(widths), image_size, pretrained)
        self.dim = self.backbone.dim
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def frame_maps(self, video: torch.Tensor) -> torch.Tensor:
        B, T = video.shape[:2]
        fmap = self.backbone(video.flatten(0, 1))                                   # (B*T, D, h, w)
        return fmap.view(B, T, *fmap.shape[1:])                                     # (B, T, D, h, w)


@register_encoder("single-frame")
class SingleFrame(_FrameEncoder):
    """Classify every frame on its own; average the per-frame predictions."""

    def forward(self, video):
        maps = self.frame_maps(video)                                               # (B, T, D, h, w)
        B, T, D, h, w = maps.shape
        tokens = maps.permute(0, 1, 3, 4, 2).reshape(B, T * h * w, D)               # (B, T*h*w, D)
        frame_logits = self.head(maps.mean((3, 4))) if self.head else None          # (B, T, K)
        return EncoderOutput(tokens, (T, h, w), frame_logits.mean(1) if frame_logits is not None else None,
                             frame_logits)


@register_encoder("late-fusion")
class LateFusion(_FrameEncoder):
    """Per-frame features, fused at the end: 'avg' (average over time) or 'concat' (concatenate, then an MLP)."""

    def __init__(self, *, fusion: str = "avg", num_frames: int = 20, **kwargs):
        super().__init__(**kwargs)
        if fusion not in ("avg", "concat"):
            raise ValueError(f"Unknown late-fusion variant {fusion!r}; available: ['avg', 'concat']")
        self.fusion, self.num_frames = fusion, num_frames
        if fusion == "concat" and kwargs.get("num_classes"):
            self.head = nn.Sequential(nn.Linear(self.dim * num_frames, 4 * self.dim), nn.ReLU(inplace=True),
                                      nn.Linear(4 * self.dim, kwargs["num_classes"]))

    def forward(self, video):
        maps = self.frame_maps(video)                                               # (B, T, D, h, w)
        B, T, D, h, w = maps.shape
        feats = maps.mean((3, 4))                                                   # (B, T, D) spatial pooling
        logits = None
        if self.head is not None:
            if self.fusion == "avg":
                logits = self.head(feats.mean(1))                                   # (B, K)
            else:
                if T != self.num_frames:
                    raise ValueError(f"concat late fusion was built for {self.num_frames} frames, got {T}")
                logits = self.head(feats.flatten(1))                                # (B, K)
        return EncoderOutput(feats, (T, 1, 1), logits)


@register_encoder("early-fusion")
class EarlyFusion(VideoEncoder):
    """Stack the T frames on the channel axis (3T channels) for the first conv: time is fused at once."""
    default_input = (20, 64, 64)

    def __init__(self, *, num_frames: int = 20, widths: tuple[int, int] = (12, 24), num_classes: int | None = None):
        super().__init__()
        self.num_frames = num_frames
        self.net = lecture_cnn(3 * num_frames, tuple(widths), first_time_extent=num_frames)
        self.dim = widths[1]
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def forward(self, video):
        B, T, C, H, W = video.shape
        if T != self.num_frames:
            raise ValueError(f"early fusion was built for {self.num_frames} frames, got {T}")
        fmap = self.net(video.reshape(B, T * C, H, W))                              # (B, D, h, w)
        tokens = fmap.flatten(2).transpose(1, 2)                                    # (B, h*w, D)
        logits = self.head(fmap.mean((2, 3))) if self.head else None
        return EncoderOutput(tokens, (1, *fmap.shape[2:]), logits)
