"""EfficientNet-Lite0 run on each frame: the embedded default encoder (real ImageNet weights, offline).

Tokens are the last feature map of every frame, (B, T*h*w, 1280) with h = w = ceil(image_size / 32); the
ImageNet head on the same features gives per-frame and clip-level logits for free, which the perception
context and the zero-shot harness use without a second pass.
"""
from __future__ import annotations

import math

import torch

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder
from vlm.video.transforms import TF_MEAN, TF_STD, VideoTransform
from vlm.weights import load_efficientnet_lite0


@register_encoder("efficientnet-lite0")
class EfficientNetLite0Encoder(VideoEncoder):
    dim = 1280

    def __init__(self, *, pretrained: bool = True, image_size: int = 224):
        super().__init__()
        self.image_size = image_size
        # Its convs use static "same" padding computed for image_size: inputs must be exactly that size.
        self.backbone = load_efficientnet_lite0(pretrained=pretrained, image_size=image_size)

    @classmethod
    def output_grid(cls, *, num_frames: int, image_size: int = 224, **_) -> tuple[int, int, int]:
        side = math.ceil(image_size / 32)
        return num_frames, side, side

    @classmethod
    def default_transform(cls, *, image_size: int = 224, **_) -> VideoTransform:
        return VideoTransform(size=image_size, mean=TF_MEAN, std=TF_STD)  # its TensorFlow origin: (x - 0.5) / 0.5

    def forward(self, video: torch.Tensor) -> EncoderOutput:
        B, T, C, H, W = video.shape
        if (H, W) != (self.image_size, self.image_size):
            raise ValueError(f"efficientnet-lite0 was built for {self.image_size}x{self.image_size} inputs, got {W}x{H}")
        x = video.flatten(0, 1).contiguous(memory_format=torch.channels_last)  # oneDNN's fast layout
        fmap = self.backbone.extract_features(x)                                 # (B*T, D, h, w)
        _, D, h, w = fmap.shape
        frame_logits = self.backbone._fc(fmap.mean((2, 3))).view(B, T, -1)  # (B, T, 1000)
        tokens = fmap.view(B, T, D, h * w).transpose(2, 3).reshape(B, T * h * w, D)  # (B, T*h*w, D)
        return EncoderOutput(tokens, (T, h, w), frame_logits.mean(1), frame_logits)
