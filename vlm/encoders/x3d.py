"""X3D (Feichtenhofer 2020), XS/S style: a ResNet of inverted bottlenecks with channel-wise (depthwise) 3x3x3
convs, squeeze-excitation in every other block, swish, and a 1x1x1 expansion before the pooled head."""
from __future__ import annotations

import torch
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder, tokens_from_3d


class SqueezeExcite(nn.Module):
    def __init__(self, c: int, ratio: float = 0.0625):
        super().__init__()
        mid = max(8, int(c * ratio))
        self.fc = nn.Sequential(nn.Conv3d(c, mid, 1), nn.ReLU(inplace=True), nn.Conv3d(mid, c, 1), nn.Sigmoid())

    def forward(self, x):
        return x * self.fc(x.mean((2, 3, 4), keepdim=True))


class X3DBlock(nn.Module):
    def __init__(self, cin: int, cout: int, inner: int, stride: int, se: bool):
        super().__init__()
        self.a = nn.Sequential(nn.Conv3d(cin, inner, 1, bias=False), nn.BatchNorm3d(inner), nn.ReLU(inplace=True))
        self.b = nn.Sequential(nn.Conv3d(inner, inner, 3, (1, stride, stride), 1, groups=inner, bias=False),
                               nn.BatchNorm3d(inner), SqueezeExcite(inner) if se else nn.Identity(), nn.SiLU())
        self.c = nn.Sequential(nn.Conv3d(inner, cout, 1, bias=False), nn.BatchNorm3d(cout))
        self.skip = None
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv3d(cin, cout, 1, (1, stride, stride), bias=False), nn.BatchNorm3d(cout))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.c(self.b(self.a(x))) + (self.skip(x) if self.skip is not None else x))


@register_encoder("x3d")
class X3D(VideoEncoder):
    """X3D-S-like by default: 13 frames at 160x160 in the paper; widths (24, 48, 96, 192), depths (1, 2, 5, 3),
    bottleneck expansion 2.25, conv5 to 432 channels."""
    default_input = (13, 160, 160)

    def __init__(self, *, widths: tuple[int, ...] = (24, 48, 96, 192), depths: tuple[int, ...] = (1, 2, 5, 3),
                 expansion: float = 2.25, conv5: int = 432, num_classes: int | None = None):
        super().__init__()
        w0 = widths[0]
        self.stem = nn.Sequential(nn.Conv3d(3, w0, (1, 3, 3), (1, 2, 2), (0, 1, 1), bias=False),
                                  nn.Conv3d(w0, w0, (5, 1, 1), 1, (2, 0, 0), groups=w0, bias=False),
                                  nn.BatchNorm3d(w0), nn.ReLU(inplace=True))
        blocks, cin, k = [], w0, 0
        for w, d in zip(widths, depths):
            for j in range(d):
                blocks.append(X3DBlock(cin, w, int(w * expansion), 2 if j == 0 else 1, se=k % 2 == 0))
                cin, k = w, k + 1
        self.blocks = nn.Sequential(*blocks)
        self.conv5 = nn.Sequential(nn.Conv3d(cin, conv5, 1, bias=False), nn.BatchNorm3d(conv5), nn.ReLU(inplace=True))
        self.dim = conv5
        self.head = nn.Linear(conv5, num_classes) if num_classes else None

    def forward(self, video):
        x = self.conv5(self.blocks(self.stem(video.transpose(1, 2))))              # (B, D, t, h, w)
        tokens, grid = tokens_from_3d(x)
        return EncoderOutput(tokens, grid, self.head(x.mean((2, 3, 4))) if self.head else None)
