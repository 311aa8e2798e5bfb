"""Which frames to decode.

Index functions are pure (frame count + fps in, int64 indices out) so they are easy to test and reuse;
samplers are registered by name and return a `FrameSelection` (indices, timestamps, and the scores that chose
them) for a given `VideoReader`. The field's recipe: train on short low-fps clips (`clip_indices`), test on
several clips and average (`multi_view_indices`), chat on a uniform or fixed-fps summary.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from vlm.video.io import VideoReader, VideoReadError


@dataclass(frozen=True)
class FrameSelection:
    indices: np.ndarray      # (T,) int64, sorted
    timestamps: np.ndarray   # (T,) seconds
    scores: np.ndarray | None = None  # (T,) why each frame was picked (None for score-free samplers)
    sampler: str = "uniform"
    candidates: np.ndarray | None = None        # (M,) frames the cheap pass looked at (smart samplers)
    candidate_scores: np.ndarray | None = None  # (M,) their scores: a score-over-time curve


def uniform_indices(num_frames: int, n: int) -> np.ndarray:
    """The centre frame of each of n equal segments (TSN-style). Repeats frames when the video is shorter than n."""
    if num_frames <= 0:
        raise ValueError(f"cannot sample from a video with {num_frames} frames")
    if n <= 0:
        raise ValueError(f"number of frames to sample must be positive, got {n}")
    return np.floor((np.arange(n) + 0.5) * num_frames / n).astype(np.int64).clip(0, num_frames - 1)


def fps_indices(num_frames: int, fps: float, target_fps: float, max_frames: int | None = None) -> np.ndarray:
    """Frames at target_fps (never more often than the source), capped at max_frames by uniform thinning."""
    if target_fps <= 0:
        raise ValueError(f"target fps must be positive, got {target_fps}")
    step = max(fps / target_fps, 1.0)
    idx = np.unique(np.floor(np.arange(0, num_frames, step)).astype(np.int64))
    if max_frames is not None and len(idx) > max_frames:
        idx = idx[uniform_indices(len(idx), max_frames)]
    return idx


def clip_indices(num_frames: int, clip_len: int, stride: int = 1, *, mode: str = "random",
                 rng: np.random.Generator | None = None) -> np.ndarray:
    """One dense clip of clip_len frames, stride apart: random start (training) or centred (testing).

    Videos shorter than the clip's span repeat their last frame.
    """
    if mode not in ("random", "center"):
        raise ValueError(f"Unknown clip mode {mode!r}; available: ['center', 'random']")
    span = (clip_len - 1) * stride + 1
    room = max(num_frames - span, 0)
    if mode == "center":
        start = room // 2
    else:
        start = int((rng or np.random.default_rng()).integers(0, room + 1))
    return np.minimum(start + np.arange(clip_len) * stride, num_frames - 1).astype(np.int64)


def multi_view_indices(num_frames: int, clip_len: int, stride: int = 1, num_clips: int = 3) -> np.ndarray:
    """num_clips dense clips with evenly spaced starts covering the video: (num_clips, clip_len)."""
    span = (clip_len - 1) * stride + 1
    room = max(num_frames - span, 0)
    starts = np.linspace(0, room, num_clips).round().astype(np.int64) if num_clips > 1 else np.array([room // 2])
    return np.minimum(starts[:, None] + np.arange(clip_len)[None] * stride, num_frames - 1)


def snap_to_keyframes(indices: np.ndarray, key_indices: np.ndarray) -> np.ndarray:
    """Move each index to its nearest keyframe: decoding a keyframe needs no earlier frame.

    Used only when keyframes are dense relative to the sampling step, so indices stay distinct.
    """
    keys = np.asarray(key_indices, dtype=np.int64)
    pos = np.clip(np.searchsorted(keys, indices), 1, len(keys) - 1) if len(keys) > 1 else np.zeros_like(indices)
    left, right = keys[np.maximum(pos - 1, 0)], keys[pos]
    return np.where(np.abs(indices - left) <= np.abs(right - indices), left, right)


def _maybe_snap(reader: VideoReader, idx: np.ndarray, snap: str) -> np.ndarray:
    """snap='auto' snaps when keyframes are at most a quarter of the sampling step apart (long videos)."""
    if snap == "never" or len(idx) < 2:
        return idx
    keys = reader.key_indices()
    if len(keys) < 2:
        return idx
    gop = float(np.median(np.diff(keys)))
    step = float(np.median(np.diff(idx))) if len(idx) > 1 else float(len(reader))
    if snap == "always" or gop <= step / 4:
        snapped = snap_to_keyframes(idx, keys)
        if len(np.unique(snapped)) == len(idx):
            return snapped
    return idx


# --- registry ------------------------------------------------------------------------------------------------

SAMPLERS: dict[str, Callable[..., FrameSelection]] = {}


def register_sampler(name: str):
    def deco(fn):
        SAMPLERS[name] = fn
        return fn
    return deco


def sample_frames(reader: VideoReader, *, sampler: str = "uniform", num_frames: int = 16, **kwargs) -> FrameSelection:
    if sampler not in SAMPLERS:
        raise ValueError(f"Unknown sampler {sampler!r}; available: {sorted(SAMPLERS)}")
    if len(reader) < 2:
        raise VideoReadError(reader.path, f"the video has {len(reader)} frame(s); sampling needs at least 2")
    return SAMPLERS[sampler](reader, num_frames=num_frames, **kwargs)


@register_sampler("uniform")
def _uniform(reader: VideoReader, *, num_frames: int, snap: str = "auto", **_) -> FrameSelection:
    idx = _maybe_snap(reader, uniform_indices(len(reader), num_frames), snap)
    return FrameSelection(idx, reader.timestamps(idx), None, "uniform")


@register_sampler("fps")
def _fps(reader: VideoReader, *, num_frames: int, fps: float = 1.0, snap: str = "auto", **_) -> FrameSelection:
    idx = _maybe_snap(reader, fps_indices(len(reader), reader.info.fps, fps, num_frames), snap)
    return FrameSelection(idx, reader.timestamps(idx), None, "fps")
