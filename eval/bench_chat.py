"""Chat benchmark: cold start, warm load, sampling, encoding, time to first token, tokens/s and peak RSS.

    python -m eval.bench_chat [--out eval/results] [--skip-cold]

Each measurement runs in a fresh subprocess (so load times include imports and peak RSS is that run's own),
on a real 10 s clip and on a generated 10-minute 1280x720 H.264 video (written once into the cache). Writes
`chat.json` and `chat.md` (a table) into --out. Targets on the 2-core CPU: warm load <= 3 s, time to first
token <= 2 s after load for 16 frames, peak RSS <= 2.5 GB, 10-minute sampling within 2x the 10 s clip.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "What is happening in this video?"
REAL_CLIP = "demo/man_on_stage_concert_applause.mp4"  # 10.0 s, 720x480, H.264


def long_video(minutes: float = 10.0) -> Path:
    """A 10-minute 1280x720 30 fps H.264 video of moving shapes over a textured background (x264 default GOP)."""
    import numpy as np

    from vlm.data.synthetic import Scene, Shape, render_frames
    from vlm.video.io import write_video
    from vlm.weights import cache_dir

    path = cache_dir() / "bench" / f"long_{minutes:g}min_720p.mp4"
    if path.exists():
        return path
    n = int(minutes * 60 * 30)
    shapes = tuple(Shape(s, c, x, y, d, speed=0.01, size=0.15)
                   for s, c, x, y, d in [("circle", "red", 0.2, 0.3, "right"), ("square", "blue", 0.8, 0.7, "left"),
                                         ("star", "yellow", 0.5, 0.2, "down")])
    scene = Scene(shapes=shapes, width=1280, height=720, fps=30, num_frames=n)
    texture = np.random.default_rng(0).integers(-12, 12, (720, 1280, 3), dtype=np.int16)

    def frames():
        for i, f in enumerate(render_frames(scene)):
            if i % 1800 == 0:
                print(f"  writing {path.name}: {i / 30 / 60:.0f}/{minutes:g} min", file=sys.stderr, flush=True)
            yield np.clip(f.astype(np.int16) + texture, 0, 255).astype(np.uint8)

    return write_video(path, frames(), fps=30, preset="ultrafast", crf=28)


def _one_run(video: str, num_frames: int, max_new_tokens: int) -> dict:
    """Runs inside the subprocess: everything after interpreter start-up is timed."""
    import resource

    t0 = time.perf_counter()
    from transformers.utils import logging as hf_logging

    from vlm.assistant import VideoAssistant
    from vlm.video import VideoReader, sample_frames
    hf_logging.disable_progress_bar()
    assistant = VideoAssistant.build()
    t_load = time.perf_counter() - t0

    t = time.perf_counter()
    reader = VideoReader(video, short_side=assistant.processor.transform.size)
    sel = sample_frames(reader, num_frames=num_frames)
    reader.get_batch(sel.indices)
    t_sample = time.perf_counter() - t

    t = time.perf_counter()
    watched = assistant.watch(video, num_frames=num_frames)
    t_watch = time.perf_counter() - t
    import torch

    from vlm.runtime import model_thread

    @model_thread  # torch work stays on the one model thread, as in the app (see vlm.runtime)
    @torch.no_grad()
    def encode():
        t = time.perf_counter()
        assistant.model.encode_video(assistant.processor.transform(watched.frames).unsqueeze(0))
        return time.perf_counter() - t

    t_encode = encode()

    t = time.perf_counter()
    first, pieces = None, []
    for piece in assistant.stream(watched, QUESTION, max_new_tokens=max_new_tokens):
        if first is None:
            first = time.perf_counter() - t
        pieces.append(piece)
    t_gen = time.perf_counter() - t
    n_new = len(assistant.processor.tokenizer("".join(pieces), add_special_tokens=False)["input_ids"])
    return {
        "video": video, "frames": num_frames, "warm_load_s": t_load, "probe_sample_s": t_sample,
        "watch_s": t_watch, "encode_s": t_encode, "ttft_s": first, "ttft_after_load_s": t_watch + first,
        "new_tokens": n_new, "tokens_per_s": (n_new - 1) / max(t_gen - first, 1e-9) if n_new > 1 else None,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2,
        "answer": "".join(pieces).strip(),
    }


def _subprocess(args: list[str], env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-m", "eval.bench_chat", *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def cold_start() -> dict:
    """First conversion of the GGUF into an empty cache, in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        return _subprocess(["--cold"], env={"VLM_CACHE": tmp})


def _cold() -> dict:
    t = time.perf_counter()
    from vlm.weights import converted_gguf_dir
    converted_gguf_dir()
    return {"cold_start_s": time.perf_counter() - t}


def table(rows: list[dict], cold: dict | None) -> str:
    lines = ["| video | frames | warm load (s) | probe+sample (s) | encode (s) | TTFT after load (s) | tokens/s | "
             "peak RSS (GB) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['frames']} | {r['warm_load_s']:.2f} | {r['probe_sample_s']:.3f} | "
                     f"{r['encode_s']:.2f} | {r['ttft_after_load_s']:.2f} | {r['tokens_per_s'] or 0:.1f} | "
                     f"{r['peak_rss_gb']:.2f} |")
    if cold:
        lines.append(f"\nCold start (GGUF de-quantised and cached as safetensors, once): {cold['cold_start_s']:.1f} s.")
    if len(rows) == 2:
        ratio = rows[1]["probe_sample_s"] / rows[0]["probe_sample_s"]
        lines.append(f"\nSampling 16 frames from the 10-minute video takes {ratio:.2f}x the time of the 10 s clip.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--frames", type=int, default=16)
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--skip-cold", action="store_true")
    p.add_argument("--one", help=argparse.SUPPRESS)
    p.add_argument("--cold", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.cold:
        print(json.dumps(_cold()))
        return 0
    if args.one:
        print(json.dumps(_one_run(args.one, args.frames, args.max_new_tokens)))
        return 0

    from vlm.samples import shared_videos_dir

    shared = shared_videos_dir()
    videos = [("real 10 s clip (720x480)", shared / REAL_CLIP)] if shared else []
    videos.append(("generated 10 min (1280x720)", long_video()))
    cold = None if args.skip_cold else cold_start()
    _subprocess(["--one", str(videos[0][1]), "--frames", "4", "--max-new-tokens", "2"])  # warm the OS file cache
    rows = []
    for label, path in videos:
        r = _subprocess(["--one", str(path), "--frames", str(args.frames), "--max-new-tokens", str(args.max_new_tokens)])
        rows.append({"label": label, **r})
        print(f"{label}: {json.dumps({k: v for k, v in r.items() if k != 'answer'})}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d"), "python": platform.python_version()}
    (args.out / "chat.json").write_text(json.dumps({"meta": meta, "cold": cold, "runs": rows}, indent=2) + "\n")
    md = table(rows, cold)
    (args.out / "chat.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
