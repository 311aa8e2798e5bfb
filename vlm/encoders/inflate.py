"""Inflating a 2D network into 3D (I3D, Carreira and Zisserman 2017), as a pure function.

Every Conv2d becomes a Conv3d whose kernel is the 2D kernel repeated t times along time and divided by t, so a
clip of one repeated image gives exactly the 2D network's output; BatchNorm2d becomes BatchNorm3d with the same
statistics; 2D pools become 3D pools of time extent 1. EfficientNet's static "same" padding is kept (as an
explicit pad) and time is padded by replicating the edge frames, which keeps the constant-clip property at the
clip's ends. Styles: "3x3x3" gives time extent t to every conv with a spatial kernel, "3x1x1" to the 1x1 convs.
Any other 2D layer raises: a silent half-inflation is worse than none.
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

STYLES = ("3x3x3", "3x1x1")


def inflate_conv_weight(w2d: torch.Tensor, t: int) -> torch.Tensor:
    """(O, I, kh, kw) -> (O, I, t, kh, kw), repeated along time and divided by t."""
    if w2d.ndim != 4:
        raise ValueError(f"expected a 2D conv weight (O, I, kh, kw), got shape {tuple(w2d.shape)}")
    if t < 1:
        raise ValueError(f"time kernel must be >= 1, got {t}")
    return w2d.unsqueeze(2).repeat(1, 1, t, 1, 1) / t


class InflatedConv3d(nn.Module):
    """A Conv3d with explicit spatial padding (symmetric or TF 'same') and replicate padding along time."""

    def __init__(self, conv: nn.Conv2d, t: int, spatial_pad: tuple[int, int, int, int]):
        super().__init__()
        kh, kw = conv.kernel_size
        self.conv = nn.Conv3d(conv.in_channels, conv.out_channels, (t, kh, kw), (1, *conv.stride), 0,
                              (1, *conv.dilation), conv.groups, conv.bias is not None)
        with torch.no_grad():
            w = inflate_conv_weight(conv.weight, t)
            if w.shape != self.conv.weight.shape:
                raise ValueError(f"inflated weight {tuple(w.shape)} does not fit Conv3d {tuple(self.conv.weight.shape)}")
            self.conv.weight.copy_(w)
            if conv.bias is not None:
                self.conv.bias.copy_(conv.bias)
        self.spatial_pad, self.time_pad = spatial_pad, ((t - 1) // 2, t - 1 - (t - 1) // 2)

    def forward(self, x):                                                           # x (B, C, T, H, W)
        if any(self.spatial_pad):
            x = F.pad(x, (*self.spatial_pad, 0, 0))
        if any(self.time_pad):
            x = F.pad(x, (0, 0, 0, 0, *self.time_pad), mode="replicate")
        return self.conv(x)


def _spatial_pad(conv: nn.Conv2d) -> tuple[int, int, int, int]:
    """(left, right, top, bottom) padding the 2D conv applies, static-'same' modules included."""
    static = getattr(conv, "static_padding", None)
    if isinstance(static, nn.ZeroPad2d):
        return tuple(static.padding)
    if isinstance(conv.padding, str):
        raise ValueError(f"cannot inflate a conv with padding={conv.padding!r}; use explicit padding")
    ph, pw = conv.padding
    return pw, pw, ph, ph


def _inflate_module(m: nn.Module, t: int, style: str) -> nn.Module:
    if isinstance(m, nn.Conv2d):
        spatial = m.kernel_size != (1, 1)
        tk = t if (style == "3x3x3" and spatial) or (style == "3x1x1" and not spatial) else 1
        return InflatedConv3d(m, tk, _spatial_pad(m))
    if isinstance(m, nn.BatchNorm2d):
        bn = nn.BatchNorm3d(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats)
        bn.load_state_dict(m.state_dict())
        return bn
    if isinstance(m, nn.MaxPool2d):
        k, s, p = (x if isinstance(x, tuple) else (x, x) for x in (m.kernel_size, m.stride, m.padding))
        return nn.MaxPool3d((1, *k), (1, *s), (0, *p), ceil_mode=m.ceil_mode)
    if isinstance(m, nn.AvgPool2d):
        k, s, p = (x if isinstance(x, tuple) else (x, x) for x in (m.kernel_size, m.stride, m.padding))
        return nn.AvgPool3d((1, *k), (1, *s), (0, *p), ceil_mode=m.ceil_mode)
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return nn.AdaptiveAvgPool3d((1, *(m.output_size if isinstance(m.output_size, tuple) else (m.output_size,) * 2)))
    if isinstance(m, nn.ZeroPad2d):
        return nn.Identity()  # only as a conv's static padding, which InflatedConv3d applies itself
    if "2d" in type(m).__name__.lower():
        raise ValueError(f"cannot inflate {type(m).__name__}: no 3D counterpart is known")
    return m


def inflate(model: nn.Module, *, time_kernel: int = 3, style: str = "3x3x3") -> nn.Module:
    """A 3D copy of a 2D network (the input is untouched). Convs, BatchNorms and pools are replaced in place of
    their 2D originals, so the model's own forward runs on (B, C, T, H, W) tensors."""
    if style not in STYLES:
        raise ValueError(f"Unknown inflation style {style!r}; available: {list(STYLES)}")
    out = copy.deepcopy(model)
    new = _inflate_module(out, time_kernel, style)
    return new if new is not out else _inflate_children(out, time_kernel, style)


def _inflate_children(m: nn.Module, t: int, style: str) -> nn.Module:
    for name, child in list(m.named_children()):
        new = _inflate_module(child, t, style)
        setattr(m, name, _inflate_children(new, t, style) if new is child else new)
    return m
