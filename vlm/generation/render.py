"""Rendering a plan into video. `Renderer` is the interface (a layout-guided diffusion backend would implement
the same `frames` method); `ProceduralRenderer` draws anti-aliased shapes and simple sprites along the entities'
interpolated boxes over a background made from the plan's keyword, with optional motion blur."""
from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Protocol

import cv2
import numpy as np

from vlm.data.synthetic import draw_shape
from vlm.generation.plan import COLOURS, Plan, interpolate
from vlm.video.io import write_video

_SHIFT = 4
OUTLINE_BELOW = 150  # a tinted sprite this close (sum of RGB differences) to what is behind it gets an outline
_S = 1 << _SHIFT


class Renderer(Protocol):
    def frames(self, plan: Plan, *, num_frames: int, size: int, seed: int) -> Iterator[np.ndarray]:
        """Yield (size, size, 3) RGB uint8 frames."""


def _grad(h: int, w: int, top, bottom) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    return (np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t) * np.ones((1, w, 1), np.float32)


def background(keyword: str, size: int, seed: int) -> np.ndarray:
    """Palettes and gradients per keyword; textures (stars, grass, sand, waves) seeded."""
    rng = np.random.default_rng(seed)
    h = w = size
    if keyword == "sky":
        img = _grad(h, w, (110, 170, 235), (200, 225, 250))
    elif keyword == "grass":
        img = _grad(h, w, (150, 200, 240), (200, 225, 245))
        ground = int(h * 0.65)
        img[ground:] = _grad(h - ground, w, (90, 160, 70), (60, 120, 50))
        img[ground:] += rng.normal(0, 6, img[ground:].shape).astype(np.float32)
    elif keyword == "night":
        img = _grad(h, w, (10, 12, 40), (40, 40, 80))
        ys, xs = rng.integers(0, h, 40), rng.integers(0, w, 40)
        img[ys, xs] = 230
    elif keyword == "sand":
        img = _grad(h, w, (150, 200, 240), (220, 230, 240))
        ground = int(h * 0.6)
        img[ground:] = _grad(h - ground, w, (225, 200, 150), (200, 170, 120))
    elif keyword == "sea":
        img = _grad(h, w, (150, 200, 240), (210, 230, 250))
        water = int(h * 0.5)
        img[water:] = _grad(h - water, w, (40, 110, 170), (20, 60, 120))
    elif keyword == "indoor":
        img = _grad(h, w, (225, 215, 195), (200, 190, 170))
        floor = int(h * 0.75)
        img[floor:] = _grad(h - floor, w, (150, 110, 80), (120, 85, 60))
    elif keyword == "dark":
        img = _grad(h, w, (45, 45, 55), (25, 25, 30))
    elif keyword == "road":
        img = _grad(h, w, (150, 200, 240), (200, 225, 245))
        ground = int(h * 0.55)
        img[ground:] = _grad(h - ground, w, (95, 95, 100), (70, 70, 75))
        lane = ground + (h - ground) // 2
        for x0 in range(0, w, max(8, w // 8)):
            img[lane - max(1, h // 128):lane + max(1, h // 128), x0:x0 + max(4, w // 16)] = (235, 235, 235)
    elif keyword == "snow":
        img = _grad(h, w, (170, 200, 230), (220, 230, 240))
        ground = int(h * 0.6)
        img[ground:] = _grad(h - ground, w, (245, 248, 252), (225, 232, 240))
    else:  # "white" and anything unknown
        img = _grad(h, w, (250, 250, 250), (235, 235, 235))
    return np.clip(img, 0, 255).astype(np.uint8)


def _darker(c, f=0.6):
    return tuple(int(v * f) for v in c)


def _pt(x: float, y: float) -> tuple[int, int]:
    return round(x * _S), round(y * _S)


def draw_sprite(img: np.ndarray, shape: str, colour: tuple[int, int, int], x: float, y: float, w: float, h: float,
                phase: float = 0.0) -> None:
    """Draw one entity in its pixel box (x, y, w, h); the main body is filled with `colour` (the verifier tracks it)."""
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    aa = cv2.LINE_AA
    if shape in ("circle", "square", "triangle", "star"):
        draw_shape(img, shape, colour, cx, cy, min(w, h) if shape != "square" else min(w, h), 0.0)
    elif shape == "ball":
        cv2.circle(img, _pt(cx, cy), round(r * _S), colour, -1, aa, _SHIFT)
        cv2.circle(img, _pt(cx - r * 0.35, cy - r * 0.35), round(r * 0.25 * _S), (255, 255, 255), -1, aa, _SHIFT)
    elif shape == "sun":
        for k in range(12):
            a = 2 * math.pi * k / 12 + phase
            cv2.line(img, _pt(cx + r * 0.75 * math.cos(a), cy + r * 0.75 * math.sin(a)),
                     _pt(cx + r * math.cos(a), cy + r * math.sin(a)), colour, max(1, round(r / 10)), aa, _SHIFT)
        cv2.circle(img, _pt(cx, cy), round(r * 0.65 * _S), colour, -1, aa, _SHIFT)
    elif shape == "car":
        body = np.array([[x, y + h * 0.4], [x + w, y + h * 0.4], [x + w, y + h * 0.8], [x, y + h * 0.8]])
        cabin = np.array([[x + w * 0.2, y + h * 0.4], [x + w * 0.35, y + h * 0.1], [x + w * 0.7, y + h * 0.1],
                          [x + w * 0.85, y + h * 0.4]])
        for poly in (cabin, body):
            cv2.fillPoly(img, [np.round(poly * _S).astype(np.int32)], colour, aa, _SHIFT)
        for wx in (x + w * 0.25, x + w * 0.75):
            cv2.circle(img, _pt(wx, y + h * 0.8), round(h * 0.17 * _S), (30, 30, 30), -1, aa, _SHIFT)
    elif shape == "tree":
        cv2.rectangle(img, _pt(cx - w * 0.08, y + h * 0.55), _pt(cx + w * 0.08, y + h), (110, 70, 40), -1, aa, _SHIFT)
        cv2.circle(img, _pt(cx, y + h * 0.35), round(min(w, h) * 0.35 * _S), colour, -1, aa, _SHIFT)
    elif shape == "house":
        cv2.rectangle(img, _pt(x + w * 0.1, y + h * 0.45), _pt(x + w * 0.9, y + h), colour, -1, aa, _SHIFT)
        roof = np.array([[x, y + h * 0.47], [cx, y], [x + w, y + h * 0.47]])
        cv2.fillPoly(img, [np.round(roof * _S).astype(np.int32)], _darker(colour), aa, _SHIFT)
    elif shape == "person":
        t = max(1, round(min(w, h) / 8))
        cv2.circle(img, _pt(cx, y + h * 0.13), round(h * 0.13 * _S), colour, -1, aa, _SHIFT)
        cv2.line(img, _pt(cx, y + h * 0.25), _pt(cx, y + h * 0.62), colour, t, aa, _SHIFT)
        swing = math.sin(phase) * w * 0.25
        for dx in (-swing, swing):
            cv2.line(img, _pt(cx, y + h * 0.62), _pt(cx + dx, y + h), colour, t, aa, _SHIFT)
            cv2.line(img, _pt(cx, y + h * 0.35), _pt(cx - dx, y + h * 0.55), colour, t, aa, _SHIFT)
    elif shape == "cloud":
        for ox, oy, rr in ((0.3, 0.6, 0.28), (0.55, 0.45, 0.33), (0.75, 0.62, 0.25)):
            cv2.circle(img, _pt(x + w * ox, y + h * oy), round(min(w, h) * rr * _S), colour, -1, aa, _SHIFT)
    elif shape == "fish":
        cv2.ellipse(img, _pt(x + w * 0.45, cy), (round(w * 0.35 * _S), round(h * 0.3 * _S)), 0, 0, 360, colour, -1,
                    aa, _SHIFT)
        tail = np.array([[x + w * 0.75, cy], [x + w, cy - h * 0.3], [x + w, cy + h * 0.3]])
        cv2.fillPoly(img, [np.round(tail * _S).astype(np.int32)], colour, aa, _SHIFT)
    else:
        raise ValueError(f"cannot draw {shape!r}")


def drawn_as(shape: str):
    """How a noun is drawn: ("emoji", sprite), ("shape", None) for the procedural ones, or ("blob", None)."""
    from vlm.generation.layout import NATURAL_COLOUR
    from vlm.generation.sprites import font_path, resolve

    sprite = resolve(shape)
    if sprite.kind == "emoji" and font_path():
        return "emoji", sprite
    if sprite.kind == "shape" or shape in NATURAL_COLOUR:
        return "shape", None
    return "blob", None


def draw_entity(img: np.ndarray, shape: str, colour: str, x: float, y: float, w: float, h: float, *,
                phase: float = 0.0, mirror: bool = False) -> str:
    """Draw one entity in its pixel box: a procedural shape, an emoji sprite for any other noun (tinted when a
    colour is given), or a labelled blob when nothing matches. Returns the kind drawn."""
    from vlm.generation.layout import NATURAL_COLOUR

    kind, sprite = drawn_as(shape)
    rgb = COLOURS.get(colour)
    if kind == "emoji":
        behind = img[max(0, round(y)):max(1, round(y + h)), max(0, round(x)):max(1, round(x + w))]
        tone = np.asarray(rgb if rgb else (128, 128, 128), np.float32)
        faint = behind.size > 0 and float(np.abs(behind.reshape(-1, 3).mean(0) - tone).sum()) < OUTLINE_BELOW
        rgba = _sprite(sprite, rgb, max(2, round(w)), max(2, round(h)), mirror, bool(faint and rgb))
        if rgba is not None:
            _blit(img, rgba, round(x), round(y))
            return "emoji"
    if kind == "shape":
        draw_sprite(img, shape, rgb or COLOURS[NATURAL_COLOUR.get(shape, "grey")], x, y, w, h, phase)
        return "shape"
    cx, cy = x + w / 2, y + h / 2  # a blob, with the noun written on it: nothing drew it as itself
    cv2.ellipse(img, _pt(cx, cy), (round(w / 2 * _S), round(h / 2 * _S)), 0, 0, 360, rgb or (150, 150, 150), -1,
                cv2.LINE_AA, _SHIFT)
    scale = max(0.3, min(w, h) / 90)
    (tw, th), _ = cv2.getTextSize(shape, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    cv2.putText(img, shape, (int(cx - tw / 2), int(cy + th / 2)), cv2.FONT_HERSHEY_SIMPLEX, scale, (20, 20, 20), 1,
                cv2.LINE_AA)
    return "blob"


@lru_cache(maxsize=1024)
def _sprite(sprite, rgb, w: int, h: int, mirror: bool, outline: bool):
    from vlm.generation.sprites import sprite_image

    return sprite_image(sprite, rgb, w, h, mirror, outline)


def _blit(img, rgba, x: int, y: int) -> None:
    from vlm.generation.sprites import blit

    blit(img, rgba, x, y)


class ProceduralRenderer:
    """Sprites along interpolated boxes; motion_blur=k averages k sub-frame positions per frame."""

    def __init__(self, *, motion_blur: int = 1, labels: bool = False, easing: bool = True):
        self.motion_blur, self.labels, self.easing = max(1, motion_blur), labels, easing

    def frames(self, plan: Plan, *, num_frames: int = 48, size: int = 256, seed: int = 0) -> Iterator[np.ndarray]:
        bg = background(plan.background, size, seed)
        sub = num_frames * self.motion_blur
        tracks = [interpolate(e.boxes, sub, easing=self.easing) * size / 100 for e in plan.entities]
        for i in range(num_frames):
            acc = np.zeros_like(bg, dtype=np.float32)
            for s in range(self.motion_blur):
                j = i * self.motion_blur + s
                img = bg.copy()
                for e, track in zip(plan.entities, tracks):
                    draw_entity(img, e.shape, e.colour, *track[j], phase=j / self.motion_blur * 0.5, mirror=e.mirror)
                    if self.labels:
                        x, y = track[j][:2]
                        cv2.putText(img, e.name, (int(x), max(10, int(y) - 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.35,
                                    (20, 20, 20), 1, cv2.LINE_AA)
                acc += img
            yield (acc / self.motion_blur).round().astype(np.uint8)


def render_video(plan: Plan, out: str | Path, *, renderer: Renderer | None = None, num_frames: int = 48,
                 fps: float = 12.0, size: int | None = None, seed: int = 0) -> Path:
    """Render and write H.264 mp4 (streamed, atomic); size defaults to the plan's canvas."""
    size = size or plan.canvas
    if size % 2:
        raise ValueError(f"H.264 needs an even size, got {size}")
    renderer = renderer or ProceduralRenderer()
    return write_video(out, renderer.frames(plan, num_frames=num_frames, size=size, seed=seed), fps=fps, crf=18)
