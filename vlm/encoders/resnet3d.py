"""3D ResNet-18 (r3d) and its (2+1)D factorisation (r2plus1d), after Tran et al. 2018.

A (2+1)D conv replaces each t x d x d conv by a 1 x d x d spatial conv to M channels and a t x 1 x 1 temporal
conv, with M = floor(t d^2 N_in N_out / (d^2 N_in + t N_out)) so the parameter count matches, and one more ReLU.
"""
from __future__ import annotations

from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder, tokens_from_3d


def conv2plus1d(cin: int, cout: int, stride=1) -> nn.Sequential:
    st, ss = (stride, stride) if isinstance(stride, int) else stride
    mid = (3 * 9 * cin * cout) // (9 * cin + 3 * cout)
    return nn.Sequential(nn.Conv3d(cin, mid, (1, 3, 3), (1, ss, ss), (0, 1, 1), bias=False), nn.BatchNorm3d(mid),
                         nn.ReLU(inplace=True), nn.Conv3d(mid, cout, (3, 1, 1), (st, 1, 1), (1, 0, 0), bias=False))


def conv3d(cin: int, cout: int, stride=1) -> nn.Conv3d:
    return nn.Conv3d(cin, cout, 3, stride, 1, bias=False)


class BasicBlock3d(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, conv):
        super().__init__()
        self.conv1, self.bn1 = conv(cin, cout, stride), nn.BatchNorm3d(cout)
        self.conv2, self.bn2 = conv(cout, cout), nn.BatchNorm3d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv3d(cin, cout, 1, stride, bias=False), nn.BatchNorm3d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (self.down(x) if self.down is not None else x))


class _ResNet3d(VideoEncoder):
    default_input = (16, 112, 112)
    factorised = False

    def __init__(self, *, widths: tuple[int, ...] = (64, 128, 256, 512), depths: tuple[int, ...] = (2, 2, 2, 2),
                 num_classes: int | None = None):
        super().__init__()
        conv = conv2plus1d if self.factorised else conv3d
        if self.factorised:  # R(2+1)D stem: a spatial 1x7x7 conv to 45 channels, then a temporal 3x1x1 conv
            self.stem = nn.Sequential(nn.Conv3d(3, 45, (1, 7, 7), (1, 2, 2), (0, 3, 3), bias=False),
                                      nn.BatchNorm3d(45), nn.ReLU(inplace=True),
                                      nn.Conv3d(45, widths[0], (3, 1, 1), 1, (1, 0, 0), bias=False),
                                      nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
        else:
            self.stem = nn.Sequential(nn.Conv3d(3, widths[0], (3, 7, 7), (1, 2, 2), (1, 3, 3), bias=False),
                                      nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
        layers, cin = [], widths[0]
        for i, (w, d) in enumerate(zip(widths, depths)):
            for j in range(d):
                layers.append(BasicBlock3d(cin, w, 2 if (i > 0 and j == 0) else 1, conv))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.dim = widths[-1]
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def forward(self, video):
        x = self.layers(self.stem(video.transpose(1, 2)))                           # (B, D, t, h, w)
        tokens, grid = tokens_from_3d(x)
        return EncoderOutput(tokens, grid, self.head(x.mean((2, 3, 4))) if self.head else None)


@register_encoder("r3d")
class R3D18(_ResNet3d):
    """3D ResNet-18: 3x3x3 convs throughout."""


@register_encoder("r2plus1d")
class R2Plus1D18(_ResNet3d):
    """R(2+1)D-18: every 3x3x3 conv factorised into spatial 1x3x3 + temporal 3x1x1."""
    factorised = True
