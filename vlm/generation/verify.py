"""Does a video follow its plan, and its prompt? Detection against the known background, per frame.

The background is the plan's, rendered again with the render's seed (or, when it does not match the video, the
per-pixel median over frames, where moving things vanish); the foreground is what differs from it, split into
connected blobs. Each planned entity is the blob nearest its planned centre, which gives per frame a detected
centre, area and colour (the blob's median colour named by the nearest palette colour in CIELAB). Plan
adherence is the mean of: the detected centre within CENTRE_TOL of the planned one (per frame), the travel the
plan asks for (detected start to end), the size change it asks for, and the colour it asks for. Prompt
adherence applies the prompt's rules (vlm.generation.rules) to the same detections.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vlm.generation.plan import BACKGROUNDS, COLOURS, Plan, interpolate
from vlm.generation.rules import (GROWTH, TRAVEL, RuleResult, Track, adherence, judge, plan_groups)
from vlm.video import VideoReader

FG_TOL = 60              # sum of absolute RGB differences from the background that counts as foreground
CENTRE_TOL = 0.12        # detected centre within this fraction of the canvas of the planned centre
MIN_AREA = 12            # pixels: smaller blobs are compression noise


@dataclass
class EntityCheck:
    id: int
    name: str
    position: float           # fraction of frames where the entity sits where planned
    direction: float | None   # 1 if it travels the planned way (start to end), else 0 (None: it does not travel)
    size: float | None        # 1 if the detected area grows/shrinks as planned, else 0 (None: constant size)
    colour: float | None      # 1 if its detected colour is the planned one (None: a sprite's own colours)
    found: float              # fraction of frames where it was detected at all


@dataclass
class Verification:
    score: float                                   # plan adherence
    entities: list[EntityCheck] = field(default_factory=list)
    background: str = ""                           # the background keyword the video shows
    prompt: list[RuleResult] | None = None         # the prompt's rules on the video (when a prompt was given)

    @property
    def prompt_score(self) -> float | None:
        return None if self.prompt is None else adherence(self.prompt)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["prompt_score"] = self.prompt_score
        return d


_LAB = None


def colour_name(rgb) -> str:
    """The palette colour (vlm.generation.plan.COLOURS) nearest an RGB colour in CIELAB."""
    global _LAB
    if _LAB is None:
        names = list(COLOURS)
        _LAB = names, cv2.cvtColor(np.uint8([[COLOURS[n] for n in names]]), cv2.COLOR_RGB2LAB)[0].astype(np.float32)
    names, lab = _LAB
    x = cv2.cvtColor(np.uint8([[np.clip(rgb, 0, 255)]]), cv2.COLOR_RGB2LAB)[0, 0].astype(np.float32)
    return names[int(np.linalg.norm(lab - x, axis=1).argmin())]


def scene_background(frames: np.ndarray, keyword: str | None, seed: int) -> tuple[np.ndarray, str]:
    """(background image, keyword it shows): the per-pixel median over frames, named by the nearest rendered
    background; the rendered one itself (exact, moving or not) when it is the planned keyword and matches."""
    from vlm.generation.render import background

    median = np.median(frames, axis=0)
    size = frames.shape[1]
    if frames.shape[1] != frames.shape[2]:
        return median.astype(np.uint8), ""
    renders = {k: background(k, size, seed) for k in BACKGROUNDS}
    # the typical pixel's difference (things in front cover less than half of the frame)
    dist = {k: float(np.median(np.abs(median - img).sum(-1))) for k, img in renders.items()}
    shown = min(dist, key=dist.get)
    if keyword in renders and dist[keyword] < 15:
        return renders[keyword], shown
    return median.astype(np.uint8), shown


def tolerance(bg: np.ndarray) -> np.ndarray:
    """(H, W) foreground threshold: FG_TOL, plus the background's own change within 2 px (H.264 blurs a
    horizon or a lane marking by that much, which would otherwise join everything touching it into one blob)."""
    b = bg.astype(np.int16)
    edge = np.zeros(bg.shape[:2], np.int16)
    for axis in (0, 1):
        for shift in (-2, -1, 1, 2):
            edge = np.maximum(edge, np.abs(b - np.roll(b, shift, axis=axis)).sum(-1))
    return FG_TOL + edge


def _blobs(frame: np.ndarray, bg: np.ndarray, tol: np.ndarray | None = None):
    """Connected foreground blobs: (labels (H, W), stats, centroids, the foreground mask before closing gaps)."""
    tol = tolerance(bg) if tol is None else tol
    mask = (np.abs(frame.astype(np.int16) - bg.astype(np.int16)).sum(-1) > tol).astype(np.uint8)
    k = max(3, round(min(frame.shape[:2]) / 64))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))  # thin sprites break after H.264
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(closed, connectivity=8)
    return labels, stats, centroids, mask > 0


def detect(frames: np.ndarray, plan: Plan, n_total: int, idx: np.ndarray, bg: np.ndarray) -> list[Track]:
    """One Track per planned entity: the foreground blob nearest its planned centre in each frame (within a
    third of the canvas), with the blob's centre, area and median colour."""
    F, H, W = frames.shape[:3]
    scale = np.array([W, H])
    planned = []
    for e in plan.entities:
        boxes = interpolate(e.boxes, n_total)[idx] / 100                               # (F, 4) fractions
        planned.append(boxes[:, :2] + boxes[:, 2:] / 2)
    tracks = [Track(np.full((F, 2), np.nan), np.zeros(F), np.full(F, -1), None) for _ in plan.entities]
    colours: list[list[np.ndarray]] = [[] for _ in plan.entities]
    tol = tolerance(bg)
    for f, frame in enumerate(frames):
        labels, stats, centroids, raw = _blobs(frame, bg, tol)
        blobs = [b for b in range(1, len(stats)) if stats[b, cv2.CC_STAT_AREA] >= MIN_AREA]
        if not blobs:
            continue
        cents = centroids[blobs] / scale                                                  # (B, 2) fractions
        for k, e in enumerate(plan.entities):
            d = np.linalg.norm(cents - planned[k][f], axis=1)
            j = int(d.argmin())
            if d[j] > 0.33:
                continue
            b = blobs[j]
            t = tracks[k]
            t.centres[f], t.areas[f], t.labels[f] = cents[j], stats[b, cv2.CC_STAT_AREA] / (H * W), b
            if e.colour != "natural":  # the blob's own pixels, inside its outline (if drawn)
                own = (labels == b) & raw
                r = 2 * max(1, round(min(stats[b, cv2.CC_STAT_WIDTH], stats[b, cv2.CC_STAT_HEIGHT]) / 28)) + 1
                inside = cv2.erode(own.astype(np.uint8), np.ones((r, r), np.uint8)) > 0
                colours[k].append(np.median(frame[inside if inside.sum() >= 8 else own], axis=0))
        shared = np.bincount([t.labels[f] for t in tracks if t.labels[f] >= 0], minlength=len(stats))
        for t in tracks:  # entities that overlap in this frame: one blob, whose centre and area are neither's
            if t.labels[f] >= 0 and shared[t.labels[f]] > 1:
                t.centres[f], t.areas[f] = np.nan, 0.0
    for k, e in enumerate(plan.entities):
        if colours[k]:
            tracks[k].colour = colour_name(np.median(np.stack(colours[k]), axis=0))
    return tracks


def verify(video: str | Path, plan: Plan, *, seed: int = 0, max_frames: int = 24, spec=None,
           rules=None) -> Verification:
    """Plan adherence of a rendered video (and, given a parsed prompt and its rules, prompt adherence)."""
    reader = VideoReader(video)
    n = len(reader)
    idx = np.unique(np.linspace(0, n - 1, min(n, max_frames)).round().astype(int))
    frames = reader.get_batch(idx)
    bg, shown = scene_background(frames, plan.background, seed)
    tracks = detect(frames, plan, n, idx, bg)
    checks = []
    for k, (e, t) in enumerate(zip(plan.entities, tracks)):
        boxes = interpolate(e.boxes, n)[idx] / 100
        centres = boxes[:, :2] + boxes[:, 2:] / 2
        hits = t.found & (np.linalg.norm(np.nan_to_num(t.centres, nan=9.0) - centres, axis=1) < CENTRE_TOL)
        ends = t.ends()
        travel = centres[-1] - centres[0]
        direction = None
        if np.linalg.norm(travel) >= TRAVEL:
            direction = float(ends is not None and float((ends[1] - ends[0]) @ travel) > 0.5 * float(travel @ travel))
        planned_growth = (boxes[-1, 2] * boxes[-1, 3]) / (boxes[0, 2] * boxes[0, 3])
        size = None
        if not 1 / GROWTH < planned_growth < GROWTH:
            size = float(ends is not None and (ends[2] > 1) == (planned_growth > 1) and abs(np.log(ends[2])) > 0.1)
        colour = None if e.colour == "natural" else float(t.colour == e.colour)
        checks.append(EntityCheck(e.id, e.name, float(hits.mean()), direction, size, colour, float(t.found.mean())))
    parts = [c.position for c in checks] + [x for c in checks for x in (c.direction, c.size, c.colour)
                                            if x is not None]
    result = Verification(float(np.mean(parts)) if parts else 0.0, checks, shown)
    if spec is not None:
        groups = plan_groups(plan)
        nouns = {g: plan.entities[ks[0]].shape for g, ks in groups.items()}
        colours = {g: plan.entities[ks[0]].colour for g, ks in groups.items()}
        result.prompt = judge(spec, rules, groups, tracks, nouns, colours, shown)
    return result
