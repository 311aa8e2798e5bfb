"""Procedural videos of moving shapes with known ground truth, for tests and training data.

Each clip is described by a `Scene` (background + `Shape` tracks); `render_frames` draws it frame by frame
(anti-aliased, sub-pixel, with OpenCV) and `write_clip` streams it to an H.264 mp4. Everything is a pure
function of the scene, so a seed gives the same clip on every machine.
"""
from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np

from vlm.video.io import write_video

COLOURS = {  # RGB
    "red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 80, 220), "yellow": (235, 210, 40),
    "purple": (150, 60, 190), "orange": (245, 140, 30), "white": (245, 245, 245), "black": (20, 20, 20),
}
SHAPES = ("circle", "square", "triangle", "star")
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0), "still": (0.0, 0.0)}
BACKGROUNDS = {"grey": (128, 128, 128), "dark": (30, 30, 40), "sand": (200, 185, 150), "sky": (150, 190, 230)}


@dataclass(frozen=True)
class Shape:
    shape: str = "square"
    colour: str = "red"
    x: float = 0.5            # centre when it appears, as a fraction of the canvas width
    y: float = 0.5            # centre when it appears, as a fraction of the canvas height
    direction: str = "right"  # key of DIRECTIONS
    speed: float = 0.25       # canvas widths (or heights) per second
    size: float = 0.2         # side / diameter as a fraction of the shorter canvas side
    growth: float = 1.0       # size multiplier per second (>1 grows, <1 shrinks)
    rotation: float = 0.0     # degrees per second, positive = clockwise on screen
    appear: float = 0.0       # seconds: visible from ...
    disappear: float | None = None  # ... until (None = the end)

    def state(self, t: float) -> tuple[float, float, float, float] | None:
        """(cx, cy, size, angle) in canvas fractions / degrees at time t, or None when not visible.
        Motion, growth and rotation start when the shape appears."""
        if t < self.appear or (self.disappear is not None and t >= self.disappear):
            return None
        t = t - self.appear
        dx, dy = DIRECTIONS[self.direction]
        return (self.x + dx * self.speed * t, self.y + dy * self.speed * t,
                self.size * self.growth ** t, self.rotation * t)


@dataclass(frozen=True)
class Scene:
    shapes: tuple[Shape, ...] = (Shape(),)
    width: int = 128
    height: int = 128
    fps: float = 12.0
    num_frames: int = 24
    background: str = "grey"
    noise: float = 0.0  # std of per-frame Gaussian pixel noise (0-255 scale), seeded by `seed`
    seed: int = 0

    @property
    def duration(self) -> float:
        return self.num_frames / self.fps


def _polygon(shape: str, cx: float, cy: float, side: float, angle: float) -> np.ndarray:
    if shape == "square":
        base = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        r = side / 2
    elif shape == "triangle":
        base = [(0, -1.15), (1, 0.58), (-1, 0.58)]
        r = side / 2
    elif shape == "star":
        base = [(math.cos(a) * (1 if k % 2 == 0 else 0.45), math.sin(a) * (1 if k % 2 == 0 else 0.45))
                for k, a in enumerate(np.linspace(-math.pi / 2, 1.5 * math.pi, 10, endpoint=False))]
        r = side / 2
    else:
        raise ValueError(f"Unknown shape {shape!r}; available: {list(SHAPES)}")
    th = math.radians(angle)
    c, s = math.cos(th), math.sin(th)
    return np.array([(cx + r * (c * u - s * v), cy + r * (s * u + c * v)) for u, v in base])


_SHIFT = 4  # OpenCV sub-pixel bits: coordinates are drawn at 1/16 px precision


def draw_shape(img: np.ndarray, shape: str, colour: tuple[int, int, int], cx: float, cy: float, side: float,
               angle: float = 0.0) -> None:
    """Draw one filled, anti-aliased shape in pixels onto an RGB uint8 image (in place)."""
    scale = 1 << _SHIFT
    if shape == "circle":
        cv2.circle(img, (round(cx * scale), round(cy * scale)), max(1, round(side / 2 * scale)), colour, -1,
                   cv2.LINE_AA, _SHIFT)
        return
    pts = np.round(_polygon(shape, cx, cy, side, angle) * scale).astype(np.int32)
    cv2.fillPoly(img, [pts], colour, cv2.LINE_AA, _SHIFT)


def background(scene: Scene) -> np.ndarray:
    base = np.array(BACKGROUNDS[scene.background], dtype=np.float32)
    ramp = np.linspace(0.85, 1.1, scene.height, dtype=np.float32)[:, None, None]  # a soft vertical gradient
    return np.clip(base * ramp * np.ones((scene.height, scene.width, 1), np.float32), 0, 255).astype(np.uint8)


def render_frames(scene: Scene) -> Iterator[np.ndarray]:
    """Yield the scene's frames as (H, W, 3) RGB uint8, one at a time."""
    bg = background(scene)
    short = min(scene.width, scene.height)
    rng = np.random.default_rng(scene.seed)
    for i in range(scene.num_frames):
        img = bg.copy()
        t = i / scene.fps
        for sh in scene.shapes:
            st = sh.state(t)
            if st is not None:
                cx, cy, size, angle = st
                draw_shape(img, sh.shape, COLOURS[sh.colour], cx * scene.width, cy * scene.height, size * short, angle)
        if scene.noise:
            img = np.clip(img + rng.normal(0, scene.noise, img.shape), 0, 255).astype(np.uint8)
        yield img


def write_clip(scene: Scene, path: str | Path, **kwargs) -> Path:
    return write_video(path, render_frames(scene), fps=scene.fps, **kwargs)


# --- labels and captions -------------------------------------------------------------------------------------


def describe_motion(sh: Shape) -> list[str]:
    parts = []
    if sh.direction != "still" and sh.speed > 0:
        parts.append(f"moves {sh.direction}")
    if sh.rotation:
        parts.append("rotates " + ("clockwise" if sh.rotation > 0 else "counterclockwise"))
    if sh.growth > 1.0:
        parts.append("grows")
    elif sh.growth < 1.0:
        parts.append("shrinks")
    return parts or ["stays still"]


def caption(scene: Scene) -> str:
    """One plain sentence per shape, e.g. 'A red square moves left and rotates clockwise.'"""
    sentences = []
    for sh in scene.shapes:
        when = f" from second {sh.appear:g}" if sh.appear > 0 else ""
        sentences.append(f"A {sh.colour} {sh.shape}{when} " + " and ".join(describe_motion(sh)) + ".")
    return " ".join(sentences)


def random_shape(rng: np.random.Generator, *, motion: bool = True, **fixed) -> Shape:
    """A random shape that stays on the canvas for ~2 s of motion; `fixed` pins any field."""
    direction = str(rng.choice([d for d in DIRECTIONS if d != "still"])) if motion else "still"
    speed = float(rng.uniform(0.12, 0.2)) if motion else 0.0
    dx, dy = DIRECTIONS[direction]
    # Start on the side opposite the motion so the shape crosses the canvas.
    x = 0.5 - dx * 0.22 + (rng.uniform(-0.1, 0.1) if dx == 0 else 0.0)
    y = 0.5 - dy * 0.22 + (rng.uniform(-0.1, 0.1) if dy == 0 else 0.0)
    shape = Shape(shape=str(rng.choice(SHAPES)), colour=str(rng.choice([c for c in COLOURS if c not in ("black",)])),
                  x=float(x), y=float(y), direction=direction, speed=speed, size=float(rng.uniform(0.2, 0.3)))
    return replace(shape, **fixed)


@dataclass
class SyntheticItem:
    path: str
    label: str
    text: str
    scene: dict = field(repr=False, default_factory=dict)


def make_dataset(out_dir: str | Path, n: int, *, seed: int = 0, label_fn=None, scene_fn=None,
                 progress: bool = False) -> list[SyntheticItem]:
    """Write n clips + `manifest.csv` (path,label,text) + `scenes.jsonl` into out_dir.

    scene_fn(rng, i) -> Scene builds each clip (default: one random moving shape); label_fn(scene) -> str names
    its class (default: the caption).
    """
    from tqdm import tqdm

    out = Path(out_dir)
    (out / "clips").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    scene_fn = scene_fn or (lambda r, i: Scene(shapes=(random_shape(r),), seed=int(r.integers(1 << 31))))
    items = []
    for i in tqdm(range(n), desc="synth clips", disable=not progress):
        scene = scene_fn(rng, i)
        rel = f"clips/{i:05d}.mp4"
        write_clip(scene, out / rel)
        text = caption(scene)
        items.append(SyntheticItem(rel, label_fn(scene) if label_fn else text, text, asdict(scene)))
    with open(out / "manifest.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label", "text"])
        w.writerows([(it.path, it.label, it.text) for it in items])
    with open(out / "scenes.jsonl", "w") as f:
        for it in items:
            f.write(json.dumps({"path": it.path, "scene": it.scene}) + "\n")
    return items
