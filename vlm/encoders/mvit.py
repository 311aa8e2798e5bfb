"""MViT (Fan et al. 2021): a multiscale vision transformer. Pooling attention pools the queries (to shrink the
token grid at each stage's start) and the keys/values (to make attention cheap), while channels grow: a pyramid
of fewer, wider tokens, as in a CNN."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder
from vlm.encoders.vit import Mlp, TubeletEmbed


def _pool(x: torch.Tensor, grid, pool: nn.Module | None):
    """(B, nh, N, d) tokens on grid (t, h, w) through a 3D pooling op -> pooled tokens and grid."""
    if pool is None:
        return x, grid
    B, nh, N, d = x.shape
    t, h, w = grid
    y = pool(x.reshape(B * nh, t, h, w, d).permute(0, 4, 1, 2, 3))                 # (B*nh, d, t', h', w')
    grid = tuple(y.shape[2:])
    return y.flatten(2).transpose(1, 2).reshape(B, nh, -1, d), grid


def _maxpool(stride) -> nn.Module | None:
    if stride == (1, 1, 1):
        return None
    kernel = tuple(s + 1 if s > 1 else 1 for s in stride)
    return nn.MaxPool3d(kernel, stride, tuple(k // 2 for k in kernel))


class PoolingAttention(nn.Module):
    def __init__(self, dim_in: int, dim_out: int, heads: int, stride_q, stride_kv):
        super().__init__()
        self.heads, self.dim_out = heads, dim_out
        self.qkv, self.proj = nn.Linear(dim_in, 3 * dim_out), nn.Linear(dim_out, dim_out)
        self.pool_q, self.pool_kv = _maxpool(stride_q), _maxpool(stride_kv)

    def forward(self, x, grid):                                                     # x (B, N, D_in)
        B, N, _ = x.shape
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, -1).permute(2, 0, 3, 1, 4)  # (B, nh, N, hs)
        q, q_grid = _pool(q, grid, self.pool_q)                                     # fewer queries: fewer outputs
        k, _ = _pool(k, grid, self.pool_kv)
        v, _ = _pool(v, grid, self.pool_kv)
        y = F.scaled_dot_product_attention(q, k, v)                                 # (B, nh, N', hs)
        return self.proj(y.transpose(1, 2).reshape(B, -1, self.dim_out)), q_grid


class MultiScaleBlock(nn.Module):
    def __init__(self, dim_in: int, dim_out: int, heads: int, stride_q, stride_kv):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim_in)
        self.attn = PoolingAttention(dim_in, dim_out, heads, stride_q, stride_kv)
        self.skip_pool = _maxpool(stride_q)
        self.skip_proj = nn.Linear(dim_in, dim_out) if dim_in != dim_out else nn.Identity()
        self.norm2, self.mlp = nn.LayerNorm(dim_out), Mlp(dim_out)

    def forward(self, x, grid):
        y, new_grid = self.attn(self.norm1(x), grid)
        skip, _ = _pool(self.skip_proj(x).unsqueeze(1), grid, self.skip_pool)      # the residual pooled alike
        x = skip.squeeze(1) + y
        return x + self.mlp(self.norm2(x)), new_grid


@register_encoder("mvit")
class MViT(VideoEncoder):
    """Stages of (depth, dim, heads); each stage after the first starts by pooling the queries 1x2x2 and doubling
    channels; keys/values are pooled to keep attention cost flat."""
    default_input = (16, 224, 224)

    def __init__(self, *, stages: tuple[tuple[int, int, int], ...] = ((1, 96, 1), (2, 192, 2), (11, 384, 4),
                                                                        (2, 768, 8)),
                 patch: int = 4, tubelet: int = 2, kv_stride: tuple[int, int, int] = (1, 8, 8),
                 num_classes: int | None = None):
        super().__init__()
        self.embed = TubeletEmbed(stages[0][1], patch, tubelet)
        blocks, dim_in, kv = [], stages[0][1], kv_stride
        for i, (depth, dim, heads) in enumerate(stages):
            for j in range(depth):
                stride_q = (1, 2, 2) if (i > 0 and j == 0) else (1, 1, 1)
                if i > 0 and j == 0:
                    kv = (kv[0], max(1, kv[1] // 2), max(1, kv[2] // 2))
                blocks.append(MultiScaleBlock(dim_in, dim, heads, stride_q, kv))
                dim_in = dim
        self.blocks = nn.ModuleList(blocks)
        self.dim = dim_in
        self.norm = nn.LayerNorm(dim_in)
        self.head = nn.Linear(dim_in, num_classes) if num_classes else None

    def forward(self, video):
        x, grid = self.embed(video)                                                 # (B, N, D)
        x = x + _sincos(grid, x.shape[-1], x.device, x.dtype)
        for blk in self.blocks:
            x, grid = blk(x, grid)
        x = self.norm(x)
        return EncoderOutput(x, grid, self.head(x.mean(1)) if self.head else None)


def _sincos(grid, dim: int, device, dtype) -> torch.Tensor:
    """Fixed sine-cosine positions for any grid (1, t*h*w, dim): works for every input size."""
    t, h, w = grid
    pos = torch.stack(torch.meshgrid(torch.arange(t), torch.arange(h), torch.arange(w), indexing="ij"), -1)
    pos = pos.reshape(-1, 3).to(device=device, dtype=torch.float32)
    n = dim // 6 * 2 or 2
    freqs = 1.0 / (10000 ** (torch.arange(0, n, 2, device=device, dtype=torch.float32) / n))
    ang = pos[:, :, None] * freqs                                                   # (N, 3, n/2)
    emb = torch.cat([ang.sin(), ang.cos()], -1).flatten(1)                          # (N, 3n)
    return F.pad(emb, (0, dim - emb.shape[1]))[None].to(dtype)
