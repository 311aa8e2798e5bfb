"""A 3D CNN with spatio-temporal non-local (self-attention) blocks (Wang et al. 2018), embedded-Gaussian form:

    y_i = 1/C(x) sum_j softmax(theta(x_i) . phi(x_j)) g(x_j),   z = W y + x   (W zero-initialised: starts as identity)
"""
from __future__ import annotations

import torch
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder, tokens_from_3d


class NonLocalBlock(nn.Module):
    def __init__(self, channels: int, inner: int | None = None):
        super().__init__()
        inner = inner or max(channels // 2, 1)
        self.theta, self.phi, self.g = (nn.Conv3d(channels, inner, 1) for _ in range(3))
        self.out = nn.Conv3d(inner, channels, 1)
        self.bn = nn.BatchNorm3d(channels)
        nn.init.zeros_(self.bn.weight)  # the residual branch starts at zero: inserting the block changes nothing

    def forward(self, x):                                                           # x (B, C, T, H, W)
        B, C, T, H, W = x.shape
        q = self.theta(x).flatten(2).transpose(1, 2)                                # (B, THW, C')
        k = self.phi(x).flatten(2)                                                  # (B, C', THW)
        v = self.g(x).flatten(2).transpose(1, 2)                                    # (B, THW, C')
        attn = (q @ k).softmax(-1)                                                  # (B, THW, THW)
        y = (attn @ v).transpose(1, 2).reshape(B, -1, T, H, W)                      # (B, C', T, H, W)
        return x + self.bn(self.out(y))


@register_encoder("nonlocal")
class NonLocal3d(VideoEncoder):
    """conv-pool stages of 3x3x3 convs with non-local blocks after stages 2 and 3."""
    default_input = (16, 112, 112)

    def __init__(self, *, widths: tuple[int, ...] = (32, 64, 128, 256), nonlocal_after: tuple[int, ...] = (1, 2),
                 num_classes: int | None = None):
        super().__init__()
        layers, cin = [], 3
        for i, w in enumerate(widths):
            layers += [nn.Conv3d(cin, w, 3, padding=1, bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True),
                       nn.MaxPool3d((1, 2, 2) if i == 0 else 2)]
            if i in nonlocal_after:
                layers.append(NonLocalBlock(w))
            cin = w
        self.net = nn.Sequential(*layers)
        self.dim = widths[-1]
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def forward(self, video):
        x = self.net(video.transpose(1, 2))                                         # (B, D, t, h, w)
        tokens, grid = tokens_from_3d(x)
        return EncoderOutput(tokens, grid, self.head(x.mean((2, 3, 4))) if self.head else None)
