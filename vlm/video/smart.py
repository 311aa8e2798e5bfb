"""Smart frame samplers for long videos: spend the expensive model where the action is (SCSampler, AdaMML).

Each runs a cheap pass over `candidates` moments — keyframes where the file has enough of them (a keyframe decodes
without its predecessors), else evenly spaced frames — decoded small by the decoder itself, scores them, and
returns the chosen frames with the scores that chose them (and every candidate's score, for a plot over time):

    keyframe  evenly spread keyframes: the fewest decodes a long file allows
    scene     colour-histogram cuts between candidates; the budget shared among the scenes by length, taken from
              the scene's candidates where it has enough (decoded already)
    motion    frame-difference energy between consecutive candidates; the most active moments
    salient   thumbnails through EfficientNet-Lite0 (or any `scorer`); the most confidently recognised moments
    query     thumbnails matched to a question's words (vlm.semantic), e.g. "when does the dog jump?"
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import cv2
import numpy as np

from vlm.video.io import VideoReader, VideoReadError
from vlm.video.sampling import FrameSelection, register_sampler, uniform_indices

THUMB = 96            # thumbnail short side for the cheap pass
MAX_CANDIDATES = 32         # looks of the cheap pass (64 cost as much as the frames they save: eval/bench_long_video)


def candidate_indices(reader: VideoReader, max_candidates: int = MAX_CANDIDATES) -> np.ndarray:
    """Keyframes (thinned to max_candidates) when there are at least half that many, else evenly spaced frames."""
    n = len(reader)
    if n < 2:
        raise VideoReadError(reader.path, f"smart sampling needs at least 2 frames, the video has {n}")
    keys = reader.key_indices()
    if len(keys) >= min(max_candidates // 2, n):
        return keys[uniform_indices(len(keys), min(max_candidates, len(keys)))] if len(keys) > max_candidates \
            else keys
    return np.unique(uniform_indices(n, min(max_candidates, n)))


def thumbnails(reader: VideoReader, idx: np.ndarray, short_side: int = THUMB) -> np.ndarray:
    """Frames at idx with their short side at most short_side. A reader that already scales in the decoder (the
    model's input size) is reused and its frames shrunk: a second decoder would index the whole file again, which
    costs more than the decodes on a long high-resolution file. Otherwise a small decoder is opened. Keyframes take
    the reader's fast path (get_keyframes: no deblocking, invisible at thumbnail size)."""
    if reader.size is None:
        return VideoReader(reader.path, short_side=short_side).get_keyframes(idx)
    frames = reader.get_keyframes(idx)
    h, w = frames.shape[1:3]
    if min(h, w) <= short_side:
        return frames
    scale = short_side / min(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.stack([cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in frames])


def pick_top(scores: np.ndarray, k: int, min_gap: int) -> np.ndarray:
    """Positions of the k best scores, at least min_gap apart (non-maximum suppression), sorted."""
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if all(abs(int(i) - j) >= min_gap for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    if len(chosen) < k:  # not enough well-separated peaks: fill with the best remaining
        rest = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in chosen]
        chosen += rest[:k - len(chosen)]
    return np.sort(np.asarray(chosen, dtype=np.int64))


def _select(reader, cand: np.ndarray, scores: np.ndarray, k: int, name: str) -> FrameSelection:
    k = min(k, len(cand))
    pos = pick_top(scores, k, max(1, len(cand) // (2 * k)))
    idx = cand[pos]
    return FrameSelection(idx, reader.timestamps(idx), scores[pos], name, cand, scores)


@register_sampler("keyframe")
def keyframe_sampler(reader: VideoReader, *, num_frames: int, **_) -> FrameSelection:
    keys = reader.key_indices()
    if len(keys) < num_frames:  # too few keyframes: evenly spaced frames, as uniform would
        idx = np.unique(uniform_indices(len(reader), num_frames))
    else:
        idx = keys[uniform_indices(len(keys), num_frames)]
    return FrameSelection(idx, reader.timestamps(idx), None, "keyframe")


def histogram_changes(frames: np.ndarray) -> np.ndarray:
    """1 - correlation of HSV histograms between consecutive frames; the first frame scores 0."""
    hists = []
    for f in frames:
        hsv = cv2.cvtColor(f, cv2.COLOR_RGB2HSV)
        h = cv2.calcHist([hsv], [0, 1], None, [16, 8], [0, 180, 0, 256])
        hists.append(cv2.normalize(h, h).flatten())
    return np.array([0.0] + [1 - cv2.compareHist(hists[i - 1], hists[i], cv2.HISTCMP_CORREL)
                             for i in range(1, len(hists))])


@register_sampler("scene")
def scene_sampler(reader: VideoReader, *, num_frames: int, threshold: float = 0.5, candidates: int = MAX_CANDIDATES,
                  **_) -> FrameSelection:
    cand = candidate_indices(reader, candidates)
    change = histogram_changes(thumbnails(reader, cand, 64))
    starts = [0] + [i for i in range(1, len(cand)) if change[i] > threshold]
    bounds = list(zip(starts, starts[1:] + [len(cand)]))                        # scenes in candidate positions
    lengths = np.array([cand[min(b, len(cand) - 1)] - cand[a] + 1 for a, b in bounds], dtype=float)
    if len(bounds) >= num_frames:                                               # one frame from the longest scenes
        order = np.sort(np.argsort(-lengths, kind="stable")[:num_frames])
        share = {int(s): 1 for s in order}
    else:                                                                        # every scene, more to long ones
        share = {s: 1 for s in range(len(bounds))}
        extra = np.floor(lengths / lengths.sum() * (num_frames - len(bounds))).astype(int)
        for s in range(len(bounds)):
            share[s] += int(extra[s])
    idx = []
    for s, m in share.items():
        a, b = bounds[s]
        if b - a >= m:  # enough moments the cheap pass decoded already (keyframes): spread over those
            idx += cand[a:b][uniform_indices(b - a, m)].tolist()
            continue
        lo, hi = int(cand[a]), int(cand[b] - 1) if b < len(cand) else len(reader) - 1
        idx += (lo + uniform_indices(hi - lo + 1, m)).tolist()
    idx = np.unique(np.asarray(idx, dtype=np.int64))
    pos = np.clip(np.searchsorted(cand, idx, side="right") - 1, 0, len(cand) - 1)
    return FrameSelection(idx, reader.timestamps(idx), change[pos], "scene", cand, change)


@register_sampler("motion")
def motion_sampler(reader: VideoReader, *, num_frames: int, candidates: int = MAX_CANDIDATES, **_) -> FrameSelection:
    cand = candidate_indices(reader, candidates)
    grey = np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in thumbnails(reader, cand, 64)]).astype(np.float32)
    diff = np.abs(np.diff(grey, axis=0)).mean((1, 2))                           # between consecutive candidates
    energy = np.concatenate([[diff[0]], np.maximum(diff[:-1], diff[1:]), [diff[-1]]]) if len(diff) > 1 \
        else np.array([diff[0], diff[0]])
    return _select(reader, cand, energy, num_frames, "motion")


@lru_cache(maxsize=1)
def _thumbnail_classifier():
    from vlm.encoders import build_encoder
    from vlm.encoders.fast import fast_inference

    return fast_inference(build_encoder("efficientnet-lite0", image_size=THUMB))


def imagenet_probs(frames: np.ndarray):
    """(N, h, w, 3) uint8 thumbnails -> (N, 1000) ImageNet probabilities from EfficientNet-Lite0 at 96 px
    (bf16 where the CPU has it: this pass must stay cheap)."""
    import torch

    enc = _thumbnail_classifier()
    dtype = next(enc.parameters()).dtype
    x = enc.default_transform(image_size=THUMB)(frames).to(dtype)               # (N, 3, 96, 96)
    with torch.inference_mode():
        out = torch.cat([enc(x[i:i + 32][None]).frame_logits[0] for i in range(0, len(x), 32)])
    return out.float().softmax(-1)


@register_sampler("salient")
def salient_sampler(reader: VideoReader, *, num_frames: int, scorer: Callable | None = None,
                    candidates: int = MAX_CANDIDATES, **_) -> FrameSelection:
    """scorer(probs (N, 1000)) -> (N,) scores; default: the classifier's confidence (its top probability)."""
    cand = candidate_indices(reader, candidates)
    probs = imagenet_probs(thumbnails(reader, cand))
    scores = scorer(probs) if scorer is not None else probs.max(-1).values
    return _select(reader, cand, np.asarray(scores, dtype=np.float64), num_frames, "salient")


@register_sampler("query")
def query_sampler(reader: VideoReader, *, num_frames: int, question: str = "", texts: list[str] | None = None,
                  candidates: int = MAX_CANDIDATES, **_) -> FrameSelection:
    """The moments that best match the question (or the best match among several texts)."""
    from vlm.semantic import default_scorer

    texts = texts or ([question] if question.strip() else None)
    if not texts:
        raise ValueError("the query sampler needs a question (or texts) to look for")
    cand = candidate_indices(reader, candidates)
    probs = imagenet_probs(thumbnails(reader, cand))
    scores = default_scorer().score_texts(probs, list(texts)).max(-1).values.numpy()
    return _select(reader, cand, scores.astype(np.float64), num_frames, "query")
