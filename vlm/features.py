"""Clips to cached features: labelled clip lists, test-time views, a per-clip feature cache, decode prefetching and
sharding. Used by training (adapters) and evaluation (eval) alike.

Features are cached per clip as safetensors keyed by the file's hash, the method's feature key and the view
settings, and written atomically as each clip finishes: re-running with other labels or prompt templates decodes
and encodes nothing, and a killed run resumes where it stopped. Under `accelerate launch` each process takes a
shard of the clips and process 0 gathers the features (`accelerate.utils.gather_object`).
"""
from __future__ import annotations

import json
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from vlm.errors import ProblemsError
from vlm.runtime import partial_state, submit
from vlm.video import VideoReader, VideoReadError, VideoTransform
from vlm.video.io import file_digest
from vlm.weights import cache_dir


class DatasetError(ProblemsError):
    """Every problem found in the dataset, listed together."""


@dataclass(frozen=True)
class VideoSample:
    path: Path
    label: str


@dataclass
class Dataset:
    name: str
    samples: list[VideoSample]
    classes: list[str]                       # label names, in a fixed order
    texts: dict[str, str]                    # label -> plain words ("ApplyEyeMakeup" -> "apply eye makeup")
    skipped: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.samples)


@dataclass(frozen=True)
class ViewConfig:
    num_frames: int = 8   # frames per view, spread over the whole clip (TSN-style segments)
    clips: int = 1        # temporal views: the segment grid shifted by (k + 1) / (clips + 1) of a segment
    crops: int = 1        # spatial views along the longer side (1 = centre, 3 = left/centre/right)

    @property
    def key(self) -> str:
        return f"f{self.num_frames}-c{self.clips}-x{self.crops}"


def view_indices(num_frames_in_video: int, views: ViewConfig) -> np.ndarray:
    """(clips, num_frames) frame indices: clip k samples each segment at offset (k + 1) / (clips + 1)."""
    n, T = num_frames_in_video, views.num_frames
    offsets = (np.arange(views.clips) + 1) / (views.clips + 1)
    idx = np.floor((np.arange(T)[None, :] + offsets[:, None]) * n / T).astype(np.int64)
    return idx.clip(0, n - 1)


def decode_views(path: Path, views: ViewConfig, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Decode (in the calling thread, no torch): frames (clips, T, h, w, 3) uint8 and their indices."""
    reader = VideoReader(path, short_side=size)
    idx = view_indices(len(reader), views)
    unique, inverse = np.unique(idx, return_inverse=True)
    frames = reader.get_batch(unique)[inverse.reshape(idx.shape)]
    return frames, idx


def to_views(frames: np.ndarray, views: ViewConfig, transform: VideoTransform) -> torch.Tensor:
    """(clips, T, h, w, 3) uint8 -> (clips * crops, T, C, S, S)."""
    return torch.stack([v for clip in frames for v in transform.views(clip, views.crops)])


class FeatureCache:
    """One safetensors file per clip under $VLM_CACHE/features/<method key>/<view key>/."""

    def __init__(self, method_key: str, views: ViewConfig, root: Path | None = None):
        self.dir = (root or cache_dir() / "features") / method_key.replace("/", "_") / views.key
        self.dir.mkdir(parents=True, exist_ok=True)

    def get(self, digest: str) -> tuple[dict[str, torch.Tensor], dict] | None:
        path = self.dir / f"{digest}.safetensors"
        if not path.exists():
            return None
        from safetensors import safe_open

        with safe_open(str(path), "pt") as f:
            meta = json.loads((f.metadata() or {}).get("meta", "{}"))
        return load_file(str(path)), meta

    def put(self, digest: str, tensors: dict[str, torch.Tensor], meta: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=f".{digest}.", suffix=".tmp")
        os.close(fd)
        try:
            save_file({k: v.contiguous().cpu() for k, v in tensors.items()}, tmp, metadata={"meta": json.dumps(meta)})
            os.replace(tmp, self.dir / f"{digest}.safetensors")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


@dataclass
class ClipFeatures:
    index: int                          # position in dataset.samples
    tensors: dict[str, torch.Tensor]    # per-view features, e.g. {"probs": (V, 1000)}
    meta: dict                          # frame indices, hash, ...


def extract_features(dataset: Dataset, method, views: ViewConfig, *, use_cache: bool = True,
                     progress: bool = True, skip_bad: bool = False) -> tuple[list[ClipFeatures], list[str]]:
    """Features for this process's shard of the dataset, gathered to every process; plus decode problems."""
    from accelerate.utils import gather_object
    from tqdm import tqdm

    state = partial_state()
    mine = list(range(state.process_index, len(dataset), state.num_processes))
    cache = FeatureCache(method.feature_key, views) if use_cache else None
    transform = method.transform
    results: list[ClipFeatures] = []
    problems: list[str] = []

    def load(i: int):
        path = dataset.samples[i].path
        digest = file_digest(path)
        hit = cache.get(digest) if cache else None
        if hit is not None:
            return i, digest, hit, None
        try:
            return i, digest, None, decode_views(path, views, transform.size)
        except VideoReadError as e:
            return i, digest, None, e

    bar = tqdm(total=len(mine), desc=f"{method.name} features" + (f" [rank {state.process_index}]"
               if state.num_processes > 1 else ""), unit="clip", disable=not progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=2) as pool:  # decoding runs ahead of encoding (no torch in these threads)
        for i, digest, hit, decoded in pool.map(load, mine):
            if isinstance(decoded, VideoReadError):
                problems.append(f"{decoded.path}: {decoded.reason}")
            elif hit is not None:
                results.append(ClipFeatures(i, *hit))
            else:
                frames, idx = decoded
                tensors = submit(lambda: method.encode(to_views(frames, views, transform))).result()
                meta = {"sha1": digest, "frame_indices": idx.tolist(), "views": asdict(views)}
                if cache:
                    cache.put(digest, tensors, meta)
                results.append(ClipFeatures(i, tensors, meta))
            bar.update(1)
    bar.close()
    if state.num_processes > 1:
        results = sorted(gather_object(results), key=lambda r: r.index)
        problems = gather_object(problems)
    if problems and not skip_bad:
        raise DatasetError(dataset.name, problems)
    return results, problems
