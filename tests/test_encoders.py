"""Every registered encoder at a tiny shape: the shape contract, the grid it announces, and its logits; plus the
inflation property, optical flow, pooling and the encoders' special parts (masking, fusion, recurrence)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vlm.encoders import build_encoder, list_encoders

K = 5
TINY = {  # name: (kwargs, (T, H, W))
    "single-frame": ({"widths": (4, 8)}, (4, 32, 32)),
    "late-fusion": ({"widths": (4, 8)}, (4, 32, 32)),
    "early-fusion": ({"widths": (4, 8), "num_frames": 4}, (4, 32, 32)),
    "3d-cnn": ({"widths": (4, 8)}, (8, 32, 32)),
    "c3d": ({"widths": (4, 4, 8, 8, 8, 8, 8, 8), "fc": 16, "num_frames": 16, "image_size": 32}, (16, 32, 32)),
    "r3d": ({"widths": (4, 8, 8, 16), "depths": (1, 1, 1, 1)}, (8, 32, 32)),
    "r2plus1d": ({"widths": (4, 8, 8, 16), "depths": (1, 1, 1, 1)}, (8, 32, 32)),
    "i3d": ({"image_size": 32}, (4, 32, 32)),
    "two-stream": ({"widths": (4, 8), "num_frames": 4}, (4, 32, 32)),
    "cnn-lstm": ({"widths": (4, 8), "hidden": 8}, (4, 32, 32)),
    "recurrent-conv": ({"widths": (4, 8), "hidden": (8, 8)}, (4, 32, 32)),
    "nonlocal": ({"widths": (4, 8, 8)}, (8, 32, 32)),
    "vit-joint": ({"dim": 16, "depth": 1, "heads": 2, "patch": 8, "tubelet": 2, "num_frames": 4, "image_size": 32},
                  (4, 32, 32)),
    "vit-divided": ({"dim": 16, "depth": 1, "heads": 2, "patch": 8, "tubelet": 2, "num_frames": 4,
                     "image_size": 32}, (4, 32, 32)),
    "vit-factorized": ({"dim": 16, "depth": 1, "temporal_depth": 1, "heads": 2, "patch": 8, "tubelet": 2,
                        "num_frames": 4, "image_size": 32}, (4, 32, 32)),
    "mvit": ({"stages": ((1, 8, 1), (1, 16, 2)), "patch": 4, "kv_stride": (1, 2, 2)}, (4, 32, 32)),
    "videomae": ({"dim": 16, "depth": 1, "heads": 2, "patch": 8, "tubelet": 2, "num_frames": 4, "image_size": 32,
                  "decoder_dim": 8, "decoder_depth": 1}, (4, 32, 32)),
    "x3d": ({"widths": (4, 8, 8, 16), "depths": (1, 1, 1, 1), "conv5": 16}, (4, 32, 32)),
}
LECTURE = [n for n in list_encoders() if n not in ("efficientnet-lite0", "hf-vision")]


def test_every_lecture_architecture_is_registered():
    assert sorted(TINY) == sorted(LECTURE)


@pytest.mark.parametrize("name", sorted(TINY))
def test_shape_contract(name):
    kwargs, (T, H, W) = TINY[name]
    enc = build_encoder(name, num_classes=K, **kwargs).eval()
    video = torch.randn(2, T, 3, H, W)
    with torch.no_grad():
        out = enc(video)
    B, N, D = out.tokens.shape
    t, h, w = out.grid
    assert B == 2 and N == t * h * w and D == enc.dim
    assert out.logits.shape == (2, K) and torch.isfinite(out.logits).all()
    built = {k: v for k, v in kwargs.items() if k not in ("num_frames", "image_size")}
    assert enc.output_grid(num_frames=T, image_size=H, **built) == out.grid  # announced without running weights
    assert not torch.allclose(out.logits[0], out.logits[1])  # the two clips are told apart


def test_inflated_pretrained_efficientnet_keeps_imagenet_logits_on_a_still_clip():
    """The lecture's property: a clip of one repeated image gives the 2D network's ImageNet predictions."""
    from vlm.encoders.inflate import inflate
    from vlm.weights import load_efficientnet_lite0

    net2d = load_efficientnet_lite0(image_size=64)
    img = torch.rand(1, 3, 64, 64) * 2 - 1
    for style in ("3x3x3", "3x1x1"):
        net3d = inflate(net2d, time_kernel=3, style=style).eval()
        with torch.no_grad():
            a = net2d(img)
            fmap = net3d.extract_features(img[:, :, None].repeat(1, 1, 5, 1, 1))   # (1, 1280, 5, h, w)
            b = net3d._fc(fmap.mean((2, 3, 4)))
        assert torch.allclose(a, b, atol=1e-4), (style, (a - b).abs().max())
    moving = torch.rand(1, 3, 5, 64, 64)
    with torch.no_grad():  # and the 3D network is really 3D: frames now mix
        per_frame = torch.stack([net2d.extract_features(moving[:, :, i]) for i in range(5)], 2)
        assert not torch.allclose(net3d.extract_features(moving), per_frame, atol=1e-3)


def test_inflation_rejects_what_it_cannot_inflate():
    from torch import nn

    from vlm.encoders.inflate import inflate, inflate_conv_weight

    with pytest.raises(ValueError, match="2D conv weight"):
        inflate_conv_weight(torch.zeros(4, 3, 3), 3)
    with pytest.raises(ValueError, match="cannot inflate Upsample2dLike"):
        inflate(nn.Sequential(type("Upsample2dLike", (nn.Module,), {})()))
    w = torch.randn(8, 3, 3, 3)
    assert torch.allclose(inflate_conv_weight(w, 3).sum(2), w)  # copied t times, divided by t


def test_two_stream_sees_motion_the_rgb_stream_cannot():
    from vlm.data.synthetic import Scene, Shape, render_frames
    from vlm.flow import flow_stack, flow_to_rgb

    frames = np.stack(list(render_frames(Scene(shapes=(Shape("square", "red", 0.3, 0.5, "right", 0.5),),
                                                width=64, height=64, num_frames=4))))
    stack = flow_stack(frames)
    assert stack.shape == (6, 64, 64)
    assert stack[0][np.abs(stack[0]) > 0.5].mean() > 0  # the x-flow of the moving square points right
    assert flow_to_rgb(stack[:2]).shape == (64, 64, 3)
    with pytest.raises(ValueError, match="at least 2 frames"):
        flow_stack(frames[:1])


def test_videomae_masks_tubes_and_learns_to_reconstruct():
    from vlm.encoders.vit import tube_mask

    m = tube_mask(2, 3, 10, 0.9, torch.Generator().manual_seed(0))
    assert m.shape == (2, 30) and m.view(2, 3, 10).float().mean().item() == pytest.approx(0.9)
    assert (m.view(2, 3, 10) == m.view(2, 3, 10)[:, :1]).all()  # the same places hidden in every frame
    kwargs, (T, H, W) = TINY["videomae"]
    torch.manual_seed(0)
    mae = build_encoder("videomae", **kwargs)
    video = torch.randn(2, T, 3, H, W)
    opt = torch.optim.Adam(mae.parameters(), 3e-3)
    losses = []
    for step in range(30):
        loss = mae.pretrain_loss(video, torch.Generator().manual_seed(step))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.8 * np.mean(losses[:5])


def test_recurrent_conv_state_carries_earlier_frames():
    kwargs, (T, H, W) = TINY["recurrent-conv"]
    enc = build_encoder("recurrent-conv", num_classes=K, **kwargs).eval()
    a = torch.randn(1, T, 3, H, W)
    b = a.clone()
    b[:, 0] = torch.randn(3, H, W)  # only the first frame differs
    with torch.no_grad():
        assert not torch.allclose(enc(a).logits, enc(b).logits)  # the last state still remembers it


def test_nonlocal_block_starts_as_identity():
    from vlm.encoders.nonlocal_net import NonLocalBlock

    x = torch.randn(1, 8, 2, 4, 4)
    assert torch.allclose(NonLocalBlock(8).eval()(x), x)


def test_late_fusion_concat_variant_and_frame_count_errors():
    enc = build_encoder("late-fusion", fusion="concat", num_frames=4, widths=(4, 8), num_classes=K)
    assert enc(torch.randn(1, 4, 3, 32, 32)).logits.shape == (1, K)
    with pytest.raises(ValueError, match="built for 4 frames, got 6"):
        enc(torch.randn(1, 6, 3, 32, 32))
    with pytest.raises(ValueError, match="Unknown late-fusion variant"):
        build_encoder("late-fusion", fusion="max")


def test_pooling_modes_and_tome():
    from vlm.pooling import PoolingConfig, TokenPooler, bipartite_merge

    tokens = torch.randn(2, 4 * 7 * 7, 16)
    for mode in ("avg", "max", "tome"):
        cfg = PoolingConfig(spatial=2, temporal=2, mode=mode)
        out, grid = TokenPooler(cfg)(tokens, (4, 7, 7))
        assert grid == cfg.output_grid((4, 7, 7)) == (2, 2, 2) and out.shape == (2, 8, 16)
    # ToMe merges the most similar tokens first: duplicated tokens collapse into one, distinct ones survive
    base = torch.eye(4).unsqueeze(0)                                    # 4 orthogonal tokens
    x = torch.cat([base, base], 1)[:, [0, 4, 1, 5, 2, 6, 3, 7]]          # each token next to its duplicate
    merged, size = bipartite_merge(x, torch.ones(1, 8, 1), 4)
    assert merged.shape == (1, 4, 4) and torch.allclose(size, torch.full((1, 4, 1), 2.0))
    assert torch.allclose(merged[0].abs().sum(0), torch.ones(4))         # all four directions kept, none mixed
    with pytest.raises(ValueError, match="Unknown pooling mode"):
        PoolingConfig(mode="median")


def test_traced_batchnorm_folding_keeps_outputs_and_refuses_a_shared_conv():
    import copy

    from vlm.encoders import build_encoder
    from vlm.encoders.fast import fold_traced_batchnorms

    enc = build_encoder("efficientnet-lite0", image_size=64).eval()
    for bn in (m for m in enc.modules() if isinstance(m, torch.nn.BatchNorm2d)):   # non-trivial statistics
        bn.running_mean.uniform_(-0.5, 0.5), bn.running_var.uniform_(0.5, 2.0)
    x = torch.randn(1, 2, 3, 64, 64)
    with torch.no_grad():
        ref = enc(x).tokens
        folded = copy.deepcopy(enc)
        assert fold_traced_batchnorms(folded, x) == 49                    # EfficientNet's _bnN, found by tracing
        assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
        assert (folded(x).tokens - ref).abs().max() < 1e-3 * ref.abs().max()
        from vlm.encoders.fast import merge_symmetric_padding

        assert merge_symmetric_padding(folded) > 0                         # stride-1 "same" pads move into the conv
        assert (folded(x).tokens - ref).abs().max() < 1e-3 * ref.abs().max()

    class Shared(torch.nn.Module):  # the conv's output feeds the BatchNorm and a skip path: folding would change it
        def __init__(self):
            super().__init__()
            self.conv, self.bn = torch.nn.Conv2d(3, 3, 1), torch.nn.BatchNorm2d(3).eval()
            self.bn.running_mean.fill_(1.0)

        def forward(self, x):
            y = self.conv(x)
            return self.bn(y) + y

    net, x = Shared(), torch.randn(1, 3, 4, 4)
    with torch.no_grad():
        ref = net(x)
        assert fold_traced_batchnorms(net, x) == 0 and isinstance(net.bn, torch.nn.BatchNorm2d)
        assert torch.equal(net(x), ref)
