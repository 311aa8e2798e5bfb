"""Token pooling between the encoder and the projector: fewer tokens per frame, fewer frames per token.

Tokens arrive as (B, t*h*w, D) with their grid (t, h, w); pooling works on that grid and returns the new one.
The output grid is a pure function of the input grid and the config, so the token count is known up front.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

POOL_MODES = ("avg", "max", "none")


@dataclass(frozen=True)
class PoolingConfig:
    spatial: int = 2      # tokens per frame side after pooling (adaptive); 0 keeps the encoder's grid
    temporal: int = 1     # temporal stride: 2 merges pairs of frames into one token slice
    mode: str = "avg"     # avg | max | none

    def __post_init__(self):
        if self.mode not in POOL_MODES:
            raise ValueError(f"Unknown pooling mode {self.mode!r}; available: {list(POOL_MODES)}")
        if self.spatial < 0 or self.temporal < 1:
            raise ValueError(f"pooling needs spatial >= 0 and temporal >= 1, got {self.spatial}, {self.temporal}")

    def output_grid(self, grid: tuple[int, int, int]) -> tuple[int, int, int]:
        t, h, w = grid
        if self.mode == "none":
            return grid
        s_h, s_w = (h, w) if self.spatial == 0 else (min(h, self.spatial), min(w, self.spatial))
        return -(-t // self.temporal), s_h, s_w


class TokenPooler(nn.Module):
    def __init__(self, config: PoolingConfig):
        super().__init__()
        self.config = config

    def forward(self, tokens: torch.Tensor, grid: tuple[int, int, int]) -> tuple[torch.Tensor, tuple[int, int, int]]:
        out_grid = self.config.output_grid(grid)
        if out_grid == grid:
            return tokens, grid
        B, N, D = tokens.shape
        t, h, w = grid
        x = tokens.transpose(1, 2).reshape(B, D, t, h, w)                  # (B, D, t, h, w)
        pool = F.adaptive_avg_pool3d if self.config.mode == "avg" else F.adaptive_max_pool3d
        x = pool(x, out_grid)                                               # (B, D, t', h', w')
        return x.flatten(2).transpose(1, 2), out_grid                       # (B, t'*h'*w', D)
