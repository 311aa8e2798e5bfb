"""Video vision transformers on tubelet tokens (t x p x p patches of the clip).

    vit-joint       one transformer over all space-time tokens (joint space-time attention)
    vit-divided     TimeSformer: each block attends over time (same place), then over space (same frame)
    vit-factorized  ViViT's factorised encoder: a spatial transformer per frame, then a temporal one over frames
    videomae        the joint ViT pre-trained by tube masking (e.g. 90% of the tubes hidden) and pixel reconstruction
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)

    def forward(self, x):                                                           # x (B, N, D)
        B, N, D = x.shape
        q, k, v = self.qkv(x).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)  # (B, nh, N, hs)
        y = F.scaled_dot_product_attention(q, k, v)                                 # (B, nh, N, hs)
        return self.proj(y.transpose(1, 2).reshape(B, N, D))


class Mlp(nn.Sequential):
    def __init__(self, dim: int, ratio: float = 4.0, out: int | None = None):
        super().__init__(nn.Linear(dim, int(dim * ratio)), nn.GELU(), nn.Linear(int(dim * ratio), out or dim))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm2, self.mlp = nn.LayerNorm(dim), Mlp(dim, mlp_ratio)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class DividedBlock(nn.Module):
    """Temporal attention (each place across frames), then spatial attention (each frame), then the MLP."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm_t, self.attn_t = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm_s, self.attn_s = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm2, self.mlp = nn.LayerNorm(dim), Mlp(dim, mlp_ratio)

    def forward(self, x, grid):                                                     # x (B, t*s, D)
        B, N, D = x.shape
        t, s = grid[0], grid[1] * grid[2]
        xt = x.reshape(B, t, s, D).transpose(1, 2).reshape(B * s, t, D)                # (B*s, t, D)
        x = x + self.attn_t(self.norm_t(xt)).view(B, s, t, D).transpose(1, 2).reshape(B, N, D)
        xs = x.reshape(B * t, s, D)                                                    # (B*t, s, D)
        x = x + self.attn_s(self.norm_s(xs)).view(B, N, D)
        return x + self.mlp(self.norm2(x))


class TubeletEmbed(nn.Module):
    def __init__(self, dim: int, patch: int, tubelet: int):
        super().__init__()
        self.proj = nn.Conv3d(3, dim, (tubelet, patch, patch), (tubelet, patch, patch))

    def forward(self, video):                                                       # (B, T, C, H, W)
        x = self.proj(video.transpose(1, 2))                                        # (B, D, t, h, w)
        return x.flatten(2).transpose(1, 2), tuple(x.shape[2:])                     # (B, t*h*w, D), (t, h, w)


class _VideoViT(VideoEncoder):
    default_input = (16, 224, 224)

    def __init__(self, *, dim: int = 192, depth: int = 12, heads: int = 3, patch: int = 16, tubelet: int = 2,
                 num_frames: int = 16, image_size: int = 224, num_classes: int | None = None):
        super().__init__()
        if image_size % patch or num_frames % tubelet:
            raise ValueError(f"input {num_frames}x{image_size}x{image_size} is not divisible into "
                             f"{tubelet}x{patch}x{patch} tubelets")
        self.embed = TubeletEmbed(dim, patch, tubelet)
        self.t, self.s = num_frames // tubelet, (image_size // patch) ** 2
        self.pos_space = nn.Parameter(torch.randn(1, 1, self.s, dim) * 0.02)
        self.pos_time = nn.Parameter(torch.randn(1, self.t, 1, dim) * 0.02)
        self.dim, self.depth, self.heads = dim, depth, heads
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes) if num_classes else None

    def tokens(self, video) -> tuple[torch.Tensor, tuple[int, int, int]]:
        x, grid = self.embed(video)                                                 # (B, N, D)
        if grid[0] != self.t or grid[1] * grid[2] != self.s:
            raise ValueError(f"this ViT was built for a {self.t}x{self.s} token grid, the clip gives {grid}")
        pos = (self.pos_time + self.pos_space).reshape(1, self.t * self.s, self.dim)
        return x + pos, grid

    def _out(self, x, grid):
        x = self.norm(x)
        return EncoderOutput(x, grid, self.head(x.mean(1)) if self.head else None)


@register_encoder("vit-joint")
class JointViT(_VideoViT):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.blocks = nn.ModuleList(Block(self.dim, self.heads) for _ in range(self.depth))

    def forward(self, video):
        x, grid = self.tokens(video)
        for blk in self.blocks:
            x = blk(x)
        return self._out(x, grid)


@register_encoder("vit-divided")
class DividedViT(_VideoViT):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.blocks = nn.ModuleList(DividedBlock(self.dim, self.heads) for _ in range(self.depth))

    def forward(self, video):
        x, grid = self.tokens(video)
        for blk in self.blocks:
            x = blk(x, grid)
        return self._out(x, grid)


@register_encoder("vit-factorized")
class FactorizedViT(_VideoViT):
    """depth spatial blocks per frame, then temporal_depth blocks over the frames' mean tokens."""

    def __init__(self, *, temporal_depth: int = 4, **kw):
        super().__init__(**kw)
        self.spatial = nn.ModuleList(Block(self.dim, self.heads) for _ in range(self.depth))
        self.temporal = nn.ModuleList(Block(self.dim, self.heads) for _ in range(temporal_depth))

    def forward(self, video):
        x, grid = self.tokens(video)
        B, D = x.shape[0], self.dim
        x = x.reshape(B * self.t, self.s, D)                                           # (B*t, s, D): frames apart
        for blk in self.spatial:
            x = blk(x)
        x = x.mean(1).view(B, self.t, D)                                            # (B, t, D): one per frame
        for blk in self.temporal:
            x = blk(x)
        return self._out(x, (self.t, 1, 1))


def tube_mask(batch: int, t: int, s: int, ratio: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """(B, t*s) bool, True = hidden; the same spatial positions hidden in every frame (tubes), as VideoMAE does,
    so the model cannot copy a patch from the next frame."""
    keep = max(1, round(s * (1 - ratio)))
    noise = torch.rand(batch, s, generator=generator)
    hidden = torch.ones(batch, s, dtype=torch.bool)
    hidden.scatter_(1, noise.argsort(1)[:, :keep], False)
    return hidden.unsqueeze(1).expand(batch, t, s).reshape(batch, t * s)


@register_encoder("videomae")
class VideoMAE(JointViT):
    """The joint ViT as the encoder; pretrain_loss hides mask_ratio of the tubes, encodes the visible ones only,
    and a small decoder predicts the hidden tubelets' (per-patch normalised) pixels."""

    def __init__(self, *, decoder_dim: int = 96, decoder_depth: int = 2, mask_ratio: float = 0.9, **kw):
        super().__init__(**kw)
        patch, tubelet = self.embed.proj.kernel_size[1], self.embed.proj.kernel_size[0]
        self.mask_ratio = mask_ratio
        self.enc_to_dec = nn.Linear(self.dim, decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dim))
        self.dec_pos = nn.Parameter(torch.randn(1, self.t * self.s, decoder_dim) * 0.02)
        self.decoder = nn.ModuleList(Block(decoder_dim, max(1, decoder_dim // 32)) for _ in range(decoder_depth))
        self.dec_norm = nn.LayerNorm(decoder_dim)
        self.to_pixels = nn.Linear(decoder_dim, 3 * tubelet * patch * patch)

    def patchify(self, video):                                                      # (B, T, C, H, W)
        B, T, C, H, W = video.shape
        tt, p = self.embed.proj.kernel_size[0], self.embed.proj.kernel_size[1]
        x = video.view(B, T // tt, tt, C, H // p, p, W // p, p)
        return x.permute(0, 1, 4, 6, 2, 5, 7, 3).reshape(B, (T // tt) * (H // p) * (W // p), tt * p * p * C)

    def pretrain_loss(self, video, generator: torch.Generator | None = None) -> torch.Tensor:
        x, grid = self.tokens(video)                                                # (B, N, D)
        B, N, D = x.shape
        hidden = tube_mask(B, self.t, self.s, self.mask_ratio, generator)           # (B, N)
        visible = x[~hidden].view(B, -1, D)                                         # (B, N_vis, D)
        for blk in self.blocks:
            visible = blk(visible)
        dec_in = self.mask_token.expand(B, N, -1).clone()
        dec_in[~hidden] = self.enc_to_dec(self.norm(visible)).reshape(-1, dec_in.shape[-1])
        y = dec_in + self.dec_pos
        for blk in self.decoder:
            y = blk(y)
        pred = self.to_pixels(self.dec_norm(y))                                     # (B, N, 3*tt*p*p)
        target = self.patchify(video)
        target = (target - target.mean(-1, keepdim=True)) / (target.var(-1, keepdim=True) + 1e-6).sqrt()
        return ((pred - target) ** 2).mean(-1)[hidden].mean()
