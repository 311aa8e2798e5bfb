"""Recurrent video models from the lecture.

    cnn-lstm        a 2D CNN's pooled features per frame into an LSTM, many-to-one (the last state classifies)
    recurrent-conv  recurrent convolutional network: a multi-layer ConvGRU over 2D feature maps, weights shared
                    across time, so every output location sees all earlier frames (Ballas et al. 2016)
"""
from __future__ import annotations

import torch
from torch import nn

from vlm.encoders.frame2d import lecture_cnn
from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder


@register_encoder("cnn-lstm")
class CNNLSTM(VideoEncoder):
    default_input = (20, 64, 64)

    def __init__(self, *, widths: tuple[int, int] = (12, 24), hidden: int = 64, layers: int = 1,
                 num_classes: int | None = None):
        super().__init__()
        self.cnn = lecture_cnn(3, tuple(widths))
        self.lstm = nn.LSTM(widths[1], hidden, num_layers=layers, batch_first=True)
        self.dim = hidden
        self.head = nn.Linear(hidden, num_classes) if num_classes else None

    def forward(self, video):
        B, T = video.shape[:2]
        feats = self.cnn(video.flatten(0, 1)).mean((2, 3)).view(B, T, -1)          # (B, T, C)
        out, _ = self.lstm(feats)                                                   # (B, T, hidden)
        return EncoderOutput(out, (T, 1, 1), self.head(out[:, -1]) if self.head else None)


class ConvGRUCell(nn.Module):
    def __init__(self, cin: int, hidden: int, k: int = 3):
        super().__init__()
        self.gates = nn.Conv2d(cin + hidden, 2 * hidden, k, padding=k // 2)         # update z and reset r
        self.cand = nn.Conv2d(cin + hidden, hidden, k, padding=k // 2)
        self.hidden = hidden

    def forward(self, x, h):                                                        # x (B, C, H, W), h (B, Hd, H, W)
        z, r = torch.sigmoid(self.gates(torch.cat([x, h], 1))).chunk(2, 1)
        cand = torch.tanh(self.cand(torch.cat([x, r * h], 1)))
        return (1 - z) * h + z * cand


@register_encoder("recurrent-conv")
class RecurrentConv(VideoEncoder):
    default_input = (20, 64, 64)

    def __init__(self, *, widths: tuple[int, int] = (12, 24), hidden: tuple[int, ...] = (24, 32),
                 num_classes: int | None = None):
        super().__init__()
        self.cnn = lecture_cnn(3, tuple(widths))
        dims = (widths[1], *hidden)
        self.cells = nn.ModuleList(ConvGRUCell(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.dim = hidden[-1]
        self.head = nn.Linear(self.dim, num_classes) if num_classes else None

    def forward(self, video):
        B, T = video.shape[:2]
        maps = self.cnn(video.flatten(0, 1))
        maps = maps.view(B, T, *maps.shape[1:])                                     # (B, T, C, h, w)
        h_, w_ = maps.shape[-2:]
        states = [maps.new_zeros(B, c.hidden, h_, w_) for c in self.cells]
        outs = []
        for t in range(T):                                                          # the same weights at every step
            x = maps[:, t]
            for i, cell in enumerate(self.cells):
                states[i] = x = cell(x, states[i])
            outs.append(x)
        seq = torch.stack(outs, 1)                                                  # (B, T, D, h, w)
        tokens = seq.permute(0, 1, 3, 4, 2).reshape(B, T * h_ * w_, self.dim)       # (B, T*h*w, D)
        return EncoderOutput(tokens, (T, h_, w_), self.head(states[-1].mean((2, 3))) if self.head else None)
