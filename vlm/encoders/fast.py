"""The fast CPU inference path for encoders: BatchNorm folded into the convolution before it, bf16 weights and
activations where the CPU has native bf16 (AVX512-BF16 / AMX), the channels-last layouts oneDNN's convolutions
prefer, and inference mode. eval/bench_encoders.py measures every encoder both ways."""
from __future__ import annotations

import torch
from torch import nn


def has_conv3d(model: nn.Module) -> bool:
    return any(isinstance(m, nn.Conv3d) for m in model.modules())


def fold_bn(conv: nn.Module, bn: nn.Module) -> None:
    """Fold an eval-mode BatchNorm into the conv that feeds it: w' = w * g / s, b' = (b - mean) * g / s + beta."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps) if bn.affine else 1 / torch.sqrt(bn.running_var + bn.eps)
    shift = (bn.bias if bn.affine else 0) - bn.running_mean * scale
    with torch.no_grad():
        conv.weight.mul_(scale.view(-1, *[1] * (conv.weight.ndim - 1)))
        bias = conv.bias if conv.bias is not None else torch.zeros_like(bn.running_mean)
        conv.bias = nn.Parameter(bias * scale + shift)


def _last_conv(m: nn.Module):
    if isinstance(m, (nn.Conv2d, nn.Conv3d)) and m.padding_mode == "zeros":
        return m
    if isinstance(m, nn.Sequential) and len(m):
        return _last_conv(m[-1])
    return None


def fold_batchnorms(model: nn.Module) -> int:
    """Fold every BatchNorm that directly follows a conv — in a Sequential, or as the `bnX` partner of a `convX`
    attribute (the ResNet naming) — and replace it by Identity. Returns how many were folded."""
    folded = 0
    for parent in list(model.modules()):
        names = [n for n, _ in parent.named_children()]
        pairs = []
        if isinstance(parent, nn.Sequential):
            pairs = [(names[i - 1], n) for i, n in enumerate(names) if i > 0]
        else:
            pairs = [(n.replace("bn", "conv", 1), n) for n in names if n.startswith("bn")
                     and n.replace("bn", "conv", 1) in names]
        for conv_name, bn_name in pairs:
            bn = getattr(parent, bn_name)
            conv = _last_conv(getattr(parent, conv_name))
            if isinstance(bn, (nn.BatchNorm2d, nn.BatchNorm3d)) and conv is not None and \
                    conv.out_channels == bn.num_features and bn.track_running_stats:
                fold_bn(conv, bn)
                setattr(parent, bn_name, nn.Identity())
                folded += 1
    return folded


@torch.no_grad()
def fold_traced_batchnorms(model: nn.Module, example: torch.Tensor, *, rtol: float = 1e-3) -> int:
    """Fold the BatchNorms that consume a conv's output in a forward pass on `example`, whatever the modules are
    called (EfficientNet's `_bn1` follows `_depthwise_conv`). Folding changes the conv's output for every
    consumer, so the outputs on `example` are compared before and after; if they differ, everything is undone."""
    convs, pairs, hooks = {}, [], []

    def on_conv(mod, inp, out):
        convs[id(out)] = (mod, out)

    def on_bn(mod, inp, out):
        conv, seen = convs.get(id(inp[0]), (None, None))
        if seen is inp[0] and conv.out_channels == mod.num_features:
            pairs.append((conv, mod))

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv3d)) and m.padding_mode == "zeros":
            hooks.append(m.register_forward_hook(on_conv))
        elif isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)) and m.track_running_stats:
            hooks.append(m.register_forward_hook(on_bn))
    try:
        reference = _first_tensor(model.eval()(example))
    finally:
        for h in hooks:
            h.remove()
    parents = {id(child): (parent, name) for parent in model.modules() for name, child in parent.named_children()}
    undo = []
    for conv, bn in pairs:
        undo.append((conv, conv.weight.detach().clone(), conv.bias, *parents[id(bn)], bn))
        fold_bn(conv, bn)
        setattr(*parents[id(bn)], nn.Identity())
    out = _first_tensor(model(example))
    if pairs and not torch.allclose(out, reference, rtol=rtol, atol=rtol * reference.abs().max().item()):
        for conv, weight, bias, parent, name, bn in undo:
            conv.weight.copy_(weight)
            conv.bias = bias
            setattr(parent, name, bn)
        return 0
    return len(pairs)


def merge_symmetric_padding(model: nn.Module) -> int:
    """TF-style "same" convs (EfficientNet's Conv2dStaticSamePadding) pad with a ZeroPad2d before an unpadded
    conv: where the padding is symmetric, the conv pads itself instead (one memory pass fewer per layer)."""
    merged = 0
    for m in model.modules():
        pad = getattr(m, "static_padding", None)
        if isinstance(m, nn.Conv2d) and isinstance(pad, nn.ZeroPad2d) and tuple(m.padding) == (0, 0):
            left, right, top, bottom = pad.padding
            if left == right and top == bottom:
                m.padding, m.static_padding = (top, left), nn.Identity()
                merged += 1
    return merged


def _first_tensor(out) -> torch.Tensor:
    """An encoder's tokens (EncoderOutput), a module's tensor, or the first of a tuple."""
    if isinstance(out, torch.Tensor):
        return out
    return out.tokens if hasattr(out, "tokens") else out[0]


def fast_inference(model: nn.Module, dtype: torch.dtype | None = None, *,
                   example: torch.Tensor | None = None) -> nn.Module:
    """Fold BatchNorms (those traced on `example`, by default the encoder's standard input, then
    those found by name), cast and re-layout the model in place for inference; returns it."""
    from vlm.weights import default_dtype

    dtype = dtype or default_dtype()
    model.eval()
    if example is None and hasattr(model, "default_input"):
        t, h, w = model.default_input
        side = getattr(model, "image_size", None)
        example = torch.randn(1, t, 3, side or h, side or w, generator=torch.Generator().manual_seed(0))
    if example is not None:
        try:
            fold_traced_batchnorms(model, example)
        except (RuntimeError, ValueError):  # the example does not fit this model: fold by name only
            pass
    fold_batchnorms(model)
    merge_symmetric_padding(model)
    layout = torch.channels_last_3d if has_conv3d(model) else torch.channels_last
    model.eval().to(dtype=dtype)
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv3d)):
            fmt = torch.channels_last_3d if isinstance(m, nn.Conv3d) else torch.channels_last
            m.weight.data = m.weight.data.contiguous(memory_format=fmt)
    model._fast_layout = layout
    return model


@torch.inference_mode()
def run_fast(model: nn.Module, video: torch.Tensor):
    """Forward a (B, T, C, H, W) clip through a model prepared by fast_inference."""
    dtype = next(model.parameters()).dtype
    return model(video.to(dtype))
