"""3D CNNs: the lecture's small slow-fusion net and C3D ("the VGG of 3D CNNs").

    3d-cnn  Conv3D(3x3x3, 3->12), Pool3D(4x4x4), Conv3D(3x3x3, 12->24), global average pool
    c3d     3x3x3 convs and 2x2x2 pools (the first pool 1x2x2), 8 convs, 3 FC layers; 3 x 16 x 112 x 112 input
"""
from __future__ import annotations

import torch
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder, tokens_from_3d


def conv3(cin: int, cout: int) -> nn.Conv3d:
    return nn.Conv3d(cin, cout, 3, padding=1)


@register_encoder("3d-cnn")
class SmallCNN3d(VideoEncoder):
    """Slow fusion: time and space are convolved together in every layer."""
    default_input = (20, 64, 64)

    def __init__(self, *, widths: tuple[int, int] = (12, 24), num_classes: int | None = None):
        super().__init__()
        self.net = nn.Sequential(conv3(3, widths[0]), nn.ReLU(inplace=True), nn.MaxPool3d(4),
                                 conv3(widths[0], widths[1]), nn.ReLU(inplace=True))
        self.dim = widths[1]
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def forward(self, video):
        x = self.net(video.transpose(1, 2))                                         # (B, D, t, h, w)
        tokens, grid = tokens_from_3d(x)
        return EncoderOutput(tokens, grid, self.head(x.mean((2, 3, 4))) if self.head else None)


C3D_WIDTHS = (64, 128, 256, 256, 512, 512, 512, 512)


@register_encoder("c3d")
class C3D(VideoEncoder):
    """C3D (Tran et al. 2015): conv1 pool1(1x2x2) conv2 pool2 conv3a conv3b pool3 conv4a conv4b pool4 conv5a conv5b
    pool5 fc6 fc7 [fc8]. Tokens: the conv5b volume; logits: fc8 when num_classes is set."""
    default_input = (16, 112, 112)

    def __init__(self, *, widths: tuple[int, ...] = C3D_WIDTHS, fc: int = 4096, num_classes: int | None = None,
                 num_frames: int = 16, image_size: int = 112):
        super().__init__()
        w = widths
        pool = lambda k: nn.MaxPool3d(k, k)  # noqa: E731
        relu = lambda: nn.ReLU(inplace=True)  # noqa: E731
        self.features = nn.Sequential(
            conv3(3, w[0]), relu(), pool((1, 2, 2)),
            conv3(w[0], w[1]), relu(), pool(2),
            conv3(w[1], w[2]), relu(), conv3(w[2], w[3]), relu(), pool(2),
            conv3(w[3], w[4]), relu(), conv3(w[4], w[5]), relu(), pool(2),
            conv3(w[5], w[6]), relu(), conv3(w[6], w[7]), relu())
        self.pool5 = pool(2)
        t, s = num_frames // 16, image_size // 32                                   # pool5 output, floor division
        flat = w[7] * max(t, 1) * max(s, 1) ** 2
        self.fc = nn.Sequential(nn.Linear(flat, fc), relu(), nn.Dropout(0.5), nn.Linear(fc, fc), relu(),
                                nn.Dropout(0.5))
        self.dim = w[7]
        self.head = nn.Linear(fc, num_classes) if num_classes else None

    def forward(self, video):
        x = self.features(video.transpose(1, 2))                                    # (B, 512, T/8, H/16, W/16)
        tokens, grid = tokens_from_3d(x)
        logits = None
        if self.head is not None:
            logits = self.head(self.fc(self.pool5(x).flatten(1)))                   # (B, K)
        return EncoderOutput(tokens, grid, logits)
