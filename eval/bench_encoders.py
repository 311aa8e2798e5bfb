"""Every registered encoder at its standard input, measured side by side in one run.

    python -m eval.bench_encoders [--out eval/results] [--only c3d r3d] [--seconds 4]

Per encoder: parameters and multiply-adds (vlm.summary), CPU throughput (clips/s, batch 1) in plain fp32
(contiguous, no_grad) and on the fast path (vlm.encoders.fast: bf16 + channels-last, inference mode), the
speed-up and the fast logits' relative error, and achieved GFLOP/s (2 x MACs x clips/s) against this machine's
limits measured in the same run: fp32 and bf16 GEMM through oneDNN (a large channels-last 1x1 convolution), and
fp32 / bf16 torch.mm. The bf16 limit is the faster of the two bf16 measurements (oneDNN's convolution kernels can
beat its plain GEMM). Writes encoders_bench.json and encoders_bench.md.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import torch

REASONS = {
    "two-stream": "OpenCV optical flow on the CPU dominates (not counted in multiply-adds)",
    "cnn-lstm": "tiny convs and a sequential LSTM: per-op overhead, not arithmetic",
    "recurrent-conv": "a ConvGRU steps through time sequentially on small maps: overhead-bound",
    "single-frame": "the lecture's tiny 2D CNN: too little work per op to fill the cores",
    "late-fusion": "the lecture's tiny 2D CNN: too little work per op to fill the cores",
    "early-fusion": "the lecture's tiny 2D CNN: too little work per op to fill the cores",
    "3d-cnn": "the lecture's tiny 3D CNN (12/24 channels): memory-bound, too little work per byte",
    "x3d": "depthwise 3x3x3 convs and squeeze-excitation are memory-bound by design",
    "i3d": "EfficientNet's depthwise convs are memory-bound",
    "efficientnet-lite0": "EfficientNet's depthwise convs are memory-bound",
    "mvit": "pooling attention: max-pools, reshapes and softmax between small matmuls",
    "nonlocal": "large softmax attention maps over all space-time positions are memory-bound",
}
SKIP = ("hf-vision",)  # needs a checkpoint; measured wherever one is given


def limits(seconds: float = 2.0) -> dict:
    def rate(fn, flops):
        fn()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            fn()
            n += 1
        return flops * n / (time.perf_counter() - t0) / 1e9

    x = torch.randn(8, 1024, 32, 32).contiguous(memory_format=torch.channels_last)
    conv = torch.nn.Conv2d(1024, 1024, 1, bias=False).to(memory_format=torch.channels_last).eval()
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    ab, bb = a.bfloat16(), b.bfloat16()
    xb, convb = x.bfloat16(), copy.deepcopy(conv).bfloat16()
    conv_flops = 2 * 8 * 1024 * 1024 * 32 * 32
    with torch.inference_mode():
        out = {"fp32_onednn_conv1x1": rate(lambda: conv(x), conv_flops),
               "fp32_mm_mkl": rate(lambda: a @ b, 2 * 2048 ** 3),
               "bf16_onednn_conv1x1": rate(lambda: convb(xb), conv_flops),
               "bf16_mm": rate(lambda: ab @ bb, 2 * 2048 ** 3)}
    out["bf16_gemm"] = max(out["bf16_onednn_conv1x1"], out["bf16_mm"])
    return out


def clips_per_s(fn, seconds: float) -> float:
    fn()
    n, t0 = 0, time.perf_counter()
    while n < 2 or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - t0)


def bench_one(name: str, seconds: float) -> dict:
    from vlm.encoders import build_encoder, encoder_class
    from vlm.encoders.fast import fast_inference, run_fast
    from vlm.encoders.registry import _accepted
    from vlm.summary import summarize

    cls = encoder_class(name)
    T, H, W = cls.default_input
    kwargs = _accepted(cls, {"num_classes": 400, "num_frames": T, "image_size": H})
    torch.manual_seed(0)
    model = build_encoder(name, **kwargs).eval()
    _, totals = summarize(model, (3, T, H, W))
    video = torch.randn(1, T, 3, H, W)
    with torch.no_grad():
        ref = model(video).logits.float()
        fp32 = clips_per_s(lambda: model(video), seconds)
    fast = fast_inference(copy.deepcopy(model))
    out = run_fast(fast, video).logits.float()
    fast_rate = clips_per_s(lambda: run_fast(fast, video), seconds)
    rel = float((out - ref).norm() / ref.norm().clamp_min(1e-12))
    return {"name": name, "input": f"3x{T}x{H}x{W}", "params": totals["params"], "gmacs": totals["macs"] / 1e9,
            "fp32_clips_s": fp32, "fast_clips_s": fast_rate, "speedup": fast_rate / fp32, "logits_rel_error": rel,
            "fp32_gflops": 2 * totals["macs"] * fp32 / 1e9, "fast_gflops": 2 * totals["macs"] * fast_rate / 1e9}


def main(argv: list[str] | None = None) -> int:
    from vlm.encoders import list_encoders
    from vlm.runtime import model_thread

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--only", nargs="*")
    p.add_argument("--seconds", type=float, default=4.0)
    args = p.parse_args(argv)
    names = args.only or [n for n in list_encoders() if n not in SKIP]

    @model_thread
    def run():
        lim = limits()
        rows = []
        for n in names:
            rows.append(bench_one(n, args.seconds))
            print(json.dumps(rows[-1]), file=sys.stderr)
        return lim, rows

    lim, rows = run()
    for r in rows:
        r["fp32_fraction_of_limit"] = r["fp32_gflops"] / lim["fp32_onednn_conv1x1"]
        r["fast_fraction_of_limit"] = r["fast_gflops"] / lim["bf16_gemm"]
        if max(r["fp32_fraction_of_limit"], r["fast_fraction_of_limit"]) < 0.3:
            r["why_under_30pct"] = REASONS.get(r["name"], "small layers: per-op overhead dominates")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "encoders_bench.json").write_text(json.dumps({"limits_gflops": lim, "rows": rows}, indent=2) + "\n")
    md = [f"Machine limits in this run: fp32 oneDNN 1x1 conv {lim['fp32_onednn_conv1x1']:.0f} GFLOP/s, fp32 torch.mm "
          f"(MKL) {lim['fp32_mm_mkl']:.0f} GFLOP/s, bf16 oneDNN 1x1 conv {lim['bf16_onednn_conv1x1']:.0f} GFLOP/s, "
          f"bf16 torch.mm {lim['bf16_mm']:.0f} GFLOP/s (bf16 limit: the faster).", "",
          "| encoder | input | params | GMACs | fp32 clips/s | fast clips/s | speed-up | rel. error | "
          "fp32 % of limit | fast % of bf16 limit | why under 30% |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {r['name']} | {r['input']} | {r['params'] / 1e6:.2f}M | {r['gmacs']:.2f} | "
                  f"{r['fp32_clips_s']:.2f} | {r['fast_clips_s']:.2f} | {r['speedup']:.2f}x | "
                  f"{r['logits_rel_error']:.1e} | {r['fp32_fraction_of_limit']:.0%} | "
                  f"{r['fast_fraction_of_limit']:.0%} | {r.get('why_under_30pct', '')} |")
    (args.out / "encoders_bench.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
