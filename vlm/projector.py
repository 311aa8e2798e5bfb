"""Projectors from encoder tokens to the LLM's embedding space (LLaVA's builder, names kept).

`linear` and `mlp2x_gelu` map each token on its own. `stc` (after VideoLLaMA2's spatio-temporal convolution
connector, sized down) also mixes each token with its neighbours in time and space by a 3D convolution over the
token grid, so a token can carry how its part of the picture changes: the LLM need not compare frames itself.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

PROJECTORS = ("linear", "mlp2x_gelu", "stc")


class STCProjector(nn.Module):
    """Linear to the LLM width, a residual 3x3x3 convolution over the (t, h, w) token grid, GELU, Linear.
    The convolution starts at zero: an untrained STC projector is an mlp2x_gelu."""
    takes_grid = True

    def __init__(self, in_dim: int, out_dim: int):
        super().__init__()
        self.inp = nn.Linear(in_dim, out_dim)
        self.conv = nn.Conv3d(out_dim, out_dim, kernel_size=3, padding=1)
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)
        self.out = nn.Linear(out_dim, out_dim)

    def forward(self, tokens: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
        B, N, _ = tokens.shape
        t, h, w = grid
        if t * h * w != N:
            raise ValueError(f"{N} tokens do not fill a {t}x{h}x{w} grid")
        y = self.inp(tokens)                                                      # (B, N, D)
        z = self.conv(y.transpose(1, 2).reshape(B, -1, t, h, w))                  # (B, D, t, h, w)
        return self.out(F.gelu(y + z.flatten(2).transpose(1, 2)))                 # (B, N, D)


def build_projector(kind: str, *, in_dim: int, out_dim: int) -> nn.Module:
    if kind == "linear":
        return nn.Linear(in_dim, out_dim)
    if kind == "mlp2x_gelu":
        return nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim))
    if kind == "stc":
        return STCProjector(in_dim, out_dim)
    raise ValueError(f"Unknown projector {kind!r}; available: {list(PROJECTORS)}")


def project(projector: nn.Module, tokens: torch.Tensor, grid: tuple[int, int, int]) -> torch.Tensor:
    """(B, N, D_enc) tokens on a (t, h, w) grid -> (B, N, D_llm)."""
    return projector(tokens, grid) if getattr(projector, "takes_grid", False) else projector(tokens)
