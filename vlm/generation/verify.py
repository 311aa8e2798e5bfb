"""Does a video follow its plan? Tracking by colour and background subtraction, plus optical flow for direction.

The background is estimated from the video itself (the per-pixel median over frames, where moving things vanish);
each entity is the connected blob of its colour nearest its planned box. Per entity and frame the planned box
must hold the detected centre (within a tolerance); for entities that travel, the mean optical flow inside their
box must point the planned way; for entities that grow or shrink, their detected area must change the planned way.
The score is the mean of these checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vlm.generation.plan import COLOURS, Plan, interpolate
from vlm.perception import dense_flow
from vlm.video import VideoReader

COLOUR_TOL = 40          # sum of absolute RGB differences that still counts as the entity's colour
CENTRE_TOL = 0.12        # detected centre within this fraction of the canvas of the planned centre


@dataclass
class EntityCheck:
    id: int
    name: str
    position: float           # fraction of frames where the entity sits where planned
    direction: float | None   # fraction of motion checks with flow along the plan (None: it does not travel)
    size: float | None        # 1 if the detected area grows/shrinks as planned, else 0 (None: constant size)
    found: float              # fraction of frames where it was detected at all


@dataclass
class Verification:
    score: float
    entities: list[EntityCheck] = field(default_factory=list)

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def _detect(frame: np.ndarray, fg: np.ndarray, colour, planned_centre: np.ndarray,
            travels: bool) -> tuple[np.ndarray, int] | None:
    """(centre (x, y) in pixels, area) of the colour blob nearest the planned centre, or None.

    The colour mask is closed first (thin sprites such as a stick figure break into pieces after H.264). For an
    entity that travels, blobs with moving pixels are preferred (something of its colour may stand still nearby);
    a blob's centre is that of all its pixels (a person standing still still swings its arms)."""
    mask = (np.abs(frame.astype(np.int16) - np.array(colour, np.int16)).sum(-1) < COLOUR_TOL).astype(np.uint8)
    k = max(3, round(min(frame.shape[:2]) / 64))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    moving = np.bincount(labels[fg], minlength=n)                                  # moving pixels per blob
    blobs = [b for b in range(1, n) if stats[b, cv2.CC_STAT_AREA] >= 12]
    if travels:
        blobs = [b for b in blobs if moving[b] >= 12] or blobs
    if not blobs:
        return None
    best = min(blobs, key=lambda b: np.linalg.norm(centroids[b] - planned_centre))
    return centroids[best], int(stats[best, cv2.CC_STAT_AREA])


def verify(video: str | Path, plan: Plan, *, max_frames: int = 24) -> Verification:
    reader = VideoReader(video)
    n = len(reader)
    idx = np.unique(np.linspace(0, n - 1, min(n, max_frames)).round().astype(int))
    frames = reader.get_batch(idx)
    H, W = frames.shape[1:3]
    median = np.median(frames, axis=0).astype(np.int16)
    fg = np.abs(frames.astype(np.int16) - median).sum(-1) > 40                       # (F, H, W)
    greys = [cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames]
    checks = []
    for e in plan.entities:
        boxes = interpolate(e.boxes, n)[idx] / 100 * np.array([W, H, W, H])           # (F, 4) pixels
        centres = boxes[:, :2] + boxes[:, 2:] / 2
        hits, areas = [], []
        travels = bool(np.ptp(centres, axis=0).max() > 0.05 * max(W, H))
        for f, frame in enumerate(frames):
            det = _detect(frame, fg[f], COLOURS[e.colour], centres[f], travels)
            hits.append(det is not None and np.linalg.norm((det[0] - centres[f]) / np.array([W, H])) < CENTRE_TOL)
            if det is not None:
                areas.append((f, det[1]))
        checks.append(EntityCheck(e.id, e.name, float(np.mean(hits)), _direction(greys, boxes, centres, hits, W, H),
                                  _size(areas, boxes), len(areas) / len(frames)))
    parts = [c.position for c in checks] + [x for c in checks for x in (c.direction, c.size) if x is not None]
    return Verification(float(np.mean(parts)) if parts else 0.0, checks)


def _size(areas: list[tuple[int, int]], boxes: np.ndarray) -> float | None:
    """Planned area change of more than 30% must show in the detected area (same sign, start vs end)."""
    planned = boxes[:, 2] * boxes[:, 3]
    change = planned[-1] / max(planned[0], 1e-9)
    if 1 / 1.3 < change < 1.3:
        return None
    if len(areas) < 2:
        return 0.0
    (f0, a0), (f1, a1) = areas[0], areas[-1]
    return float((a1 > a0) == (change > 1) and f1 > f0)


def _direction(greys, boxes, centres, hits, W, H) -> float | None:
    """Fraction of consecutive frame pairs where the entity is in its box and the flow there moves the planned way
    (motion of something else in the box does not count)."""
    votes = []
    for f in range(len(greys) - 1):
        planned = centres[f + 1] - centres[f]
        if np.linalg.norm(planned / np.array([W, H])) < 0.01:   # not travelling between these frames
            continue
        if not hits[f]:
            votes.append(False)
            continue
        x, y, w, h = np.round(boxes[f]).astype(int)
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, W), min(y + h, H)
        if x1 - x0 < 3 or y1 - y0 < 3:
            continue
        flow = dense_flow(greys[f], greys[f + 1])[y0:y1, x0:x1].reshape(-1, 2)
        moving = flow[np.linalg.norm(flow, axis=-1) > 0.3]
        votes.append(len(moving) > 0 and float(moving.mean(0) @ planned) > 0)
    return float(np.mean(votes)) if votes else None
