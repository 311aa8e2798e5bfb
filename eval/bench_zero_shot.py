"""Zero-shot throughput: clips/s for 8 frames at 224, cold and cached, beside a plain per-clip loop, in one run.

    python -m eval.bench_zero_shot [--out eval/results]

On the 21 action clips and on all 57 clips of ../shared/videos: (a) a plain loop — decode,
transform, fp32 EfficientNet-Lite0, one clip at a time; (b) the harness cold — an empty feature cache, decoding
in two threads ahead of encoding on the fast path (BatchNorms folded, bf16, channels-last); (c) the harness again with the cache full. Targets: >= 10
clips/s cold, >= 500 clips/s cached. Writes zero_shot_bench.json / .md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def plain_loop(dataset, frames: int) -> float:
    """The baseline: what a straightforward script does."""
    import torch

    from eval.harness import ViewConfig, view_indices
    from vlm.encoders import build_encoder
    from vlm.video import VideoReader

    enc = build_encoder("efficientnet-lite0").eval()
    transform = enc.default_transform()
    t = time.perf_counter()
    for s in dataset.samples:
        reader = VideoReader(s.path)
        frames_np = reader.get_batch(view_indices(len(reader), ViewConfig(frames))[0])
        with torch.inference_mode():
            enc(transform(frames_np)[None]).frame_logits.softmax(-1).mean(1)
    return len(dataset) / (time.perf_counter() - t)


def main(argv: list[str] | None = None) -> int:
    from eval.datasets import Dataset, load_dataset
    from eval.harness import ViewConfig, extract_features
    from eval.zeroshot import build_method
    from vlm.runtime import submit
    from vlm.samples import shared_videos_dir

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--frames", type=int, default=8)
    args = p.parse_args(argv)
    shared = shared_videos_dir()
    if shared is None:
        print("needs ../shared/videos (or $VLM_VIDEOS)", file=sys.stderr)
        return 2
    parts = {sp: load_dataset(shared / "manifest.csv", split=sp) for sp in ("actions", "demo", "gestures")}
    sets = {"21 action clips (<= 15 s, <= 426 px)": parts["actions"],
            "all 57 clips (up to 139 s, up to 1920x1080)": Dataset("shared/all", [x for d in parts.values()
                                                                                for x in d.samples], [], {})}
    views = ViewConfig(args.frames)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["VLM_CACHE"] = tmp  # an empty feature cache for the cold runs
        method = build_method("semantic")
        extract_features(Dataset("warm-up", parts["actions"].samples[:2], [], {}), method, views, progress=False)
        for label, ds in sets.items():
            for f in Path(tmp, "features").rglob("*.safetensors"):
                f.unlink()
            t = time.perf_counter()
            extract_features(ds, method, views, progress=False)
            cold = len(ds) / (time.perf_counter() - t)
            t = time.perf_counter()
            extract_features(ds, method, views, progress=False)
            cached = len(ds) / (time.perf_counter() - t)
            plain = submit(plain_loop, ds, args.frames).result()
            rows.append({"set": label, "clips": len(ds), "frames": args.frames, "plain_loop_clips_per_s": plain,
                         "cold_clips_per_s": cold, "cached_clips_per_s": cached,
                         "speedup_cold_vs_plain": cold / plain, "precision": str(method.dtype)})
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "zero_shot_bench.json").write_text(json.dumps(rows, indent=2) + "\n")
    md = [f"| clips ({args.frames} frames at 224) | plain loop (fp32, one clip at a time) | harness cold "
          f"(prefetched decode, BatchNorms folded, {str(method.dtype).split('.')[-1]} channels_last) | harness cached |",
          "|---|---|---|---|"]
    md += [f"| {r['set']} | {r['plain_loop_clips_per_s']:.1f} clips/s | {r['cold_clips_per_s']:.1f} clips/s "
           f"({r['speedup_cold_vs_plain']:.1f}x) | {r['cached_clips_per_s']:.0f} clips/s |" for r in rows]
    (args.out / "zero_shot_bench.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
