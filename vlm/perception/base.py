"""The interface every perception part implements, and the cache that keeps their results by file hash.

A part (speech, on-screen text, people, ...) turns a video into a small typed result that renders as a few lines
of the LLM's context. Parts load their models lazily, once per process, only when they run; a part whose package
is missing says which one to install instead of failing. Results are JSON, cached under
`$VLM_CACHE/perception/` by the file's content hash and the part's settings, so asking again about the same
video (or the same bytes under another name) costs nothing.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, ClassVar

import numpy as np

from vlm.video.io import VideoInfo, VideoReader, file_digest


ANALYSIS_LONG_SIDE = 640   # frames the parts read: what PP-OCR's detector takes (~640 px on the long side)
ANALYSIS_MIN_SHORT = 224   # ... and never under what the model's encoder takes


def fmt_time(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 60}:{s % 60:02d}"


def fmt_span(start: float, end: float) -> str:
    a, b = fmt_time(start), fmt_time(end)
    return a if a == b else f"{a}-{b}"


# --- the clip every part sees ---------------------------------------------------------------------------------


@dataclass
class Clip:
    """A video as the parts see it: the file, its metadata and frames at the times a part asks for. Frames the
    assistant already decoded (at the analysis size, `provide`) are reused when they lie near enough."""
    path: Path
    info: VideoInfo
    _readers: dict = field(default_factory=dict, repr=False)
    _given: tuple | None = field(default=None, repr=False)   # (times (K,), frames (K, H, W, 3))

    @cached_property
    def digest(self) -> str:
        return file_digest(self.path)

    def provide(self, times: np.ndarray, frames: np.ndarray) -> None:
        self._given = (np.asarray(times, dtype=np.float64), frames)

    def frames_at(self, times: np.ndarray, *, long_side: int) -> tuple[np.ndarray, np.ndarray]:
        """(times (K,), frames (K, H, W, 3) uint8) near the given times with the long side at most long_side
        pixels (unless that leaves the short side under 224). Provided frames serve when each asked time has one
        within half the asked spacing; otherwise they are decoded, snapped to keyframes on long videos (one
        keyframe decode per frame on a 10-minute file instead of a decode from the keyframe before it)."""
        times = np.asarray(times, dtype=np.float64)
        reused = self._from_given(times, long_side)
        if reused is not None:
            return reused
        from vlm.video.sampling import _maybe_snap

        short = self.short_side_for(long_side)
        if short not in self._readers:
            self._readers[short] = VideoReader(self.path, short_side=short)
        reader = self._readers[short]
        idx = np.clip(np.round(times * self.info.fps).astype(np.int64), 0, len(reader) - 1)
        idx = _maybe_snap(reader, idx, "auto")
        return idx / self.info.fps, reader.get_batch(idx)

    def _from_given(self, times: np.ndarray, long_side: int):
        if self._given is None or not len(times):
            return None
        given_t, frames = self._given
        if max(frames.shape[1:3]) > long_side * 1.05 or min(frames.shape[1:3]) < self.short_side_for(long_side) * 0.95:
            return None
        nearest = np.abs(given_t[None, :] - times[:, None]).argmin(1)
        spacing = self.info.duration / max(len(times), 1)
        if (np.abs(given_t[nearest] - times) > spacing / 2).any():
            return None
        return given_t[nearest], frames[nearest]

    def close(self) -> None:
        """Drop the decoders and frames kept for the parts (they are reopened if asked for frames again)."""
        self._readers.clear()
        self._given = None

    def short_side_for(self, long_side: int) -> int:
        """The decode size (short side) that makes the frame's long side at most long_side pixels."""
        w, h = self.info.width, self.info.height
        return max(2, min(min(w, h), max(ANALYSIS_MIN_SHORT, round(long_side * min(w, h) / max(w, h, 1)))))

    def sample_times(self, per_second: float, *, at_least: int, at_most: int) -> np.ndarray:
        """Evenly spread times (centres of equal spans), `per_second` of them per second within the bounds."""
        n = int(np.clip(round(self.info.duration * per_second), at_least, at_most))
        return (np.arange(n) + 0.5) * self.info.duration / n


# --- parts ----------------------------------------------------------------------------------------------------


class PartUnavailable(RuntimeError):
    """The part's package is not installed; the message names it."""


Progress = Callable[[float], None]


class PerceptionPart:
    """One kind of perception. Subclasses set the class attributes and implement `run` and `result_from_dict`.

    `run` returns a result object with `to_dict()` and `lines() -> list[str]` (what the LLM and the user read).
    Anything a part cannot see or hear (no audio track, no text, nobody) is a result with a one-line note, never
    an exception; only a missing package raises `PartUnavailable`.
    """
    name: ClassVar[str]
    title: ClassVar[str]                    # heading shown to users, e.g. "What is said"
    version: ClassVar[int] = 1              # bump when the output for the same input changes (cache key)
    requires: ClassVar[tuple[str, ...]] = ()  # import names the part needs
    install: ClassVar[str] = ""             # what to pip install when they are missing
    needs_frames: ClassVar[bool] = True     # False: starts before the frames are decoded (it reads the audio)

    def settings(self) -> dict:
        """What changes the output for the same file (part of the cache key)."""
        return {}

    def missing(self) -> str | None:
        """None when the part can run, else a one-line reason naming the package to install."""
        gone = [m for m in self.requires if importlib.util.find_spec(m) is None]
        if gone:
            return f"{self.title}: unavailable, the package {self.install!r} is not installed (pip install {self.install})"
        return None

    def estimate_seconds(self, clip: Clip) -> float:
        """Rough cost on this CPU, used to decide whether the part runs in the background on long videos."""
        return 0.0

    def load(self):
        """Load the part's model (once per process; later calls return it). Raises PartUnavailable."""
        return None

    def run(self, clip: Clip, progress: Progress) -> object:
        raise NotImplementedError

    def result_from_dict(self, d: dict) -> object:
        raise NotImplementedError

    def cache_key(self, clip: Clip) -> str:
        spec = json.dumps({"part": self.name, "v": self.version, **self.settings()}, sort_keys=True)
        return f"{clip.digest}/{self.name}-{hashlib.sha1(spec.encode()).hexdigest()[:12]}"


PARTS: dict[str, type[PerceptionPart]] = {}


def register_part(cls: type[PerceptionPart]) -> type[PerceptionPart]:
    PARTS[cls.name] = cls
    return cls


def build_part(name: str, **kwargs) -> PerceptionPart:
    if name not in PARTS:
        raise ValueError(f"Unknown perception part {name!r}; available: {sorted(PARTS)}")
    return PARTS[name](**kwargs)


# --- the result cache -----------------------------------------------------------------------------------------


def results_dir() -> Path:
    """$VLM_PERCEPTION_CACHE, else $VLM_CACHE/perception (benchmarks point the former at an empty folder)."""
    from vlm.weights import cache_dir

    return Path(os.environ.get("VLM_PERCEPTION_CACHE") or cache_dir() / "perception")


def load_cached(key: str) -> dict | None:
    path = results_dir() / f"{key}.json"
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):  # absent, or written by a killed older version
        return None


def save_cached(key: str, data: dict) -> None:
    path = results_dir() / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)
