"""Projectors from encoder tokens to the LLM's embedding space (LLaVA's builder, names kept)."""
from __future__ import annotations

from torch import nn

PROJECTORS = ("linear", "mlp2x_gelu")


def build_projector(kind: str, *, in_dim: int, out_dim: int) -> nn.Module:
    if kind == "linear":
        return nn.Linear(in_dim, out_dim)
    if kind == "mlp2x_gelu":
        return nn.Sequential(nn.Linear(in_dim, out_dim), nn.GELU(), nn.Linear(out_dim, out_dim))
    raise ValueError(f"Unknown projector {kind!r}; available: {list(PROJECTORS)}")
