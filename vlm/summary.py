"""Layer tables for video networks: output size C x T x H x W, receptive field T x H x W, parameters and
multiply-adds (the lecture's "FLOPs") per layer, with totals.

Rows come from forward hooks on the conv, pool, linear, recurrent and attention layers in the order they run.
The receptive field follows the usual recursion along that order (r += (k - 1) * dilation * jump; jump *= stride),
per axis: 2D layers run on frames (time extent 1) unless a conv sees stacked frames (early fusion), and global
pooling reaches the whole input. For branching networks (ResNets) it follows the main path.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from vlm.encoders.inflate import InflatedConv3d
from vlm.encoders.mvit import PoolingAttention
from vlm.encoders.nonlocal_net import NonLocalBlock
from vlm.encoders.recurrent import ConvGRUCell
from vlm.encoders.vit import Attention

POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.MaxPool3d, nn.AvgPool3d)
ROW_TYPES = (nn.Conv2d, nn.Conv3d, nn.Linear, nn.LSTM, ConvGRUCell, Attention, NonLocalBlock, PoolingAttention,
             nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d) + POOLS


@dataclass
class Row:
    name: str
    kind: str
    size: str
    rf: tuple[int, int, int] | None
    params: int
    macs: int


def _triple(v, dims: int) -> tuple[int, int, int]:
    v = tuple(v) if isinstance(v, (tuple, list)) else (v,) * dims
    return (1, *v) if dims == 2 else v


def _size(out: torch.Tensor, batch: int, frames: int) -> str:
    s = list(out.shape)
    if out.ndim == 5:
        return " x ".join(map(str, s[1:]))
    if out.ndim == 4:  # frames folded into the batch (per-frame 2D layers) or a fused 2D map
        return " x ".join(map(str, [s[1], s[0] // batch, *s[2:]] if s[0] == batch * frames and frames > 1
                               else s[1:]))
    return " x ".join(map(str, s[1:]))


def summarize(model: nn.Module, input_shape: tuple[int, int, int, int]) -> tuple[list[Row], dict]:
    """input_shape (C, T, H, W). Returns the rows and totals (params, macs, conv_macs)."""
    C, T, H, W = input_shape
    rows: list[Row] = []
    rf, jump = [1, 1, 1], [1, 1, 1]
    full = (T, H, W)
    hooks = []

    def hook(name):
        def fn(m, inp, out):
            out_t = out[0] if isinstance(out, tuple) else out
            x = inp[0]
            params = sum(p.numel() for p in m.parameters(recurse=not isinstance(m, (nn.Conv2d, nn.Conv3d,
                                                                                     nn.Linear))))
            macs, kind = 0, type(m).__name__
            if isinstance(m, (nn.Conv2d, nn.Conv3d)):
                k = m.weight.shape[2:]
                macs = out_t.numel() // 1 * (m.in_channels // m.groups) * int(torch.tensor(k).prod())
                dims = 2 if isinstance(m, nn.Conv2d) else 3
                kk, ss, dd = _triple(m.kernel_size, dims), _triple(m.stride, dims), _triple(m.dilation, dims)
                for a in range(3):
                    rf[a] += (kk[a] - 1) * dd[a] * jump[a]
                    jump[a] *= ss[a]
                if getattr(m, "rf_time", 1) > 1:
                    rf[0] = max(rf[0], m.rf_time)
            elif isinstance(m, POOLS):
                dims = 2 if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) else 3
                kk, ss = _triple(m.kernel_size, dims), _triple(m.stride or m.kernel_size, dims)
                for a in range(3):
                    rf[a] += (kk[a] - 1) * jump[a]
                    jump[a] *= ss[a]
            elif isinstance(m, (nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)):
                rf[:] = full
            elif isinstance(m, nn.Linear):
                macs = out_t.numel() * m.in_features
                if x.ndim == 2 and tuple(rf) != full:  # features were pooled (or flattened) to a vector
                    rows.append(Row("(global pooling / flatten)", "in forward", str(x.shape[1]), full, 0, 0))
                    rf[:] = full
            elif isinstance(m, Attention):
                B, N, D = x.shape
                macs = 2 * B * N * N * D                                             # QK^T and AV
            elif isinstance(m, NonLocalBlock):
                B, Cn, t, h, w = x.shape
                macs = 2 * B * (t * h * w) ** 2 * (m.theta.out_channels)
            rows.append(Row(name, kind, _size(out_t, 1, T), tuple(rf) if not isinstance(m, (
                Attention, PoolingAttention, nn.LSTM)) else None, params, macs))
        return fn

    for name, m in model.named_modules():
        if isinstance(m, ROW_TYPES) and not _inside_row_type(model, name):
            hooks.append(m.register_forward_hook(hook(name)))
    try:
        with torch.no_grad():
            model.eval()(torch.zeros(1, T, C, H, W))
    finally:
        for h in hooks:
            h.remove()
    totals = {"params": sum(p.numel() for p in model.parameters()), "macs": sum(r.macs for r in rows),
              "conv_macs": sum(r.macs for r in rows if r.kind.startswith("Conv"))}
    return rows, totals


def _inside_row_type(model: nn.Module, name: str) -> bool:
    """Leaves inside attention / recurrent cells are counted by their parent row."""
    parts = name.split(".")
    for i in range(1, len(parts)):
        parent = model.get_submodule(".".join(parts[:i]))
        if isinstance(parent, (Attention, NonLocalBlock, PoolingAttention, ConvGRUCell, nn.LSTM)):
            return True
    return False


def format_table(title: str, rows: list[Row], totals: dict, input_shape, *, global_pool: bool = True,
                 footnotes: list[str] = ()) -> str:
    C, T, H, W = input_shape
    lines = [title, "", "| layer | type | output C x T x H x W | receptive field T x H x W | params | MACs (G) |",
             "|---|---|---|---|---|---|", f"| input | | {C} x {T} x {H} x {W} | | | |"]
    for r in rows:
        rf = " x ".join(map(str, r.rf)) if r.rf else "(all tokens)"
        lines.append(f"| {r.name} | {r.kind} | {r.size} | {rf} | {r.params:,} | {r.macs / 1e9:.2f} |")
    if global_pool and rows and rows[-1].rf != (T, H, W):
        lines.append(f"| (global pooling) | in forward | features | {T} x {H} x {W} | 0 | 0.00 |")
    lines += ["", f"Totals: {totals['params']:,} parameters; {totals['macs'] / 1e9:.2f} G multiply-adds "
                  f"({totals['conv_macs'] / 1e9:.2f} G in convolutions)."]
    lines += [f"\n[{i + 1}] {f}" for i, f in enumerate(footnotes)]
    return "\n".join(lines)


C3D_FOOTNOTE = ("FC rows are computed from the layer shapes (inputs x outputs): pool5 leaves 512 x 1 x 3 x 3 = "
                "4,608 features, so fc6 is 4608 x 4096 = 0.02 G and fc7 4096 x 4096 = 0.02 G multiply-adds; the "
                "lecture's table lists larger FC figures that do not follow from its own layer sizes.")


def summary_text(name: str, input_shape: tuple[int, int, int, int], **kwargs) -> str:
    """The table for a registered encoder at an input shape (C, T, H, W); classifier heads included."""
    from vlm.encoders import build_encoder

    C, T, H, W = input_shape
    extra = {"num_frames": T, "image_size": H}
    from vlm.encoders.registry import _accepted, encoder_class

    cls = encoder_class(name)
    model = build_encoder(name, **_accepted(cls, {**extra, "num_classes": 101, **kwargs}))
    rows, totals = summarize(model, input_shape)
    notes = [C3D_FOOTNOTE] if name == "c3d" else []
    return format_table(f"{name} on {C} x {T} x {H} x {W}", rows, totals, input_shape, footnotes=notes)
