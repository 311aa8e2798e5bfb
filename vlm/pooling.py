"""Token pooling between the encoder and the projector: fewer tokens per frame, fewer frames per token.

Tokens arrive as (B, t*h*w, D) with their grid (t, h, w); pooling works on that grid and returns the new one.
The output grid is a pure function of the input grid and the config, so the token count is known up front.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

POOL_MODES = ("avg", "max", "tome", "none")


@dataclass(frozen=True)
class PoolingConfig:
    spatial: int = 2      # tokens per frame side after pooling (adaptive); 0 keeps the encoder's grid
    temporal: int = 1     # temporal stride: 2 merges pairs of frames into one token slice
    mode: str = "avg"     # avg | max | tome (merge similar tokens, ToMe) | none

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
        if self.config.mode == "tome":
            return tome_per_frame(tokens, grid, out_grid), out_grid
        x = tokens.transpose(1, 2).reshape(B, D, t, h, w)                  # (B, D, t, h, w)
        pool = F.adaptive_avg_pool3d if self.config.mode == "avg" else F.adaptive_max_pool3d
        x = pool(x, out_grid)                                               # (B, D, t', h', w')
        return x.flatten(2).transpose(1, 2), out_grid                       # (B, t'*h'*w', D)


def bipartite_merge(x: torch.Tensor, size: torch.Tensor, r: int) -> tuple[torch.Tensor, torch.Tensor]:
    """One ToMe step (Bolya et al. 2023): split tokens alternately into A and B, match each A token to its most
    similar B token (cosine), and merge the r best-matched A tokens into their partners (size-weighted mean).
    x (B, N, D), size (B, N, 1) -> (B, N - r, D), (B, N - r, 1)."""
    a, b = x[:, ::2], x[:, 1::2]
    sa, sb = size[:, ::2], size[:, 1::2]
    r = min(r, a.shape[1])
    sim = F.normalize(a, dim=-1) @ F.normalize(b, dim=-1).transpose(1, 2)    # (B, Na, Nb)
    best, partner = sim.max(-1)                                                 # (B, Na)
    order = best.argsort(-1, descending=True)
    merged, kept = order[:, :r], order[:, r:]                                   # A tokens merged / kept
    idx = partner.gather(1, merged)                                             # their B partners
    D = x.shape[-1]
    wa = (a * sa).gather(1, merged[..., None].expand(-1, -1, D))
    b_sum = (b * sb).scatter_add(1, idx[..., None].expand(-1, -1, D), wa)
    sb_new = sb.scatter_add(1, idx[..., None], sa.gather(1, merged[..., None]))
    a_kept = a.gather(1, kept[..., None].expand(-1, -1, D))
    sa_kept = sa.gather(1, kept[..., None])
    return torch.cat([a_kept, b_sum / sb_new], 1), torch.cat([sa_kept, sb_new], 1)


def tome_per_frame(tokens: torch.Tensor, grid: tuple[int, int, int], out_grid: tuple[int, int, int]) -> torch.Tensor:
    """Merge each frame's tokens down to out_h * out_w by repeated bipartite matching (time pooled by averaging
    groups of frames first when the output has fewer frames)."""
    B, N, D = tokens.shape
    t, h, w = grid
    t2, h2, w2 = out_grid
    x = tokens.view(B, t, h * w, D)
    if t2 != t:
        x = F.adaptive_avg_pool1d(x.permute(0, 2, 3, 1).reshape(B, h * w * D, t), t2)
        x = x.view(B, h * w, D, t2).permute(0, 3, 1, 2)
    x = x.reshape(B * t2, h * w, D)
    size = torch.ones(B * t2, h * w, 1, dtype=x.dtype, device=x.device)
    target = h2 * w2
    while x.shape[1] > target:
        x, size = bipartite_merge(x, size, min(x.shape[1] - target, x.shape[1] // 2))
    return x.reshape(B, t2 * target, D)
